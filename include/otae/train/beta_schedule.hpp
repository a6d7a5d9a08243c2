// β-annealing for the EMD-VAE: the schedule is plain data — a list of β̂ values, each with its
// phase and learning rate — computed here, written into the run folder, and walked step by step
// by the trainer (Collins 2021, Sec. 3). β̂ is in units of HT·ΔR; β in GeV is ⟨HT⟩·β̂.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "otae/base/arg.hpp"

namespace otae::train {

/// Phases of the paper's schedule: a priming run up the grid, zig-zag legs that revisit the
/// middle of the grid from ever lower starts, and the production run whose checkpoints are kept.
enum class BetaPhase { kPriming, kZigZag, kProduction };

/// "priming", "zigzag", "production".
std::string to_string(BetaPhase phase);
/// The inverse of to_string; throws ConfigError listing the phase names otherwise.
BetaPhase beta_phase_from_string(const std::string& name);

/// One β step: train at β̂ until early stopping or the epoch limit, starting at `learning_rate`.
struct BetaStep {
  BetaPhase phase = BetaPhase::kProduction;
  double beta_hat = 1.0;
  double learning_rate = 1e-5;
};

/// How the schedule is built. Defaults are the paper's: the grid 10^(−5 + 0.25 k), k = 0…21
/// (numpy's logspace(−5, 1, 25) without its last 3 values); priming ascending at 3·10⁻⁵; eight
/// zig-zag legs of 7 values starting at grid indices 14, 12, …, 0, each ascending, at 3·10⁻⁵;
/// production ascending at 10⁻⁵: 22 + 56 + 22 = 100 steps.
struct BetaScheduleOptions {
  OTAE_ARG(double, log10_first, -5.0);
  OTAE_ARG(double, log10_step, 0.25);
  OTAE_ARG(int64_t, points, 22);
  OTAE_ARG(bool, priming, true);
  OTAE_ARG(double, priming_learning_rate, 3e-5);
  /// Number of zig-zag legs; 0 leaves the phase out.
  OTAE_ARG(int64_t, zigzag_legs, 8);
  OTAE_ARG(int64_t, zigzag_leg_length, 7);
  /// Grid index where the first leg starts; each later leg starts `zigzag_restart_drop` lower.
  OTAE_ARG(int64_t, zigzag_first_start, 14);
  OTAE_ARG(int64_t, zigzag_restart_drop, 2);
  /// false: the reference's sawtooth (each leg ascends, then β̂ jumps down to the next start).
  /// true: a real zig-zag, walking back down one grid step at a time to the next start.
  OTAE_ARG(bool, zigzag_descending_legs, false);
  OTAE_ARG(double, zigzag_learning_rate, 3e-5);
  OTAE_ARG(bool, production, true);
  OTAE_ARG(double, production_learning_rate, 1e-5);
  OTAE_ARG_PUBLIC

  /// Throws ConfigError naming the option and its value unless the grid has ≥ 1 point with a
  /// finite, positive step, every zig-zag leg lies inside the grid, every learning rate is
  /// positive, and at least one phase is on.
  void validate() const;
};

/// The β̂ grid: 10^(log10_first + k · log10_step), k = 0 … points − 1, ascending.
std::vector<double> beta_hat_grid(const BetaScheduleOptions& options);

/// The schedule, phase after phase. Throws ConfigError as options.validate() does.
std::vector<BetaStep> beta_schedule(const BetaScheduleOptions& options);

/// The schedule as CSV with a header: step, phase, beta_hat, beta_GeV (= energy_scale · β̂),
/// learning_rate; `energy_scale` is ⟨HT⟩ [GeV] of the training jets (1 for toy data).
std::string beta_schedule_csv(const std::vector<BetaStep>& schedule, double energy_scale);

}  // namespace otae::train
