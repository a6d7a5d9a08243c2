#include "otae/train/vae_model.hpp"

#include "otae/data/toy_datasets.hpp"
#include "otae/nn/dense_vae.hpp"
#include "otae/nn/emd_vae.hpp"
#include "otae/train/vae_loss.hpp"

namespace otae::train {

namespace {

void require_finite(const at::Tensor& t, const char* what) {
  if (!at::isfinite(t).all().item<bool>()) throw NonFiniteLoss(std::string("the decoder produced NaN or inf ") + what);
}

class EmdVaeModel : public VaeModel {
 public:
  EmdVaeModel(const nn::EmdVaeOptions& options, const ot::SinkhornOptions& sinkhorn)
      : net_(options), sinkhorn_(sinkhorn) {}

  std::shared_ptr<torch::nn::Module> module() const override { return net_.ptr(); }
  int64_t latent_dim() const override { return net_->options().encoder().latent_dim(); }
  const nn::MixedLatentOptions& mixed_latents() const override { return net_->options().encoder().mixed_latents(); }
  bool on_jets() const override { return true; }
  int64_t row_width() const override { return net_->options().decoder().particles(); }
  nn::LatentPosterior encode(const at::Tensor& inputs, c10::optional<at::Generator> binary_noise) override {
    return net_->encode(inputs, binary_noise);
  }

  at::Tensor distortion(const at::Tensor& targets, const at::Tensor& z) override {
    const nn::DecodedJets decoded = net_->decode(z);
    // sinkhorn_emd refuses non-finite input; report it as the loss failing, which is retried.
    require_finite(decoded.weights, "pT fractions");
    require_finite(decoded.positions, "positions");
    return emd_distortion(targets, decoded, sinkhorn_);
  }

  std::vector<data::NamedArray> decode_arrays(const at::Tensor& z) override {
    const nn::DecodedJets decoded = net_->decode(z);
    return {{"particles",
             at::cat({decoded.weights.unsqueeze(2), decoded.positions}, 2).contiguous(),
             {{"units", "pT/HT, eta, phi [rad]"}},
             {{"columns", {"pt_over_ht", "eta", "phi"}}}}};
  }

 private:
  nn::EmdVae net_;
  ot::SinkhornOptions sinkhorn_;
};

class DenseVaeModel : public VaeModel {
 public:
  explicit DenseVaeModel(const nn::DenseVaeOptions& options) : net_(options) {}

  std::shared_ptr<torch::nn::Module> module() const override { return net_.ptr(); }
  int64_t latent_dim() const override { return net_->options().latent_dim(); }
  const nn::MixedLatentOptions& mixed_latents() const override { return net_->options().mixed_latents(); }
  bool on_jets() const override { return false; }
  int64_t row_width() const override { return net_->options().input_dim(); }
  nn::LatentPosterior encode(const at::Tensor& inputs, c10::optional<at::Generator> binary_noise) override {
    return net_->encode(inputs, binary_noise);
  }

  at::Tensor distortion(const at::Tensor& targets, const at::Tensor& z) override {
    const at::Tensor reconstruction = net_->decode(z);
    require_finite(reconstruction, "vectors");
    return squared_error_distortion(targets, reconstruction);
  }

  std::vector<data::NamedArray> decode_arrays(const at::Tensor& z) override {
    return {{"x", net_->decode(z).contiguous(), {{"units", "those of the toy dataset"}}}};
  }

 private:
  nn::DenseVae net_;
};

/// The dimension of a toy's points, drawn from a one-point copy of the spec.
int64_t toy_dimension(const std::string& spec) {
  data::ToySpec one = data::parse_toy_spec(spec);
  one.count = 1;
  return data::make_toy(one).size(1);
}

}  // namespace

std::unique_ptr<VaeModel> make_vae_model(const VaeConfig& config) {
  try {
    if (data::is_toy_spec(config.data.source()))
      return std::make_unique<DenseVaeModel>(config.model.dense_vae(toy_dimension(config.data.source())));
    return std::make_unique<EmdVaeModel>(config.model.emd_vae(), config.sinkhorn);
  } catch (const InvalidArgument& e) {
    throw ConfigError(std::string("model: ") + e.what());
  }
}

void require_compatible(const VaeModel& model, const VaeData& data, const std::string& data_source) {
  auto kind = [](bool jets, int64_t width) {
    return jets ? std::to_string(width) + " particles per jet" : "vectors of dimension " + std::to_string(width);
  };
  if (model.on_jets() != data.on_jets() || model.row_width() != data.row_width())
    throw ConfigError(data_source + " holds " + kind(data.on_jets(), data.row_width()) + " but the model reads " +
                      kind(model.on_jets(), model.row_width()) +
                      (model.on_jets() && data.on_jets() ? " (set model.particles)" : ""));
}

}  // namespace otae::train
