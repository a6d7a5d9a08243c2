// JetNet's generative metrics on otae's jets: features once per sample, then batches drawn with
// replacement from seeded streams, W1 by ot::wasserstein_1d, the Fréchet distance by
// ot::frechet_distance, the unbiased MMD² in chunks of rows so that 5,000² kernels never sit whole
// in memory.
#include "otae/analysis/generative_metrics.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <sstream>
#include <vector>

#include <ATen/Parallel.h>

#include "otae/base/error.hpp"
#include "otae/base/seed_streams.hpp"
#include "otae/ot/gaussian.hpp"
#include "otae/ot/one_dimensional.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::analysis {
namespace {

// Stream words of derive_seed: one per metric, so that adding one never shifts another.
constexpr uint64_t kW1mStream = 1, kW1pStream = 2, kW1efpStream = 3, kFpdStream = 4, kKpdStream = 5,
                   kFloorStream = 6;

at::Generator stream(const GenerativeMetricsOptions& options, uint64_t word) {
  return at::make_generator<at::CPUGeneratorImpl>(derive_seed(options.seed(), {word}));
}

at::Tensor draw(int64_t n, int64_t count, at::Generator& generator) {
  return at::randint(n, {count}, generator, at::TensorOptions().dtype(at::kLong));
}

/// Mean and standard deviation (ddof 0) of per-batch values, as JetNet reports its W1 metrics.
MetricValue mean_and_spread(const std::vector<double>& values) {
  double mean = 0, square = 0;
  for (double v : values) mean += v;
  mean /= values.size();
  for (double v : values) square += (v - mean) * (v - mean);
  return {mean, std::sqrt(square / values.size())};
}

MetricValue average(const MetricValue* begin, const MetricValue* end) {
  MetricValue sum;
  for (const MetricValue* m = begin; m != end; ++m) {
    sum.value += m->value;
    sum.error += m->error;
  }
  const double n = static_cast<double>(end - begin);
  return {sum.value / n, sum.error / n};
}

/// W1 of each column of `a` [K, C] against `b` [K', C] over batches: `pick(features, draw)` turns
/// the drawn rows into the [*, C] values compared.
template <size_t C>
std::array<MetricValue, C> batched_w1(const JetNetFeatures& a, const JetNetFeatures& b,
                                      const GenerativeMetricsOptions& options, uint64_t word,
                                      const std::function<at::Tensor(const JetNetFeatures&, const at::Tensor&)>& pick) {
  options.validate();
  at::Generator generator = stream(options, word);
  std::array<std::vector<double>, C> per_batch;
  for (int64_t batch = 0; batch < options.batches(); ++batch) {
    const at::Tensor values_a = pick(a, draw(a.jets(), options.samples(), generator));
    const at::Tensor values_b = pick(b, draw(b.jets(), options.samples(), generator));
    for (size_t c = 0; c < C; ++c)
      per_batch[c].push_back(ot::wasserstein_1d(values_a.select(1, c), values_b.select(1, c)).w1);
  }
  std::array<MetricValue, C> result;
  for (size_t c = 0; c < C; ++c) result[c] = mean_and_spread(per_batch[c]);
  return result;
}

void check_features(const at::Tensor& t, const char* name) {
  if (!t.defined() || t.dim() != 2 || t.size(0) < 2 || t.size(1) < 1) {
    std::ostringstream msg;
    msg << name << ": features must be [N, D] with N >= 2, received ";
    if (t.defined()) msg << "shape " << t.sizes(); else msg << "an undefined tensor";
    throw InvalidArgument(msg.str());
  }
  if (!at::isfinite(t).all().item<bool>()) throw InvalidArgument(std::string(name) + ": features hold NaN or inf");
}

/// Both samples checked, and of one width; `pair` names them in the message ("x and y").
void check_feature_pair(const at::Tensor& a, const char* a_name, const at::Tensor& b, const char* b_name,
                        const std::string& pair) {
  check_features(a, a_name);
  check_features(b, b_name);
  if (a.size(1) != b.size(1))
    throw InvalidArgument(pair + " differ in width: " + std::to_string(a.size(1)) + " and " + std::to_string(b.size(1)));
}

/// Both samples divided by the largest |value| of each feature in `real` (1 where that is 0).
std::pair<at::Tensor, at::Tensor> normalised_by_real(const at::Tensor& real, const at::Tensor& generated) {
  check_feature_pair(real, "real", generated, "generated", "real and generated features");
  const at::Tensor x = real.to(at::kDouble), y = generated.to(at::kDouble);
  at::Tensor largest = x.abs().amax(0);
  largest = at::where(largest == 0, at::ones_like(largest), largest);
  return {x / largest, y / largest};
}

/// The sample sizes of FPD: evenly spaced in 1/N from 1/min to 1/max, truncated to integers
/// (JetNet's int32 cast of 1/linspace).
std::vector<int64_t> fpd_sample_sizes(const GenerativeMetricsOptions& o) {
  const double start = 1.0 / o.fpd_min_samples(), stop = 1.0 / o.fpd_max_samples();
  const double step = (stop - start) / (o.fpd_points() - 1);
  std::vector<int64_t> sizes;
  for (int64_t i = 0; i < o.fpd_points(); ++i) {
    const double inverse = i + 1 == o.fpd_points() ? stop : start + i * step;
    sizes.push_back(static_cast<int64_t>(1.0 / inverse));
  }
  return sizes;
}

double frechet_of_samples(const at::Tensor& x, const at::Tensor& y) {
  auto covariance = [](const at::Tensor& s) {
    const at::Tensor centred = s - s.mean(0, true);
    return at::mm(centred.transpose(0, 1), centred) / (s.size(0) - 1);
  };
  return ot::frechet_distance(x.mean(0), covariance(x), y.mean(0), covariance(y));
}

/// Least squares of y = intercept + slope·x with intercept, slope ≥ 0 (the best of the free fit
/// and the fits with one or both parameters on their bound), and the intercept's standard error
/// σ² [(XᵀX)⁻¹]₀₀ with σ² = residual sum of squares / (n − 2), as scipy's curve_fit reports it.
MetricValue extrapolate_to_zero(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  const double det = n * sxx - sx * sx;
  auto residual = [&](double a, double b) {
    double r = 0;
    for (size_t i = 0; i < x.size(); ++i) r += (y[i] - a - b * x[i]) * (y[i] - a - b * x[i]);
    return r;
  };
  std::vector<std::pair<double, double>> candidates = {{0.0, 0.0},
                                                      {std::max(sy / n, 0.0), 0.0},
                                                      {0.0, std::max(sxy / sxx, 0.0)}};
  const double free_intercept = (sxx * sy - sx * sxy) / det, free_slope = (n * sxy - sx * sy) / det;
  if (free_intercept >= 0 && free_slope >= 0) candidates.emplace_back(free_intercept, free_slope);
  auto best = *std::min_element(candidates.begin(), candidates.end(), [&](const auto& p, const auto& q) {
    return residual(p.first, p.second) < residual(q.first, q.second);
  });
  const double sigma2 = residual(best.first, best.second) / (n - 2);
  return {best.first, std::sqrt(sigma2 * sxx / det)};
}

/// p-th percentile (0–100) with linear interpolation between order statistics (numpy's default).
double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const double position = p / 100.0 * (values.size() - 1);
  const auto below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (position - below) * (values[above] - values[below]);
}

/// Σ_{i≠j} k(x_i, x_j) (or Σ_{i,j} with `same` false) of k(x, y) = (x·y/D + 1)⁴, in row chunks.
double kernel_sum(const at::Tensor& x, const at::Tensor& y, bool same) {
  const double gamma = 1.0 / x.size(1);
  constexpr int64_t kChunk = 1024;
  double total = 0;
  for (int64_t start = 0; start < x.size(0); start += kChunk) {
    const int64_t rows = std::min(kChunk, x.size(0) - start);
    // in place, and the fourth power as two squares: pow() and fresh [1024, N] temporaries cost
    // more than the matrix product itself
    at::Tensor k = at::mm(x.narrow(0, start, rows), y.transpose(0, 1));
    k.mul_(gamma).add_(1.0).square_().square_();
    total += k.sum().item<double>();
    if (same) total -= k.diagonal(start).sum().item<double>();
  }
  return total;
}

}  // namespace

JetNetFeatures JetNetFeatures::rows(const at::Tensor& indices) const {
  return {particles.index_select(0, indices), mask.index_select(0, indices), mass.index_select(0, indices),
          efps.index_select(0, indices)};
}

namespace {

void check_jet_tensor(const at::Tensor& jets, const std::string& name) {
  std::ostringstream shape;
  if (!jets.defined() || jets.dim() != 3 || jets.size(2) != 3 || jets.size(0) < 2 || jets.size(1) < 1) {
    shape << name << ": jets must be [N, M, 3] (pT, eta, phi) with N >= 2 jets, received ";
    if (jets.defined()) shape << "shape " << jets.sizes(); else shape << "an undefined tensor";
    throw InvalidArgument(shape.str());
  }
  if (jets.is_complex() || jets.scalar_type() == at::kBool)
    throw InvalidArgument(name + ": jets must hold real numbers");
}

/// One jet's features into its rows of the outputs: (η − y_J, φ − φ_J, pT/pT_J) per particle,
/// m_J/pT_J and the EFPs. Returns what is wrong with the jet, or "" when nothing is.
std::string one_jet_features(const float* jet, int64_t m, double* particles, double& mass, double* efps) {
  physics::FourMomentum total;
  for (int64_t i = 0; i < m; ++i) {
    const float* p = jet + 3 * i;
    if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2]) || p[0] < 0)
      return "particle " + std::to_string(i) + " has (pT, eta, phi) = (" + std::to_string(p[0]) + ", " +
             std::to_string(p[1]) + ", " + std::to_string(p[2]) + "); need finite values and pT >= 0";
    if (p[0] > 0) total += physics::from_pt_eta_phi_m(p[0], p[1], p[2]);
  }
  const double pt_jet = physics::pt(total);
  if (!(pt_jet > 0)) return "has no particle with pT > 0 (an empty jet)";
  // The jet's rapidity, not its pseudorapidity: a shift of every massless particle's η is a
  // boost along the beam, which moves y_J by the same amount but not η_J (the jet is massive),
  // so η − y_J is the same for a jet as stored and as centred.
  const double y_jet = physics::rapidity(total), phi_jet = physics::phi(total);
  mass = physics::invariant_mass(total) / pt_jet;
  for (int64_t i = 0; i < m; ++i) {
    const float* p = jet + 3 * i;
    if (p[0] == 0) continue;
    double* out = particles + i * 3;
    out[0] = p[1] - y_jet;
    out[1] = physics::wrap_phi(p[2] - phi_jet);
    out[2] = p[0] / pt_jet;
  }
  const auto values = physics::energy_flow_polynomials(jet, m);
  std::copy(values.begin(), values.end(), efps);
  return "";
}

}  // namespace

JetNetFeatures jetnet_features(const at::Tensor& jets, const std::string& name) {
  check_jet_tensor(jets, name);
  const at::Tensor rows = jets.detach().to(at::kCPU, at::kFloat).contiguous();
  const int64_t n = rows.size(0), m = rows.size(1);
  JetNetFeatures f;
  f.particles = at::zeros({n, m, 3}, at::kDouble);
  f.mass = at::zeros({n}, at::kDouble);
  f.efps = at::zeros({n, physics::kEfpCount}, at::kDouble);
  const float* in = rows.data_ptr<float>();
  double* particles = f.particles.data_ptr<double>();
  double* mass = f.mass.data_ptr<double>();
  double* efps = f.efps.data_ptr<double>();
  // The first bad jet by index, whatever thread finds one: messages name the same jet every run.
  std::vector<std::string> problems(n);
  at::parallel_for(0, n, 64, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j)
      problems[j] = one_jet_features(in + j * m * 3, m, particles + j * m * 3, mass[j], efps + j * physics::kEfpCount);
  });
  for (int64_t j = 0; j < n; ++j)
    if (!problems[j].empty()) throw InvalidArgument(name + ": jet " + std::to_string(j) + " " + problems[j]);
  f.mask = rows.select(2, 0) > 0;
  return f;
}

void GenerativeMetricsOptions::validate() const {
  auto require = [](bool ok, const char* what, int64_t value) {
    if (!ok) throw InvalidArgument(std::string("generative metrics: ") + what + ", received " + std::to_string(value));
  };
  require(samples_ >= 1, "samples must be >= 1", samples_);
  require(batches_ >= 1, "batches must be >= 1", batches_);
  require(fpd_min_samples_ >= 2, "fpd_min_samples must be >= 2", fpd_min_samples_);
  require(fpd_max_samples_ > fpd_min_samples_, "fpd_max_samples must be > fpd_min_samples (a line needs two sizes)",
          fpd_max_samples_);
  require(fpd_points_ >= 3, "fpd_points must be >= 3 (a line and its error)", fpd_points_);
  require(fpd_batches_ >= 1, "fpd_batches must be >= 1", fpd_batches_);
  require(kpd_samples_ >= 2, "kpd_samples must be >= 2", kpd_samples_);
  require(kpd_batches_ >= 1, "kpd_batches must be >= 1", kpd_batches_);
}

GenerativeMetricsOptions GenerativeMetricsOptions::scaled_to(int64_t jets) {
  if (jets < 4)
    throw InvalidArgument("generative metrics: a sample needs at least 4 jets, received " + std::to_string(jets));
  return GenerativeMetricsOptions()
      .samples(jets)
      .fpd_min_samples(std::max<int64_t>(2, 2 * jets / 5))
      .fpd_max_samples(jets)
      .kpd_samples(std::max<int64_t>(2, std::min<int64_t>(5000, jets / 2)));
}

MetricValue w1m(const JetNetFeatures& a, const JetNetFeatures& b, const GenerativeMetricsOptions& options) {
  return batched_w1<1>(a, b, options, kW1mStream, [](const JetNetFeatures& f, const at::Tensor& rows) {
    return f.mass.index_select(0, rows).unsqueeze(1);
  })[0];
}

std::array<MetricValue, 3> w1p(const JetNetFeatures& a, const JetNetFeatures& b,
                               const GenerativeMetricsOptions& options) {
  return batched_w1<3>(a, b, options, kW1pStream, [](const JetNetFeatures& f, const at::Tensor& rows) {
    return f.particles.index_select(0, rows).index({f.mask.index_select(0, rows)});
  });
}

std::array<MetricValue, 5> w1efp(const JetNetFeatures& a, const JetNetFeatures& b,
                                 const GenerativeMetricsOptions& options) {
  const auto& graphs = physics::w1efp_graph_indices();
  const at::Tensor columns = at::tensor(std::vector<int64_t>(graphs.begin(), graphs.end()), at::kLong);
  return batched_w1<5>(a, b, options, kW1efpStream, [&](const JetNetFeatures& f, const at::Tensor& rows) {
    return f.efps.index_select(0, rows).index_select(1, columns);
  });
}

MetricValue fpd(const at::Tensor& real, const at::Tensor& generated, const GenerativeMetricsOptions& options) {
  options.validate();
  const auto [x, y] = normalised_by_real(real, generated);
  at::Generator generator = stream(options, kFpdStream);
  std::vector<double> inverse_sizes, means;
  for (int64_t size : fpd_sample_sizes(options)) {
    double sum = 0;
    for (int64_t batch = 0; batch < options.fpd_batches(); ++batch)
      sum += frechet_of_samples(x.index_select(0, draw(x.size(0), size, generator)),
                                y.index_select(0, draw(y.size(0), size, generator)));
    inverse_sizes.push_back(1.0 / size);
    means.push_back(sum / options.fpd_batches());
  }
  return extrapolate_to_zero(inverse_sizes, means);
}

double polynomial_kernel_mmd(const at::Tensor& x, const at::Tensor& y) {
  check_feature_pair(x, "x", y, "y", "polynomial_kernel_mmd: x and y");
  const at::Tensor a = x.to(at::kDouble), b = y.to(at::kDouble);
  const double n = static_cast<double>(a.size(0)), n_prime = static_cast<double>(b.size(0));
  return kernel_sum(a, a, true) / (n * (n - 1)) + kernel_sum(b, b, true) / (n_prime * (n_prime - 1)) -
         2 * kernel_sum(a, b, false) / (n * n_prime);
}

MetricValue kpd(const at::Tensor& real, const at::Tensor& generated, const GenerativeMetricsOptions& options) {
  options.validate();
  const auto [x, y] = normalised_by_real(real, generated);
  at::Generator generator = stream(options, kKpdStream);
  const int64_t n = options.kpd_samples();
  std::vector<double> estimates;
  for (int64_t batch = 0; batch < options.kpd_batches(); ++batch) {
    const at::Tensor a = x.index_select(0, draw(x.size(0), n, generator));
    const at::Tensor b = y.index_select(0, draw(y.size(0), n, generator));
    estimates.push_back(polynomial_kernel_mmd(a, b));
  }
  return {percentile(estimates, 50), (percentile(estimates, 83.725) - percentile(estimates, 16.275)) / 2};
}

GenerativeMetrics generative_metrics(const JetNetFeatures& real, const JetNetFeatures& generated,
                                     const GenerativeMetricsOptions& options) {
  options.validate();
  GenerativeMetrics m;
  auto timed = [&](const char* name, const std::function<void()>& work) {
    const auto start = std::chrono::steady_clock::now();
    work();
    m.seconds[name] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  timed("w1m", [&] { m.w1m = w1m(real, generated, options); });
  timed("w1p", [&] { m.w1p = w1p(real, generated, options); });
  timed("w1efp", [&] { m.w1efp = w1efp(real, generated, options); });
  timed("fpd", [&] { m.fpd = fpd(real.efps, generated.efps, options); });
  timed("kpd", [&] { m.kpd = kpd(real.efps, generated.efps, options); });
  m.w1p_mean = average(m.w1p.data(), m.w1p.data() + m.w1p.size());
  m.w1efp_mean = average(m.w1efp.data(), m.w1efp.data() + m.w1efp.size());
  return m;
}

GenerativeMetrics truth_floor(const JetNetFeatures& real, const GenerativeMetricsOptions& options) {
  if (real.jets() < 4)
    throw InvalidArgument("truth_floor: needs at least 4 jets to split in two halves, received " +
                          std::to_string(real.jets()));
  at::Generator generator = stream(options, kFloorStream);
  const at::Tensor order = at::randperm(real.jets(), generator, at::TensorOptions().dtype(at::kLong));
  const int64_t half = real.jets() / 2;
  return generative_metrics(real.rows(order.narrow(0, 0, half)), real.rows(order.narrow(0, half, real.jets() - half)),
                            options);
}

nlohmann::json to_json(const GenerativeMetrics& metrics) {
  auto value = [](const MetricValue& m) { return nlohmann::json{{"value", m.value}, {"error", m.error}}; };
  nlohmann::json out;
  out["w1m"] = value(metrics.w1m);
  out["w1p"] = nlohmann::json::array();
  for (const MetricValue& m : metrics.w1p) out["w1p"].push_back(value(m));
  out["w1p_mean"] = value(metrics.w1p_mean);
  out["w1efp"] = nlohmann::json::array();
  for (const MetricValue& m : metrics.w1efp) out["w1efp"].push_back(value(m));
  out["w1efp_mean"] = value(metrics.w1efp_mean);
  out["fpd"] = value(metrics.fpd);
  out["kpd"] = value(metrics.kpd);
  out["seconds"] = metrics.seconds;
  return out;
}

}  // namespace otae::analysis
