// OTUS generators and the Minkowski layer; see otus_generator.hpp for the contract.
#include "otae/nn/otus_generator.hpp"

#include <cmath>
#include <sstream>

#include <torch/nn/functional/activation.h>
#include <torch/nn/init.h>

#include "otae/base/error.hpp"
#include "otae/nn/noise.hpp"

namespace otae::nn {

namespace {

// Keeps √(|p|² + m²) differentiable at p = 0 for massless objects.
constexpr double kEnergyFloorGeV2 = 1e-6;

at::Tensor as_buffer(const at::Tensor& t, int64_t size, const char* name) {
  if (!t.defined() || t.dim() != 1 || t.size(0) != size)
    throw InvalidArgument(std::string("OtusGenerator: statistics '") + name + "' must be [" + std::to_string(size) +
                          "], received " + (t.defined() ? "shape " + std::to_string(t.numel()) + " values" : "nothing"));
  const at::Tensor values = t.to(at::kFloat).contiguous().clone();
  if (!at::isfinite(values).all().item<bool>())
    throw InvalidArgument(std::string("OtusGenerator: statistics '") + name + "' hold a non-finite value");
  return values;
}

/// LibTorch's Linear draws its starting weights from the global generator (reset_parameters:
/// kaiming_uniform_ with a = √5, then the bias uniform in ±1/√fan_in); these are the same draws,
/// with the same bounds in the same arithmetic, from `generator`.
void redraw_initial_weights(torch::nn::LinearImpl& layer, at::Generator& generator) {
  torch::NoGradGuard no_grad;
  const int64_t fan_in = layer.weight.size(1);
  const double gain = torch::nn::init::calculate_gain(torch::kLeakyReLU, std::sqrt(5));
  const double weight_bound = std::sqrt(3.0) * (gain / std::sqrt(fan_in));
  layer.weight.uniform_(-weight_bound, weight_bound, generator);
  const double bias_bound = 1 / std::sqrt(fan_in);
  if (layer.bias.defined()) layer.bias.uniform_(-bias_bound, bias_bound, generator);
}

}  // namespace

at::Tensor minkowski_layer(const at::Tensor& momenta, const std::vector<double>& masses) {
  if (momenta.dim() != 3 || momenta.size(2) != 3 || momenta.size(1) != static_cast<int64_t>(masses.size())) {
    std::ostringstream msg;
    msg << "minkowski_layer: momenta must be [B, k, 3] with k = " << masses.size() << " (one mass per object), received "
        << momenta.sizes();
    throw InvalidArgument(msg.str());
  }
  std::vector<double> squared;
  for (double m : masses) {
    if (!(m >= 0) || !std::isfinite(m))
      throw InvalidArgument("minkowski_layer: masses must be finite and >= 0 GeV, received " + std::to_string(m));
    squared.push_back(m * m + kEnergyFloorGeV2);
  }
  const at::Tensor mass_squared =
      at::tensor(squared, at::TensorOptions().dtype(at::kDouble)).to(momenta.options()).view({1, -1});
  const at::Tensor energy = (momenta.pow(2).sum(2) + mass_squared).sqrt();
  return at::cat({momenta, energy.unsqueeze(2)}, 2).reshape({momenta.size(0), 4 * momenta.size(1)});
}

void OtusGeneratorOptions::validate() const {
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw InvalidArgument("OtusGeneratorOptions: " + what);
  };
  require(input_objects_ >= 1, "input_objects must be >= 1, received " + std::to_string(input_objects_));
  require(output_objects_ >= 1, "output_objects must be >= 1, received " + std::to_string(output_objects_));
  require(hidden_ >= 1, "hidden must be >= 1, received " + std::to_string(hidden_));
  require(hidden_layers_ >= 1, "hidden_layers must be >= 1, received " + std::to_string(hidden_layers_));
  require(residual_blocks_ >= 0, "residual_blocks must be >= 0, received " + std::to_string(residual_blocks_));
  require(noise_dimension_ >= 0, "noise_dimension must be >= 0 (0: 3 per output object), received " +
                                     std::to_string(noise_dimension_));
  require(noise_hidden_ >= 1, "noise_hidden must be >= 1, received " + std::to_string(noise_hidden_));
  require(static_cast<int64_t>(output_masses_.size()) == output_objects_,
          "output_masses has " + std::to_string(output_masses_.size()) + " entries but there are " +
              std::to_string(output_objects_) + " output objects");
  for (double m : output_masses_) require(std::isfinite(m) && m >= 0, "output mass " + std::to_string(m) + " GeV is not >= 0");
  require(!input_residual_ || input_objects_ == output_objects_,
          "input_residual needs as many input as output objects, received " + std::to_string(input_objects_) +
              " and " + std::to_string(output_objects_));
  require(!relative_residual_ || input_residual_, "relative_residual needs input_residual");
  require(!shared_response_ || relative_residual_, "shared_response needs relative_residual");
  require(!residual_pt_ordered_ || (input_residual_ && pt_ordered_.size() > 1),
          "residual_pt_ordered needs input_residual and at least two pt_ordered objects");
  if (noise_ == GeneratorNoise::kCalorimeter) {
    require(shared_response_, "calorimeter noise needs shared_response (one response per object)");
    require(resolution_start_.size() == 3, "resolution_start needs 3 entries (a, b, c), received " +
                                                std::to_string(resolution_start_.size()));
    for (double v : resolution_start_)
      require(std::isfinite(v) && v > 0, "resolution_start entries must be > 0 (they are learnt as logarithms), "
                                         "received " + std::to_string(v));
    require(std::isfinite(calorimeter_rate_) && calorimeter_rate_ > 0,
            "calorimeter_rate must be > 0, received " + std::to_string(calorimeter_rate_));
    require(tail_fraction_start_ > 0 && tail_fraction_start_ < 1,
            "tail_fraction_start must be in (0, 1), received " + std::to_string(tail_fraction_start_));
    require(std::isfinite(tail_scale_start_) && tail_scale_start_ != 0,
            "tail_scale_start must be finite and not 0 (its sign is kept, its size learnt), received " +
                std::to_string(tail_scale_start_));
  }
  require(!object_wise_ || ((noise_ == GeneratorNoise::kCalorimeter || noise_ == GeneratorNoise::kFixed) &&
                             architecture_ == GeneratorArchitecture::kMlp && shared_response_),
          "object_wise needs calorimeter or fixed noise, the mlp architecture and shared_response");
  require(!object_wise_ || noise_ != GeneratorNoise::kFixed || resolved_noise_dimension() % output_objects_ == 0,
          "object_wise fixed noise needs a noise_dimension divisible by the " + std::to_string(output_objects_) +
              " output objects (the same number of noise values per object), received " +
              std::to_string(noise_dimension_));
  require(!object_identity_ || object_wise_, "object_identity needs object_wise");
  require(!object_angles_ || (object_wise_ && noise_ == GeneratorNoise::kFixed),
          "object_angles needs object_wise with fixed noise");
  std::vector<bool> listed(static_cast<size_t>(output_objects_), false);
  auto check_objects = [&](const std::vector<int64_t>& objects, const std::string& what) {
    for (int64_t j : objects) {
      require(j >= 0 && j < output_objects_, what + " names object " + std::to_string(j) + ", outside 0.." +
                                                 std::to_string(output_objects_ - 1));
      require(!listed[static_cast<size_t>(j)], what + " names object " + std::to_string(j) +
                                                   " twice or also in the other list");
      listed[static_cast<size_t>(j)] = true;
    }
  };
  check_objects(missing_momentum_, "missing_momentum");
  check_objects(pt_ordered_, "pt_ordered");
  for (int64_t j : missing_momentum_)
    require(output_masses_[static_cast<size_t>(j)] == 0,
            "missing_momentum object " + std::to_string(j) + " must be massless (E = |pT|), its mass is " +
                std::to_string(output_masses_[static_cast<size_t>(j)]) + " GeV");
}

OtusGeneratorImpl::OtusGeneratorImpl(const OtusGeneratorOptions& options, const GeneratorStatistics& statistics,
                                     c10::optional<at::Generator> initial_weights)
    : options_(options) {
  options_.validate();
  const int64_t in = 4 * options_.input_objects();
  const int64_t out = (options_.shared_response() ? 1 : 3) * options_.output_objects();
  const int64_t d = options_.resolved_noise_dimension(), width = options_.hidden();
  input_mean_ = register_buffer("input_mean", as_buffer(statistics.input_mean, in, "input_mean"));
  input_std_dev_ = register_buffer("input_std_dev", as_buffer(statistics.input_std_dev, in, "input_std_dev"));
  const int64_t momenta = 3 * options_.output_objects();
  output_mean_ = register_buffer("output_mean", as_buffer(statistics.output_mean, momenta, "output_mean"));
  output_std_dev_ =
      register_buffer("output_std_dev", as_buffer(statistics.output_std_dev, momenta, "output_std_dev"));
  if (!(input_std_dev_ > 0).all().item<bool>() || !(output_std_dev_ > 0).all().item<bool>())
    throw InvalidArgument("OtusGenerator: every standard deviation of the statistics must be > 0");

  if (options_.noise() == GeneratorNoise::kConditional) {
    noise_hidden_ = register_module("noise_hidden", torch::nn::Linear(in, options_.noise_hidden()));
    noise_out_ = register_module("noise_out", torch::nn::Linear(options_.noise_hidden(), 2 * d));
  }
  // the calorimeter's noise acts on the response after the core network, which sees none of it
  const int64_t core_noise = options_.noise() == GeneratorNoise::kCalorimeter ? 0 : d;
  if (options_.noise() == GeneratorNoise::kCalorimeter) {
    const int64_t k = options_.output_objects();
    const auto& start = options_.resolution_start();
    const double rate = options_.calorimeter_rate();
    log_resolution_ = register_parameter(
        "log_resolution",
        at::tensor({std::log(start[0]) / rate, std::log(start[1]) / rate, std::log(start[2]) / rate}, at::kFloat)
            .repeat({k, 1}));
    const double f = options_.tail_fraction_start(), lambda = options_.tail_scale_start();
    tail_logit_ = register_parameter("tail_logit", at::full({k}, std::log(f / (1 - f)) / rate, at::kFloat));
    log_tail_scale_ = register_parameter("log_tail_scale", at::full({k}, std::log(std::abs(lambda)) / rate, at::kFloat));
    tail_sign_ = lambda > 0 ? 1.0 : -1.0;
  }
  register_core_layers(in + core_noise, core_noise);
  const int64_t object_outputs = options_.object_angles() ? 3 : 1;  // δ, and Δη, Δφ with object_angles
  output_ = register_module("output", torch::nn::Linear(width, options_.object_wise() ? object_outputs : out));
  if (initial_weights)
    for (const auto& module : modules(/*include_self=*/false))
      if (auto* linear = module->as<torch::nn::Linear>()) redraw_initial_weights(*linear, *initial_weights);
  torch::NoGradGuard no_grad;
  if (noise_out_) noise_out_->bias.fill_(1.0);
  if (options_.relative_residual()) {
    output_->weight.zero_();
    output_->bias.zero_();
  }
}

void OtusGeneratorImpl::register_core_layers(int64_t event_inputs, int64_t core_noise) {
  layers_ = register_module("layers", torch::nn::ModuleList());
  norms_ = register_module("norms", torch::nn::ModuleList());
  const int64_t width = options_.hidden(), k_out = options_.output_objects();
  // object_wise: one object's ln E and |η| (its slot, and its share of the noise) in, its response out
  const int64_t core_in =
      options_.object_wise() ? 2 + (options_.object_identity() ? k_out : 0) + core_noise / k_out : event_inputs;
  if (options_.architecture() == GeneratorArchitecture::kMlp) {
    for (int64_t i = 0; i < options_.hidden_layers(); ++i)
      layers_->push_back(torch::nn::Linear(i == 0 ? core_in : width, width));
    return;
  }
  layers_->push_back(torch::nn::Linear(event_inputs, width));
  for (int64_t i = 0; i < 2 * options_.residual_blocks(); ++i) {
    norms_->push_back(torch::nn::BatchNorm1d(width));
    layers_->push_back(torch::nn::Linear(width, width));
  }
}

void OtusGeneratorImpl::check_input(const at::Tensor& u) const {
  if (u.dim() != 2 || u.size(1) != 4 * options_.input_objects()) {
    std::ostringstream msg;
    msg << "OtusGenerator: input must be [B, " << 4 * options_.input_objects() << "] (px, py, pz, E of "
        << options_.input_objects() << " objects), received " << u.sizes();
    throw InvalidArgument(msg.str());
  }
}

at::Tensor OtusGeneratorImpl::standardised_input(const at::Tensor& u) const {
  return (u.to(at::kFloat) - input_mean_) / input_std_dev_;
}

at::Tensor OtusGeneratorImpl::draw_noise(const at::Tensor& u, c10::optional<at::Generator> noise) {
  check_input(u);
  const int64_t d = options_.resolved_noise_dimension();
  if (options_.noise() == GeneratorNoise::kCalorimeter) {
    const int64_t k = options_.output_objects();
    const at::Tensor n = normal_noise({u.size(0), k}, noise, u.options().dtype(at::kFloat));
    const at::Tensor e = exponential_noise({u.size(0), k}, noise, u.options().dtype(at::kFloat));
    return at::cat({n, e}, 1);
  }
  const at::Tensor n = normal_noise({u.size(0), d}, noise, u.options().dtype(at::kFloat));
  if (options_.noise() == GeneratorNoise::kFixed) return n;
  const at::Tensor h = torch::relu(noise_hidden_->forward(standardised_input(u)));
  const at::Tensor mu_and_sigma = noise_out_->forward(h);
  return mu_and_sigma.narrow(1, 0, d) + torch::nn::functional::softplus(mu_and_sigma.narrow(1, d, d)) * n;
}

namespace {

void require_calorimeter(const OtusGeneratorOptions& options, const char* what) {
  if (options.noise() != GeneratorNoise::kCalorimeter)
    throw InvalidArgument(std::string("OtusGenerator::") + what + " exists only with calorimeter noise, this one has " +
                          to_string(options.noise()));
}

// Below 1 GeV the stochastic and noise terms would explode; no calorimeter object is that soft.
constexpr double kResolutionEnergyFloorGeV = 1.0;

/// momenta [B, k, 3] with each object's pT scaled by 1 + δ and its direction moved by (Δη, Δφ):
/// response [B, k, 3] = (δ, Δη, Δφ).
at::Tensor responded_momenta(const at::Tensor& momenta, const at::Tensor& response) {
  const at::Tensor pt = momenta.narrow(2, 0, 2).pow(2).sum(2).clamp_min(1e-6).sqrt();  // [B, k]
  const at::Tensor eta = at::asinh(momenta.select(2, 2) / pt) + response.select(2, 1);
  const at::Tensor phi = at::atan2(momenta.select(2, 1), momenta.select(2, 0)) + response.select(2, 2);
  const at::Tensor new_pt = pt * (1 + response.select(2, 0));
  return at::stack({new_pt * at::cos(phi), new_pt * at::sin(phi), new_pt * at::sinh(eta)}, 2);
}

}  // namespace

at::Tensor OtusGeneratorImpl::resolution(const at::Tensor& u) const {
  require_calorimeter(options_, "resolution");
  check_input(u);
  const int64_t k = options_.output_objects();
  const at::Tensor energy =
      u.to(at::kFloat).view({u.size(0), options_.input_objects(), 4}).select(2, 3).clamp_min(kResolutionEnergyFloorGeV);
  const at::Tensor squared = resolution_parameters().pow(2);  // [k, 3]: a², b², c²
  return (squared.select(1, 0).view({1, k}) + squared.select(1, 1).view({1, k}) / energy +
          squared.select(1, 2).view({1, k}) / energy.pow(2))
      .sqrt();
}

at::Tensor OtusGeneratorImpl::tail_fraction() const {
  require_calorimeter(options_, "tail_fraction");
  return at::sigmoid(tail_logit_ * options_.calorimeter_rate());
}

at::Tensor OtusGeneratorImpl::resolution_parameters() const {
  require_calorimeter(options_, "resolution_parameters");
  return (log_resolution_ * options_.calorimeter_rate()).exp();
}

at::Tensor OtusGeneratorImpl::tail_scale() const {
  require_calorimeter(options_, "tail_scale");
  return (log_tail_scale_ * options_.calorimeter_rate()).exp() * tail_sign_;
}

at::Tensor OtusGeneratorImpl::object_features(const at::Tensor& u) const {
  const at::Tensor objects = u.to(at::kFloat).reshape({u.size(0) * options_.input_objects(), 4});
  const at::Tensor pt = objects.narrow(1, 0, 2).pow(2).sum(1).sqrt().clamp_min(1e-3);
  const at::Tensor abs_eta = at::asinh(objects.select(1, 2).abs() / pt);
  const at::Tensor log_energy = objects.select(1, 3).clamp_min(kResolutionEnergyFloorGeV).log() - 4.0;
  const at::Tensor features = at::stack({log_energy, abs_eta}, 1);
  if (!options_.object_identity()) return features;
  const at::Tensor slot = at::eye(options_.input_objects(), features.options()).repeat({u.size(0), 1});
  return at::cat({features, slot}, 1);
}

at::Tensor OtusGeneratorImpl::core(const at::Tensor& features) {
  at::Tensor h = features;
  if (options_.architecture() == GeneratorArchitecture::kMlp) {
    for (const auto& layer : *layers_) h = torch::relu(layer->as<torch::nn::Linear>()->forward(h));
    return output_->forward(h);
  }
  h = layers_[0]->as<torch::nn::Linear>()->forward(h);
  for (int64_t block = 0; block < options_.residual_blocks(); ++block) {
    at::Tensor branch = h;
    for (int64_t half = 0; half < 2; ++half) {
      const size_t i = static_cast<size_t>(2 * block + half);
      branch = torch::relu(norms_[i]->as<torch::nn::BatchNorm1d>()->forward(branch));
      branch = layers_[i + 1]->as<torch::nn::Linear>()->forward(branch);
    }
    h = h + branch;
  }
  return output_->forward(h);
}

at::Tensor OtusGeneratorImpl::forward_with_noise(const at::Tensor& u, const at::Tensor& noise) {
  check_input(u);
  const int64_t d = options_.resolved_noise_dimension();
  if (noise.dim() != 2 || noise.size(0) != u.size(0) || noise.size(1) != d) {
    std::ostringstream msg;
    msg << "OtusGenerator: noise must be [" << u.size(0) << ", " << d << "], received " << noise.sizes();
    throw InvalidArgument(msg.str());
  }
  const int64_t batch = u.size(0), k_out = options_.output_objects();
  const bool calorimeter = options_.noise() == GeneratorNoise::kCalorimeter;
  at::Tensor out;
  if (options_.object_wise() && calorimeter)
    out = core(object_features(u)).view({batch, k_out});
  else if (options_.object_wise())
    out = core(at::cat({object_features(u), noise.to(at::kFloat).reshape({batch * k_out, d / k_out})}, 1))
              .view({batch, k_out, -1});
  else
    out = calorimeter ? core(standardised_input(u)) : core(at::cat({standardised_input(u), noise.to(at::kFloat)}, 1));
  if (calorimeter) {
    // δ = μ(u) + s(E)·n + λ·max(0, e + ln f), λ < 0 a loss: P(e > −ln f) = f, and the excess is
    // again Exp(1)
    const at::Tensor n = noise.narrow(1, 0, k_out).to(at::kFloat), e = noise.narrow(1, k_out, k_out).to(at::kFloat);
    const at::Tensor log_f = at::log_sigmoid(tail_logit_ * options_.calorimeter_rate()).view({1, k_out});
    out = out + resolution(u) * n + tail_scale().view({1, k_out}) * at::relu(e + log_f);
  }
  at::Tensor momenta;
  if (options_.object_angles()) {
    momenta = responded_momenta(residual_input(u), out);
  } else if (options_.relative_residual()) {
    const at::Tensor delta = options_.shared_response() ? out.view({batch, k_out, 1}) : out.view({batch, k_out, 3});
    momenta = residual_input(u) * (1 + delta);
  } else {
    momenta = (out * output_std_dev_ + output_mean_).view({batch, k_out, 3});
    if (options_.input_residual()) momenta = momenta + residual_input(u);
  }
  return minkowski_layer(with_detector_structure(momenta), options_.output_masses());
}

namespace {

/// momenta [B, k, 3] with the objects in `slots` put in order of falling pT among themselves.
at::Tensor sorted_by_pt(const at::Tensor& momenta, const std::vector<int64_t>& slots) {
  if (slots.size() < 2) return momenta;
  const at::Tensor index = at::tensor(slots, at::kLong).to(momenta.device());
  const at::Tensor group = momenta.index_select(1, index);                          // [B, g, 3]
  const at::Tensor pt = group.narrow(2, 0, 2).pow(2).sum(2);                        // pT², same order
  const at::Tensor order = std::get<1>(pt.detach().sort(1, /*descending=*/true));  // [B, g]
  return momenta.index_copy(1, index, group.gather(1, order.unsqueeze(2).expand({-1, -1, 3})));
}

}  // namespace

at::Tensor OtusGeneratorImpl::residual_input(const at::Tensor& u) const {
  const at::Tensor momenta = u.to(at::kFloat).view({u.size(0), options_.output_objects(), 4}).narrow(2, 0, 3);
  return options_.residual_pt_ordered() ? sorted_by_pt(momenta, options_.pt_ordered()) : momenta;
}

at::Tensor OtusGeneratorImpl::with_detector_structure(at::Tensor momenta) const {
  if (!options_.missing_momentum().empty()) {
    // multiplying by a mask keeps the gradient of px, py and gives pz none
    at::Tensor keep = at::ones({1, momenta.size(1), 3}, momenta.options());
    for (int64_t j : options_.missing_momentum()) keep[0][j][2] = 0;
    momenta = momenta * keep;
  }
  return sorted_by_pt(momenta, options_.pt_ordered());
}

at::Tensor OtusGeneratorImpl::forward(const at::Tensor& u, c10::optional<at::Generator> noise) {
  return forward_with_noise(u, draw_noise(u, noise));
}

GeneratorArchitecture parse_generator_architecture(const std::string& name) {
  if (name == "mlp") return GeneratorArchitecture::kMlp;
  if (name == "residual") return GeneratorArchitecture::kResidual;
  throw InvalidArgument("unknown generator architecture '" + name + "'; choose mlp or residual");
}

GeneratorNoise parse_generator_noise(const std::string& name) {
  if (name == "conditional") return GeneratorNoise::kConditional;
  if (name == "fixed") return GeneratorNoise::kFixed;
  if (name == "calorimeter") return GeneratorNoise::kCalorimeter;
  throw InvalidArgument("unknown generator noise '" + name + "'; choose conditional, fixed or calorimeter");
}

std::string to_string(GeneratorArchitecture architecture) {
  return architecture == GeneratorArchitecture::kMlp ? "mlp" : "residual";
}

std::string to_string(GeneratorNoise noise) {
  switch (noise) {
    case GeneratorNoise::kConditional: return "conditional";
    case GeneratorNoise::kFixed: return "fixed";
    case GeneratorNoise::kCalorimeter: return "calorimeter";
  }
  return "unknown";
}

}  // namespace otae::nn
