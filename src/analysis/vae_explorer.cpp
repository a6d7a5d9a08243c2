// The model side of `otae explore` on an EMD-VAE run (vae_explorer.hpp). A checkpoint is read
// and evaluated on first use and kept, so that moving a slider costs one decode.
#include "otae/analysis/vae_explorer.hpp"

#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "otae/analysis/kl_spectrum.hpp"
#include "otae/base/error.hpp"
#include "otae/data/split.hpp"
#include "otae/ot/pairwise.hpp"

namespace otae::analysis {
namespace {

std::vector<double> column_means(const at::Tensor& values) {
  if (!values.defined()) return {};
  const at::Tensor means = values.to(at::kDouble).mean(0).contiguous();
  return {means.data_ptr<double>(), means.data_ptr<double>() + means.numel()};
}

/// The Gaussian directions by decreasing KL: every informative one, at least `minimum`.
std::vector<int64_t> shown_directions(const at::Tensor& kl, int64_t minimum) {
  std::vector<int64_t> shown = informative_directions(kl);
  const std::vector<int64_t> ranked = rank_directions(kl);
  const size_t wanted = static_cast<size_t>(std::min<int64_t>(minimum, kl.numel()));
  if (shown.size() < wanted) shown.assign(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(wanted));
  return shown;
}

}  // namespace

VaeExplorer::VaeExplorer(const std::string& run_dir, const VaeExplorerOptions& options)
    : options_(options), run_dir_(run_dir) {
  VaeRunCheckpoints run = read_vae_run(train::VaeRunFolder(run_dir));
  config_ = std::move(run.config);
  checkpoints_ = std::move(run.checkpoints);
  held_out_ = held_out_rows(config_, "", options_.held_out_jets());
  if (!held_out_.data.on_jets())
    throw ConfigError(run_dir + " is a VAE run on toy vectors (" + config_.data.source() +
                      "): otae explore draws jets, so it needs a run on jets");
  targets_ = held_out_.data.batch(held_out_.rows).targets.to(at::kDouble);
  energy_scale_ = held_out_.data.energy_scale(held_out_.rows);
  quantities_ = physics_quantities(held_out_.source, config_.data.dataset(), held_out_.rows);
}

VaeExplorer::~VaeExplorer() = default;

train::TrainedVae& VaeExplorer::model(int64_t step) {
  auto found = models_.find(step);
  if (found != models_.end()) return *found->second;
  if (std::none_of(checkpoints_.begin(), checkpoints_.end(), [step](const auto& c) { return c.step == step; })) {
    std::string kept;
    for (const auto& c : checkpoints_) kept += (kept.empty() ? "" : ", ") + std::to_string(c.step);
    throw InvalidArgument("beta step " + std::to_string(step) + " has no kept checkpoint in " + run_dir_ +
                          " (kept steps: " + kept + ")");
  }
  auto trained = std::make_unique<train::TrainedVae>(train::load_trained_vae(run_dir_, "step:" + std::to_string(step)));
  trained->model->module()->eval();
  return *models_.emplace(step, std::move(trained)).first->second;
}

const ExplorerCheckpoint& VaeExplorer::checkpoint(int64_t step) {
  auto found = evaluated_.find(step);
  if (found == evaluated_.end()) found = evaluated_.emplace(step, evaluate(step)).first;
  return found->second;
}

ExplorerCheckpoint VaeExplorer::evaluate(int64_t step) {
  train::TrainedVae& trained = model(step);
  train::VaeModel& vae = *trained.model;
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> means, gaussian_kl, binary_kl, circular_kl, binary_median;
  for (const at::Tensor& rows : data::batch_slices(held_out_.rows, 1000)) {
    // binary variables at their medians, as `otae vae encode` reports them
    const nn::LatentPosterior posterior = vae.encode(held_out_.data.batch(rows).inputs);
    const nn::LatentKl kl = nn::latent_kl_per_dim(posterior, vae.mixed_latents());
    means.push_back(posterior.gaussian.mean);
    gaussian_kl.push_back(kl.gaussian);
    if (kl.binary.defined()) binary_kl.push_back(kl.binary), binary_median.push_back(posterior.binary_sample);
    if (kl.circular.defined()) circular_kl.push_back(kl.circular);
  }
  ExplorerCheckpoint view;
  view.checkpoint = *std::find_if(checkpoints_.begin(), checkpoints_.end(), [step](const auto& c) { return c.step == step; });
  view.checkpoint.beta_hat = trained.checkpoint.beta_hat;  // exact; the file name holds 7 digits
  view.beta = view.checkpoint.beta_hat * energy_scale_;
  view.latent_dim = vae.latent_dim();
  view.binary_dim = vae.mixed_latents().binary_dim();
  view.circular_dim = vae.mixed_latents().circular_dim();
  view.encoded = at::cat(means);
  const at::Tensor kl = at::cat(gaussian_kl).to(at::kDouble).mean(0);
  const std::vector<int64_t> shown = shown_directions(kl, options_.min_directions());
  const LatentPhysicsTable table = latent_physics_table(view.encoded, shown, quantities_);
  const std::vector<BestMatch> matches = best_matching_quantities(table);
  for (size_t i = 0; i < shown.size(); ++i) {
    const double kl_i = kl[shown[i]].item<double>();
    view.directions.push_back({shown[i], kl_i, kl_i > kInformativeKlThreshold, matches[i].quantity,
                               matches[i].mutual_information, matches[i].spearman});
  }
  view.binary_kl = column_means(binary_kl.empty() ? at::Tensor() : at::cat(binary_kl));
  view.circular_kl = column_means(circular_kl.empty() ? at::Tensor() : at::cat(circular_kl));
  const at::Tensor binary_start = binary_median.empty()
                                      ? at::empty({0}, at::kDouble)
                                      : (at::cat(binary_median) > 0.5).to(at::kDouble).mean(0).gt(0.5).to(at::kDouble);
  view.origin = at::cat({at::zeros({view.latent_dim}, at::kDouble), binary_start,
                         at::zeros({view.circular_dim}, at::kDouble)});
  return view;
}

ExplorerJet VaeExplorer::decode(int64_t step, const std::vector<double>& point) {
  train::TrainedVae& trained = model(step);
  const int64_t latent = trained.model->latent_dim(), binary = trained.model->mixed_latents().binary_dim(),
                circular = trained.model->mixed_latents().circular_dim();
  if (static_cast<int64_t>(point.size()) != latent + binary + circular)
    throw InvalidArgument("a latent point of beta step " + std::to_string(step) + " has " +
                          std::to_string(latent + binary + circular) + " values (" + std::to_string(latent) +
                          " Gaussian, " + std::to_string(binary) + " binary, " + std::to_string(circular) +
                          " angles), received " + std::to_string(point.size()));
  for (size_t i = 0; i < point.size(); ++i) {
    const bool is_binary = static_cast<int64_t>(i) >= latent && static_cast<int64_t>(i) < latent + binary;
    if (!std::isfinite(point[i]) || (is_binary && (point[i] < 0 || point[i] > 1)))
      throw InvalidArgument("latent value " + std::to_string(i) + " is " + std::to_string(point[i]) +
                            (is_binary ? ": a binary value must lie in [0, 1]" : ": it must be finite"));
  }
  const at::Tensor values = at::tensor(point, at::kDouble);
  const at::Tensor angles = values.narrow(0, latent + binary, circular);
  ExplorerJet jet;
  jet.decoder_input = at::cat({values.narrow(0, 0, latent + binary), angles.cos(), angles.sin()}).to(at::kFloat);
  torch::NoGradGuard no_grad;
  for (const data::NamedArray& array : trained.model->decode_arrays(jet.decoder_input.unsqueeze(0)))
    if (array.name == "particles") jet.particles = array.values[0].to(at::kDouble);
  return jet;
}

NearestJet VaeExplorer::nearest(const at::Tensor& jet) const {
  const ot::PairwiseOptions pairwise =
      ot::PairwiseOptions().threads(options_.threads()).emd(ot::ExactEmdOptions().ground(config_.sinkhorn.ground()));
  const at::Tensor distances = ot::exact_emd_matrix(jet.unsqueeze(0), targets_, pairwise)[0];
  NearestJet nearest;
  nearest.held_out_index = distances.argmin().item<int64_t>();
  nearest.file_row = held_out_.rows[nearest.held_out_index].item<int64_t>();
  nearest.emd = distances[nearest.held_out_index].item<double>() * energy_scale_;
  nearest.particles = targets_[nearest.held_out_index];
  return nearest;
}

}  // namespace otae::analysis
