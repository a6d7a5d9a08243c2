// The dimensionalities of a β scan (Collins 2021, Sec. 4): D1 = −dKL/d ln β counts the latent
// directions the VAE resolves at β, D2 = dD/dβ² counts those the distortion still depends on.
// Both are finite differences between neighbouring checkpoints of one monotone run of the scan.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "otae/base/arg.hpp"

namespace otae::analysis {

/// One checkpoint of a β scan, evaluated on held-out jets. Units are the caller's, but they must
/// agree: the distortion is in units of β² (Ŝ² [(HT·ΔR)²] with β̂ [HT·ΔR], or S² [GeV²] with β
/// [GeV]), so that D2 is a pure number. Errors are one standard deviation (standard errors of the
/// means over the jets), ≥ 0.
struct BetaCheckpoint {
  double beta = 1.0;  ///< β [GeV] or β̂ [HT·ΔR]; > 0
  double kl = 0.0;    ///< KL summed over latent directions [nats]
  double kl_error = 0.0;
  double distortion = 0.0;  ///< ⟨Ŝ²⟩ or D, in units of β²
  double distortion_error = 0.0;
  /// Schedule phase ("priming", "zigzag", "production", or any label); empty for none.
  /// Checkpoints of different phases never share a run.
  std::string phase;
};

/// A maximal stretch of consecutive checkpoints whose β is strictly monotone, within one phase.
struct MonotoneRun {
  int64_t first = 0;   ///< index of its first checkpoint
  int64_t last = 0;    ///< index of its last checkpoint (inclusive); last > first
  int direction = +1;  ///< +1: β ascending, −1: descending
  std::string phase;
};

/// How the scan is cut into runs.
struct RunSplitting {
  /// Neighbours further apart than this in |Δ ln β| are not differenced: the run ends before the
  /// jump. The reference's sawtooth falls two decades (Δ ln β ≈ 4.6) between its ascending legs,
  /// a jump that is a restart rather than an annealing step. 0 sets no limit.
  OTAE_ARG(double, max_log_beta_step, 0.0);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument (echoing the value) when max_log_beta_step is negative or not finite.
  void validate() const;
};

/// Cuts the scan (checkpoints in the order they were trained) into runs. A run ends where β turns
/// (the turning checkpoint ends one run and starts the next, as the next leg is trained from it),
/// where β repeats, where the phase changes or where a step exceeds `max_log_beta_step` (the two
/// neighbours then belong to different runs). Runs of a single checkpoint carry no difference and
/// are left out. Throws InvalidArgument naming the checkpoint when a β is not finite and > 0.
std::vector<MonotoneRun> split_monotone_runs(const std::vector<BetaCheckpoint>& checkpoints,
                                             const RunSplitting& splitting = {});

/// D1 and D2 between two neighbouring checkpoints i → i+1 of one run.
struct DimensionalityPoint {
  int64_t run = 0;    ///< index into Dimensionalities::runs
  int64_t from = 0;   ///< checkpoint index i
  int64_t to = 0;     ///< checkpoint index i + 1
  double beta = 0.0;  ///< √(β_i β_{i+1}), the midpoint in ln β, units of the input
  double d1 = 0.0;    ///< −(KL_{i+1} − KL_i)/(ln β_{i+1} − ln β_i)
  double d1_error = 0.0;
  double d2 = 0.0;  ///< (D_{i+1} − D_i)/(β_{i+1}² − β_i²)
  double d2_error = 0.0;
};

/// Every run of the scan and the differences inside each, in checkpoint order.
struct Dimensionalities {
  std::vector<MonotoneRun> runs;
  std::vector<DimensionalityPoint> points;
};

/// D1 = −dKL/d ln β and D2 = dD/dβ² by finite differences between neighbouring checkpoints of each
/// run (the reference differences across its downward jumps too; here runs are split first).
/// Errors assume independent checkpoint errors: σ(D1) = √(σ_i² + σ_{i+1}²)/|Δ ln β|, and likewise
/// σ(D2) with |Δβ²|. When every checkpoint is evaluated on the same jets the errors are positively
/// correlated, and these bands are conservative.
/// Throws InvalidArgument naming the checkpoint when a value is not finite or an error is negative,
/// and as `split_monotone_runs`.
Dimensionalities dimensionalities(const std::vector<BetaCheckpoint>& checkpoints, const RunSplitting& splitting = {});

/// {"runs": [{"first", "last", "direction", "phase"}…], "points": [{"run", "from", "to", "beta",
/// "d1", "d1_error", "d2", "d2_error"}…]}, the layout python/otae_report draws Figure 3 from.
nlohmann::json to_json(const Dimensionalities& result);

}  // namespace otae::analysis
