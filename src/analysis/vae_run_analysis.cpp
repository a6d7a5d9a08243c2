// `otae vae analyze`: every kept checkpoint of a run evaluated on held-out rows, then the scan's
// dimensionalities, the data's correlation dimension, traversals and latent ↔ physics tables.
// Checkpoints are evaluated one at a time and their encodings dropped, so memory stays that of
// one checkpoint whatever the length of the schedule.
#include "otae/analysis/vae_run_analysis.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>
#include <tuple>

#include "otae/analysis/correlation_dimension.hpp"
#include "otae/analysis/dimensionality.hpp"
#include "otae/analysis/generative_metrics.hpp"
#include "otae/analysis/kl_spectrum.hpp"
#include "otae/analysis/latent_physics.hpp"
#include "otae/analysis/vae_held_out.hpp"
#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/base/seed_streams.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/split.hpp"
#include "otae/data/toy_datasets.hpp"
#include "otae/physics/kinematics.hpp"
#include "otae/train/checkpoint.hpp"
#include "otae/train/vae_config.hpp"
#include "otae/train/vae_data.hpp"
#include "otae/train/device.hpp"
#include "otae/train/vae_model.hpp"
#include "otae/train/vae_run.hpp"
#include "otae/train/vae_run_folder.hpp"
#include "otae/version.hpp"

namespace otae::analysis {
namespace {

namespace fs = std::filesystem;

std::vector<double> as_vector(const at::Tensor& t) {
  const at::Tensor values = t.to(at::kDouble).contiguous();
  return {values.data_ptr<double>(), values.data_ptr<double>() + values.numel()};
}

/// The mean of x [N] and its standard error (sample standard deviation / √N).
std::pair<double, double> mean_and_error(const at::Tensor& x) {
  const double n = static_cast<double>(x.numel());
  return {x.mean().item<double>(), x.std().item<double>() / std::sqrt(n)};
}

/// One checkpoint evaluated on the held-out rows; KL in nats, distortion in units of β̂².
struct CheckpointEvaluation {
  KlSpectrum spectrum;
  double kl = 0, kl_error = 0, distortion = 0, distortion_error = 0;
  at::Tensor mean;  ///< [N, L] the encoder means
  /// [K + 2C]: the binary variables at their mean median over the held-out rows and every circular
  /// angle at 0 (cos 1, sin 0): where a traversal of the Gaussian directions holds them.
  at::Tensor fixed_non_gaussian;
};

CheckpointEvaluation evaluate(train::VaeModel& model, const VaeHeldOut& held_out, const VaeAnalysisOptions& options) {
  torch::NoGradGuard no_grad;
  // The same ε at every checkpoint: their distortions differ by the model, not by the noise.
  at::Generator noise = at::make_generator<at::CPUGeneratorImpl>(options.seed());
  const at::Device device = train::device_of(*model.module());
  std::vector<at::Tensor> means, log_variances, kls, binary_medians, distortions;
  for (const at::Tensor& rows : data::batch_slices(held_out.rows, options.batch_size())) {
    const train::VaeBatch batch = held_out.data.batch(rows);
    // binary variables at their medians, as `otae vae encode` reports them
    const nn::LatentPosterior posterior = model.encode(train::to_device(batch.inputs, device));
    distortions.push_back(
        model.distortion(train::to_device(batch.targets, device), nn::sample_latent(posterior, noise)).to(at::kDouble).cpu());
    means.push_back(posterior.gaussian.mean.cpu());
    log_variances.push_back(posterior.gaussian.log_variance.cpu());
    // the rate of every latent variable, binary and circular ones included
    kls.push_back(nn::latent_kl_per_dim(posterior, model.mixed_latents()).weighted_sum().cpu());
    if (posterior.binary_sample.defined()) binary_medians.push_back(posterior.binary_sample.cpu());
  }
  CheckpointEvaluation result;
  result.mean = at::cat(means);
  result.spectrum = kl_spectrum(result.mean, at::cat(log_variances));
  std::tie(result.kl, result.kl_error) = mean_and_error(at::cat(kls).to(at::kDouble));
  const int64_t circular = model.mixed_latents().circular_dim();
  result.fixed_non_gaussian = at::cat({binary_medians.empty() ? at::empty({0}) : at::cat(binary_medians).mean(0),
                                       at::ones({circular}), at::zeros({circular})});
  std::tie(result.distortion, result.distortion_error) = mean_and_error(at::cat(distortions));
  return result;
}

/// ‖decoded[…, i_a + 1, …] − decoded[…, i_a, …]‖ along each grid axis a of a traversal of
/// vectors, decoded [G, …, G, d].
std::vector<at::Tensor> neighbour_distances(const at::Tensor& decoded) {
  std::vector<at::Tensor> distances;
  const at::Tensor x = decoded.to(at::kDouble);
  for (int64_t axis = 0; axis + 1 < x.dim(); ++axis) {
    const int64_t g = x.size(axis);
    distances.push_back((x.narrow(axis, 1, g - 1) - x.narrow(axis, 0, g - 1)).norm(2, -1));
  }
  return distances;
}

/// What every per-checkpoint file carries to say where it was taken.
void describe_checkpoint(nlohmann::ordered_json& out, const train::StepCheckpoint& checkpoint, double energy_scale) {
  out["step"] = checkpoint.step;
  out["phase"] = checkpoint.phase;
  out["beta_hat"] = checkpoint.beta_hat;
  out["beta"] = checkpoint.beta_hat * energy_scale;
}

std::string step_file_name(const std::string& prefix, int64_t step) {
  char name[64];
  std::snprintf(name, sizeof name, "%s_step%03ld.json", prefix.c_str(), static_cast<long>(step));
  return name;
}

/// The analysis of one run, kept together so that each stage reads as a short function.
class RunAnalysis {
 public:
  RunAnalysis(const std::string& run_dir, const std::string& out_dir, const VaeAnalysisOptions& options)
      : folder_(run_dir), out_dir_(out_dir), options_(options) {
    options_.validate();
    VaeRunCheckpoints run = read_vae_run(folder_);
    config_ = std::move(run.config);
    checkpoints_ = std::move(run.checkpoints);
    model_ = train::make_vae_model(config_);
    model_->module()->to(options_.device());
    held_out_ = std::make_unique<VaeHeldOut>(held_out_rows(config_, options_.data(), options_.max_rows()));
    train::require_compatible(*model_, held_out_->data, held_out_->source);
    on_jets_ = model_->on_jets();
    energy_scale_ = held_out_->data.energy_scale(held_out_->rows);
    choose_detailed_steps();
    if (on_jets_)
      quantities_ = physics_quantities(held_out_->source, config_.data.dataset(), held_out_->rows);
    if (on_jets_ && options_.metrics_jets() > 0) prepare_generative_metrics();
  }

  nlohmann::json run() {
    fs::create_directories(out_dir_);
    nlohmann::ordered_json checkpoint_list = nlohmann::ordered_json::array();
    std::vector<BetaCheckpoint> scan;
    std::ostringstream csv;
    csv << "step,phase,beta_hat,beta,direction,kl,kl_error\n";
    for (size_t k = 0; k < checkpoints_.size(); ++k) {
      train::StepCheckpoint checkpoint = checkpoints_[k];
      // The file name holds β̂ to 7 digits; the checkpoint itself holds it exactly.
      checkpoint.beta_hat = train::load_checkpoint(checkpoint.path, *model_->module(), nullptr).beta_hat;
      const CheckpointEvaluation evaluation = evaluate(*model_, *held_out_, options_);
      checkpoint_list.push_back(checkpoint_summary(checkpoint, evaluation));
      if (metrics_real_) checkpoint_list.back()["generative_metrics"] = generative_metrics_json(checkpoint);
      scan.push_back(beta_checkpoint(checkpoint, evaluation));
      append_spectrum_rows(csv, checkpoint, evaluation.spectrum);
      if (std::count(detailed_steps_.begin(), detailed_steps_.end(), checkpoint.step))
        write_details(checkpoint, evaluation);
      report("checkpoints", static_cast<int64_t>(k + 1), static_cast<int64_t>(checkpoints_.size()));
    }
    write_text_file(out("kl_spectrum.csv"), csv.str());
    nlohmann::ordered_json dims = to_json(dimensionalities(scan));
    dims["beta_unit"] = beta_unit();
    write_json_file(out("dimensionalities.json"), dims);
    const bool with_correlation = options_.correlation_points() > 0;
    if (with_correlation) write_json_file(out("correlation_dimension.json"), correlation_dimension_json());
    const nlohmann::ordered_json summary = summary_json(checkpoint_list, with_correlation);
    write_json_file(out("summary.json"), summary);
    return summary;
  }

 private:
  std::string out(const std::string& name) const { return (fs::path(out_dir_) / name).string(); }
  std::string beta_unit() const { return on_jets_ ? "GeV" : "data"; }
  /// The "kind" of the analysis files: what the rows are.
  std::string row_kind() const { return on_jets_ ? "jets" : "vectors"; }

  void report(const std::string& stage, int64_t done, int64_t total) const {
    if (options_.progress()) options_.progress()(stage, done, total);
  }

  /// The steps given, or every production step with an informative direction (decided when it is
  /// evaluated) and the production step of largest β, whose traversal shows what the collapsed
  /// model decodes (the talks' β ≫ 1 panel), or the last step of a run without production.
  void choose_detailed_steps() {
    if (!options_.traversal_steps().empty()) {
      for (int64_t step : options_.traversal_steps()) {
        if (std::none_of(checkpoints_.begin(), checkpoints_.end(),
                         [step](const train::StepCheckpoint& c) { return c.step == step; }))
          throw InvalidArgument("traversal step " + std::to_string(step) + " has no kept checkpoint in " +
                                folder_.root() + " (kept: steps " + std::to_string(checkpoints_.front().step) +
                                " to " + std::to_string(checkpoints_.back().step) + ")");
        detailed_steps_.push_back(step);
      }
      return;
    }
    bool production = false;
    double largest_beta_hat = 0.0;
    for (const auto& c : checkpoints_) {
      if (c.phase != "production") continue;
      production = true;
      detailed_steps_.push_back(c.step);
      if (c.beta_hat > largest_beta_hat) {
        largest_beta_hat = c.beta_hat;
        collapsed_end_step_ = c.step;
      }
    }
    detail_needs_information_ = production;
    if (!production) detailed_steps_.push_back(checkpoints_.back().step);
  }

  nlohmann::ordered_json checkpoint_summary(const train::StepCheckpoint& checkpoint,
                                            const CheckpointEvaluation& evaluation) const {
    nlohmann::ordered_json entry;
    describe_checkpoint(entry, checkpoint, energy_scale_);
    const double scale2 = energy_scale_ * energy_scale_;
    entry["kl"] = evaluation.kl;
    entry["kl_error"] = evaluation.kl_error;
    entry["distortion"] = evaluation.distortion * scale2;
    entry["distortion_error"] = evaluation.distortion_error * scale2;
    entry["kl_per_dim"] = as_vector(evaluation.spectrum.kl);
    entry["kl_per_dim_error"] = as_vector(evaluation.spectrum.kl_error);
    entry["informative"] = informative_directions(evaluation.spectrum.kl);
    return entry;
  }

  BetaCheckpoint beta_checkpoint(const train::StepCheckpoint& checkpoint,
                                 const CheckpointEvaluation& evaluation) const {
    const double scale2 = energy_scale_ * energy_scale_;
    return {checkpoint.beta_hat * energy_scale_, evaluation.kl,
            evaluation.kl_error,                 evaluation.distortion * scale2,
            evaluation.distortion_error * scale2, checkpoint.phase};
  }

  void append_spectrum_rows(std::ostringstream& csv, const train::StepCheckpoint& checkpoint,
                            const KlSpectrum& spectrum) const {
    const std::vector<double> kl = as_vector(spectrum.kl), error = as_vector(spectrum.kl_error);
    for (size_t i = 0; i < kl.size(); ++i)
      csv << checkpoint.step << ',' << checkpoint.phase << ',' << shortest_decimal(checkpoint.beta_hat) << ','
          << shortest_decimal(checkpoint.beta_hat * energy_scale_) << ',' << i << ',' << shortest_decimal(kl[i]) << ','
          << shortest_decimal(error[i]) << '\n';
  }

  void write_details(const train::StepCheckpoint& checkpoint, const CheckpointEvaluation& evaluation) {
    const std::vector<int64_t> informative = informative_directions(evaluation.spectrum.kl);
    if (detail_needs_information_ && informative.empty() && checkpoint.step != collapsed_end_step_) return;
    const std::string traversal = step_file_name("traversal", checkpoint.step);
    write_json_file(out(traversal), traversal_json(checkpoint, evaluation));
    traversal_files_.push_back(traversal);
    if (!on_jets_ || informative.empty()) return;
    const std::string physics = step_file_name("latent_physics", checkpoint.step);
    write_json_file(out(physics), latent_physics_json(checkpoint, evaluation.mean, informative));
    latent_physics_files_.push_back(physics);
  }

  nlohmann::ordered_json traversal_json(const train::StepCheckpoint& checkpoint,
                                        const CheckpointEvaluation& evaluation) const {
    const std::vector<int64_t> ranking = rank_directions(evaluation.spectrum.kl);
    const size_t count = std::min(static_cast<size_t>(options_.traversal_directions()), ranking.size());
    const std::vector<int64_t> directions(ranking.begin(), ranking.begin() + static_cast<std::ptrdiff_t>(count));
    const int64_t latent_dim = model_->latent_dim();
    const at::Tensor grid = traversal_grid(latent_dim, directions, options_.traversal());
    const at::Tensor gaussian_codes = grid.reshape({-1, latent_dim});
    const at::Tensor codes = at::cat(
        {gaussian_codes, evaluation.fixed_non_gaussian.to(at::kFloat).expand({gaussian_codes.size(0), -1})}, 1);
    at::Tensor decoded = train::decode_latents(*model_, codes, options_.batch_size()).front().values;
    std::vector<int64_t> shape(grid.sizes().begin(), grid.sizes().end() - 1);
    shape.insert(shape.end(), decoded.sizes().begin() + 1, decoded.sizes().end());
    decoded = decoded.reshape(shape);
    std::vector<at::Tensor> steps;
    if (on_jets_) {
      // EMDs between pT/HT jets are in units of HT·ΔR; ⟨HT⟩ turns them into GeV, the unit of β.
      for (const at::Tensor& emd : traversal_emds(decoded, emd_options())) steps.push_back(emd * energy_scale_);
    } else {
      steps = neighbour_distances(decoded);
    }
    const at::Tensor encoded =
        evaluation.mean.index_select(1, at::tensor(directions, at::TensorOptions().dtype(at::kLong)));
    nlohmann::ordered_json result = traversal_to_json(directions, options_.traversal(), decoded, encoded, steps);
    describe_checkpoint(result, checkpoint, energy_scale_);
    result["kind"] = row_kind();
    return result;
  }

  nlohmann::ordered_json latent_physics_json(const train::StepCheckpoint& checkpoint, const at::Tensor& mean,
                                             const std::vector<int64_t>& informative) const {
    const LatentPhysicsTable table =
        latent_physics_table(mean, informative, quantities_, MutualInformationOptions().seed(options_.seed()));
    nlohmann::ordered_json result = to_json(table);
    nlohmann::ordered_json best = nlohmann::ordered_json::array();
    for (const BestMatch& match : best_matching_quantities(table))
      best.push_back({{"direction", match.direction},
                      {"quantity", match.quantity},
                      {"spearman", match.spearman},
                      {"mutual_information", match.mutual_information}});
    result["best"] = best;
    describe_checkpoint(result, checkpoint, energy_scale_);
    return result;
  }

  ot::PairwiseOptions emd_options() const {
    return ot::PairwiseOptions().threads(options_.threads()).emd(ot::ExactEmdOptions().ground(config_.sinkhorn.ground()));
  }

  /// D_corr of the first held-out rows, prepared as the run prepared its training rows: exact
  /// EMDs of the pT/HT jets (centred when the run centred) times ⟨HT⟩, or Euclidean distances.
  nlohmann::ordered_json correlation_dimension_json() const {
    const int64_t points = std::min<int64_t>(options_.correlation_points(), held_out_->rows.numel());
    const at::Tensor rows = held_out_->rows.narrow(0, 0, points);
    const at::Tensor targets = held_out_->data.batch(rows).targets;
    ot::PairwiseOptions pairwise = emd_options().progress([this](int64_t done, int64_t total) {
      report("correlation dimension: pairs", done, total);
    });
    PairDistanceOptions distances = PairDistanceOptions().max_points(points).pairwise(pairwise);
    PairDistanceHistogram histogram = [&] {
      // Uncentred jets at different (η, φ) are ΔR ~ 5 apart: EMDs reach a few thousand GeV.
      if (on_jets_) return jet_pair_distances(targets, distances.distance_scale(energy_scale_).q_min(1e-1).q_max(1e4));
      // Toy vectors are of unit scale: the bins reach further down.
      return point_pair_distances(targets, distances.q_min(1e-4).q_max(1e2));
    }();
    nlohmann::ordered_json result = to_json(histogram, correlation_dimension(histogram, kCorrelationSpan));
    result["points"] = points;
    result["distance_unit"] = beta_unit();
    result["method"] = on_jets_ ? "exact_emd" : "euclidean";
    return result;
  }

  nlohmann::ordered_json summary_json(const nlohmann::ordered_json& checkpoints, bool with_correlation) const {
    nlohmann::ordered_json summary;
    summary["otae_version"] = kVersion;
    summary["command_line"] = options_.command_line();
    summary["run"] = folder_.root();
    summary["data"] = held_out_->source;
    summary["rows"] = held_out_->rows.numel();
    summary["kind"] = row_kind();
    summary["latent_dim"] = model_->latent_dim();
    summary["energy_scale_GeV"] = energy_scale_;
    summary["beta_unit"] = beta_unit();
    summary["distance_unit"] = beta_unit();
    summary["threshold"] = kInformativeKlThreshold;
    summary["checkpoints"] = checkpoints;
    summary["dimensionalities"] = "dimensionalities.json";
    summary["correlation_dimension"] =
        with_correlation ? nlohmann::ordered_json("correlation_dimension.json") : nlohmann::ordered_json(nullptr);
    summary["traversals"] = traversal_files_;
    summary["latent_physics"] = latent_physics_files_;
    summary["generative_metrics"] = nlohmann::ordered_json(nullptr);
    if (metrics_real_)
      summary["generative_metrics"] = {{"jets", metrics_real_->jets()},
                                       {"samples", metrics_options_.samples()},
                                       {"floor", to_json(metrics_floor_)}};
    return summary;
  }

  /// JetNet's metrics at every checkpoint compare the first metrics_jets held-out jets with their
  /// reconstructions and with as many jets decoded from prior draws; the samples are small, so
  /// the draws are scaled to them (GenerativeMetricsOptions::scaled_to) and the floor is that of
  /// two halves of the K held-out jets.
  void prepare_generative_metrics() {
    const int64_t k = std::min(options_.metrics_jets(), held_out_->rows.numel());
    if (k < 4) return;
    metrics_rows_ = held_out_->rows.narrow(0, 0, k);
    metrics_options_ = GenerativeMetricsOptions::scaled_to(k).seed(options_.seed());
    metrics_real_ = std::make_unique<JetNetFeatures>(
        jetnet_features(held_out_->data.batch(metrics_rows_).targets, held_out_->source + " (held-out jets)"));
    metrics_floor_ = truth_floor(*metrics_real_, metrics_options_);
  }

  /// {"decoded": metrics of the reconstructions (z drawn from the posterior), "generated":
  /// metrics of jets decoded from prior draws (nn::sample_prior: N(0, 1) per Gaussian direction,
  /// each binary variable's relaxed-Bernoulli prior, a uniform angle per circular direction)}.
  nlohmann::ordered_json generative_metrics_json(const train::StepCheckpoint& checkpoint) {
    torch::NoGradGuard no_grad;
    at::Generator noise = at::make_generator<at::CPUGeneratorImpl>(derive_seed(options_.seed(), {kMetricsStream}));
    const std::string step = "step " + std::to_string(checkpoint.step);
    auto decoded_jets = [&](const at::Tensor& z) {
      for (const data::NamedArray& array : model_->decode_arrays(train::to_device(z, options_.device())))
        if (array.name == "particles") return array.values.cpu();
      throw NumericalError("vae analyze: the model decodes no particles");
    };
    const train::VaeBatch batch = held_out_->data.batch(metrics_rows_);
    const at::Tensor z = nn::sample_latent(model_->encode(train::to_device(batch.inputs, options_.device())), noise);
    nlohmann::ordered_json out;
    out["decoded"] = to_json(generative_metrics(
        *metrics_real_, jetnet_features(decoded_jets(z), "decoded jets of " + step), metrics_options_));
    const at::Tensor prior =
        nn::sample_prior(metrics_rows_.numel(), model_->latent_dim(), model_->mixed_latents(), noise);
    out["generated"] = to_json(generative_metrics(
        *metrics_real_, jetnet_features(decoded_jets(prior), "prior-generated jets of " + step), metrics_options_));
    return out;
  }

  /// The stream of the posterior and prior draws of the generative metrics.
  static constexpr uint64_t kMetricsStream = 0x6a65746e6574;  // "jetnet"

  /// D_corr is differenced across 2 bins (0.1 decade at the default 20 bins per decade): one bin
  /// alone scatters from pair-count noise.
  static constexpr int64_t kCorrelationSpan = 2;

  train::VaeRunFolder folder_;
  std::string out_dir_;
  VaeAnalysisOptions options_;
  train::VaeConfig config_;
  std::vector<train::StepCheckpoint> checkpoints_;
  std::unique_ptr<train::VaeModel> model_;
  std::unique_ptr<VaeHeldOut> held_out_;
  bool on_jets_ = true;
  double energy_scale_ = 1.0;
  std::vector<int64_t> detailed_steps_;
  bool detail_needs_information_ = false;
  int64_t collapsed_end_step_ = -1;
  std::vector<PhysicsQuantity> quantities_;
  std::vector<std::string> traversal_files_, latent_physics_files_;
  at::Tensor metrics_rows_;
  GenerativeMetricsOptions metrics_options_;
  std::unique_ptr<JetNetFeatures> metrics_real_;  ///< null when the metrics are skipped
  GenerativeMetrics metrics_floor_;
};

}  // namespace

void VaeAnalysisOptions::validate() const {
  auto require = [](bool ok, const std::string& what, const std::string& value) {
    if (!ok) throw InvalidArgument("VaeAnalysisOptions: " + what + ", received " + value);
  };
  require(max_rows_ >= 0, "max_rows must be >= 0", std::to_string(max_rows_));
  require(correlation_points_ >= 0, "correlation_points must be >= 0 (0 skips it)",
          std::to_string(correlation_points_));
  require(correlation_points_ != 1, "correlation_points must be 0 or >= 2", std::to_string(correlation_points_));
  require(traversal_directions_ >= 1 && traversal_directions_ <= 3, "traversal_directions must be 1, 2 or 3",
          std::to_string(traversal_directions_));
  require(threads_ >= 0, "threads must be >= 0 (0: every core)", std::to_string(threads_));
  require(batch_size_ >= 1, "batch_size must be >= 1", std::to_string(batch_size_));
  require(metrics_jets_ >= 0, "metrics_jets must be >= 0 (0 skips the generative metrics)",
          std::to_string(metrics_jets_));
  traversal_.validate();
}

nlohmann::json analyze_vae_run(const std::string& run_dir, const std::string& out_dir,
                               const VaeAnalysisOptions& options) {
  return RunAnalysis(run_dir, out_dir, options).run();
}

}  // namespace otae::analysis
