#include "otae/analysis/circular_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "otae/base/error.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/split.hpp"
#include "otae/data/toy_datasets.hpp"
#include "otae/train/vae_run.hpp"
#include "otae/physics/units.hpp"
#include "otae/train/vae_run_folder.hpp"

namespace otae::analysis {

namespace {

at::Tensor checked_angles(const at::Tensor& angles, int64_t minimum_rows) {
  if (angles.dim() != 1 || angles.size(0) < minimum_rows)
    throw InvalidArgument("angles must be [N] with N >= " + std::to_string(minimum_rows) + ", received " +
                          std::string(c10::str(angles.sizes())));
  const at::Tensor a = angles.to(at::kDouble).cpu();
  if (!at::isfinite(a).all().item<bool>()) throw InvalidArgument("angles contain NaN or inf");
  return a;
}

CircularLatentCorrelation correlate_step(const std::string& run_dir, const std::string& step,
                                         const std::string& data_source) {
  train::TrainedVae trained = train::load_trained_vae(run_dir, step);
  if (trained.model->mixed_latents().circular_dim() == 0)
    throw ConfigError(run_dir + " has no circular latent direction (model.circular.dims is 0)");
  train::VaeDataOptions options = trained.config.data;
  if (!data_source.empty()) options.source(data_source);
  const train::VaeData data = train::VaeData::load(options);
  train::require_compatible(*trained.model, data, options.source());
  const data::Split split = data::split_rows(data.size(), trained.config.split);
  const at::Tensor rows = split.test.size(0) > 0 ? split.test : at::arange(data.size(), at::kLong);
  const nn::LatentPosterior posterior = train::encode_rows(*trained.model, data);
  const at::Tensor angle = reference_angle(options.source(), data.size()).index_select(0, rows);
  CircularLatentCorrelation result{
      trained.checkpoint.step, trained.checkpoint.beta_hat, trained.checkpoint.phase, {}, {}, {}};
  for (int64_t c = 0; c < posterior.circular_mean.size(1); ++c) {
    const at::Tensor mean_direction = posterior.circular_mean.select(1, c).index_select(0, rows);
    result.correlation.push_back(circular_correlation(mean_direction, angle));
    result.rank_correlation.push_back(circular_rank_correlation(mean_direction, angle));
    result.mean_concentration.push_back(
        posterior.circular_concentration.select(1, c).index_select(0, rows).to(at::kDouble).mean().item<double>());
  }
  return result;
}

}  // namespace

double circular_mean(const at::Tensor& angles) {
  const at::Tensor a = checked_angles(angles, 1);
  return std::atan2(a.sin().sum().item<double>(), a.cos().sum().item<double>());
}

double circular_correlation(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor x = checked_angles(a, 2), y = checked_angles(b, 2);
  if (x.size(0) != y.size(0))
    throw InvalidArgument("circular_correlation: the angles have " + std::to_string(x.size(0)) + " and " +
                          std::to_string(y.size(0)) + " rows");
  const at::Tensor sx = (x - circular_mean(x)).sin(), sy = (y - circular_mean(y)).sin();
  return (sx * sy).sum().item<double>() /
         std::sqrt(sx.square().sum().item<double>() * sy.square().sum().item<double>());
}

namespace {

/// 2π (mid-rank of each angle wrapped into [0, 2π)) / N, ties sharing their mean rank. Where the
/// circle is cut only rotates every score by one common phase.
at::Tensor uniform_scores(const at::Tensor& angles) {
  const double two_pi = 2.0 * physics::kPi;
  const at::Tensor wrapped = angles - two_pi * at::floor(angles / two_pi);
  const at::Tensor order = wrapped.argsort();
  const at::Tensor sorted = wrapped.index_select(0, order).contiguous();
  const int64_t n = sorted.size(0);
  const double* value = sorted.data_ptr<double>();
  std::vector<double> rank(n);
  for (int64_t start = 0; start < n;) {
    int64_t end = start;
    while (end < n && value[end] == value[start]) ++end;
    for (int64_t i = start; i < end; ++i) rank[i] = 0.5 * static_cast<double>(start + end - 1);
    start = end;
  }
  at::Tensor scores = at::empty({n}, at::kDouble);
  scores.index_put_({order}, at::tensor(rank, at::kDouble) * (two_pi / static_cast<double>(n)));
  return scores;
}

}  // namespace

double circular_rank_correlation(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor x = checked_angles(a, 2), y = checked_angles(b, 2);
  if (x.size(0) != y.size(0))
    throw InvalidArgument("circular_rank_correlation: the angles have " + std::to_string(x.size(0)) + " and " +
                          std::to_string(y.size(0)) + " rows");
  const at::Tensor alpha = uniform_scores(x), beta = uniform_scores(y);
  const auto squared_resultant = [](const at::Tensor& phase) {
    return std::pow(phase.cos().mean().item<double>(), 2) + std::pow(phase.sin().mean().item<double>(), 2);
  };
  return std::max(squared_resultant(alpha - beta), squared_resultant(alpha + beta));
}

at::Tensor reference_angle(const std::string& data_source, int64_t rows) {
  at::Tensor angle;
  if (data::is_toy_spec(data_source)) {
    const at::Tensor x = data::make_toy(data_source);
    if (x.size(1) != 2)
      throw InvalidArgument(data_source + ": the reference angle atan2(x2, x1) needs 2-D points, received dimension " +
                            std::to_string(x.size(1)));
    angle = at::atan2(x.select(1, 1), x.select(1, 0));
  } else {
    if (!data::has_dataset(data_source, "jet"))
      throw IoError(data_source + ": no 'jet' dataset [N, 5] (pT, eta, phi, mass, subjets) to take the jet phi from");
    angle = data::read_array(data_source, "jet").select(1, 2);
  }
  return angle.narrow(0, 0, std::min(rows, angle.size(0))).to(at::kDouble);
}

std::vector<CircularLatentCorrelation> circular_latent_correlations(const std::string& run_dir,
                                                                    const std::string& data_source) {
  std::vector<CircularLatentCorrelation> results;
  for (const auto& [beta_hat, path] : train::VaeRunFolder(run_dir).production_checkpoints()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", beta_hat);
    results.push_back(correlate_step(run_dir, text, data_source));
  }
  if (results.empty()) results.push_back(correlate_step(run_dir, "last", data_source));
  return results;
}

nlohmann::json to_json(const CircularLatentCorrelation& result) {
  return {{"step", result.step},
          {"beta_hat", result.beta_hat},
          {"phase", result.phase},
          {"correlation", result.correlation},
          {"rank_correlation", result.rank_correlation},
          {"mean_concentration", result.mean_concentration}};
}

}  // namespace otae::analysis
