// Reading out a trained EMD-VAE run (Collins 2021, Sec. 3–4 and Figs. 1–3, 7, 8): every kept
// checkpoint evaluated on held-out rows (KL spectrum, distortion), the dimensionalities D1 and D2
// of the β scan, the correlation dimension of the data, latent traversals and the latent ↔
// physics table, written as JSON/CSV for `otae report` to draw. What `otae vae analyze` runs.
//
// The analysis folder (RUN/analysis/ by default), every file written atomically. This layout is
// the contract with `otae report` (python/otae_report):
//
//   summary.json   {"otae_version", "command_line", "run": path, "data": path or toy spec,
//                   "rows": N held-out rows evaluated, "kind": "jets"|"vectors", "latent_dim": L,
//                   "energy_scale_GeV": ⟨HT⟩ of the evaluated jets (1 for vectors),
//                   "beta_unit": "GeV"|"data", "distance_unit": "GeV"|"data", "threshold": 0.1,
//                   "checkpoints": [{"step": int, "phase": "priming"|"zigzag"|"production",
//                       "beta_hat", "beta" (= β̂·⟨HT⟩, in beta_unit), "kl" (Σᵢ KLᵢ, nats),
//                       "kl_error", "distortion" (⟨Ŝ²⟩·⟨HT⟩², in beta_unit², i.e. GeV² for jets,
//                       on the held-out rows with z sampled from the posterior with a fixed
//                       seed), "distortion_error", "kl_per_dim": [L], "kl_per_dim_error": [L],
//                       "informative": [directions with KL > threshold by decreasing KL]} … in
//                       training order],
//                   "dimensionalities": "dimensionalities.json",
//                   "correlation_dimension": "correlation_dimension.json" or null,
//                   "traversals": [file names], "latent_physics": [file names],
//                   "generative_metrics": null or {"jets": K held-out jets compared, "samples":
//                       jets drawn per W1 batch, "floor": to_json(truth_floor) of those K jets}}
//                 each checkpoint of a jet run with metrics_jets > 0 also holds
//                 "generative_metrics": {"decoded": to_json(GenerativeMetrics) of the K
//                 reconstructions, "generated": the same for K jets decoded from prior draws
//                 (nn::sample_prior: N(0, 1), relaxed-Bernoulli and uniform-angle blocks)}
//   kl_spectrum.csv           long format, header step,phase,beta_hat,beta,direction,kl,kl_error
//   dimensionalities.json     to_json(Dimensionalities) of the checkpoints above (β and distortion
//                             in beta_unit) plus "beta_unit"; the point indices "from"/"to" index
//                             summary.json's "checkpoints"
//   correlation_dimension.json  to_json(PairDistanceHistogram, CorrelationDimensionCurve) plus
//                             {"points": N, "distance_unit", "method": "exact_emd"|"euclidean"};
//                             jets: exact EMDs of the pT/HT jets × ⟨HT⟩, in GeV, so that D_corr(Q)
//                             is drawn against β = Q/2
//   traversal_step<NNN>.json  (NNN the zero-padded step) traversal_to_json(...) {"directions",
//                             "values", "decoded", "encoded_means", "emds"} plus {"step", "phase",
//                             "beta_hat", "beta", "kind"}. Jets: "decoded" [G][G][M][3] (pT/HT, η,
//                             φ), "emds" in GeV; vectors: "decoded" [G][G][d], "emds" the Euclidean
//                             distances between neighbouring decoded points. 1 direction: [G];
//                             3 directions: [G][G][G]
//   latent_physics_step<NNN>.json  (jets only) to_json(LatentPhysicsTable) plus {"best":
//                             [{"direction", "quantity", "spearman", "mutual_information"}],
//                             "step", "phase", "beta_hat", "beta"}
//
// The run folder itself holds config.yaml, run.json, beta_schedule.csv, epochs.csv,
// beta_steps.jsonl and the checkpoints (otae/train/vae_run_folder.hpp).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "otae/analysis/traversal.hpp"
#include "otae/base/arg.hpp"

namespace otae::analysis {

/// Told (what is being done, units done, units in total), e.g. ("checkpoints", 3, 20) or
/// ("correlation dimension: pairs", 10⁶, 4.5·10⁶). Called from the calling thread.
using AnalysisProgress = std::function<void(const std::string& stage, int64_t done, int64_t total)>;

/// What `analyze_vae_run` evaluates and on which rows.
struct VaeAnalysisOptions {
  /// An HDF5 file of jets or a toy spec to evaluate on. Empty: the run's own data source. Rows
  /// the run trained or validated on are never used: when the source is the run's own, the rows
  /// are its test split (per the run's split configuration) followed by the rows beyond the
  /// run's data.max_rows; any other source is held out entirely.
  OTAE_ARG(std::string, data, "");
  /// At most this many held-out rows, the first ones (0: all). 20,000 rows put the KL of each
  /// checkpoint within ~0.01 nats, while the rows beyond a run's data.max_rows of a large file
  /// would otherwise make every checkpoint cost minutes.
  OTAE_ARG(int64_t, max_rows, 20000);
  /// Points for the correlation dimension of the data (the first held-out rows); 0 skips it.
  OTAE_ARG(int64_t, correlation_points, 10000);
  /// Latent directions of each traversal, the most informative first: 1, 2 or 3.
  OTAE_ARG(int64_t, traversal_directions, 2);
  /// The traversal grid (default 9 points per axis, spacing π/4 prior standard deviations).
  OTAE_ARG(TraversalOptions, traversal, TraversalOptions());
  /// β step indices that get a traversal and a latent ↔ physics table. Empty: every production
  /// checkpoint with at least one informative direction and the production checkpoint of largest
  /// β (a traversal of the collapsed model), or the last checkpoint of a run without production.
  OTAE_ARG(std::vector<int64_t>, traversal_steps, {});
  /// Threads of the exact EMDs (0: every core).
  OTAE_ARG(int64_t, threads, 0);
  /// Seeds the posterior samples of the distortion and the mutual-information estimator.
  OTAE_ARG(uint64_t, seed, 0);
  /// Held-out jets (the first ones) that JetNet's metrics (generative_metrics.hpp) compare, at
  /// every checkpoint, with their reconstructions and with as many jets decoded from prior draws
  /// (nn::sample_prior, every latent kind from its own prior); 0 skips them. Jets only.
  OTAE_ARG(int64_t, metrics_jets, 2000);
  /// Rows per forward pass (memory, not numbers).
  OTAE_ARG(int64_t, batch_size, 1000);
  /// Where the model encodes and decodes (train::resolve_device); the read-out is in host memory.
  OTAE_ARG(at::Device, device, at::kCPU);
  /// Recorded in summary.json ("command_line").
  OTAE_ARG(std::string, command_line, "");
  OTAE_ARG(AnalysisProgress, progress, nullptr);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument (echoing the value) unless max_rows, correlation_points ≥ 0,
  /// traversal_directions ∈ {1, 2, 3}, threads ≥ 0, batch_size ≥ 1 and the traversal is valid.
  void validate() const;
};

/// Analyses the run in `run_dir` (written by otae::train::train_vae) and writes the layout above
/// into `out_dir` (created). Works for jet runs (EMD-VAE) and toy-vector runs (dense VAE; no
/// latent ↔ physics table there). Physics quantities of jets come from the raw particles of the
/// file: the jet's pT [GeV], η, φ (circular) and mass [GeV] of the massless particles' summed
/// four-vector, plus every column of a `truth` dataset when the file has one (named by its
/// `columns` attribute; names containing "phi" or "angle" are circular).
/// Returns the contents of summary.json.
/// Throws IoError naming `run_dir` when it holds no run or no kept step checkpoint, or naming the
/// file that cannot be read or written; ConfigError naming the data source when its rows do not
/// fit the model, or when no held-out row is left; InvalidArgument on bad options or a traversal
/// step without a kept checkpoint.
nlohmann::json analyze_vae_run(const std::string& run_dir, const std::string& out_dir,
                               const VaeAnalysisOptions& options = {});

}  // namespace otae::analysis
