// The exact Earth Mover's Distance between two jets, solved as a min-cost flow by LEMON's network
// simplex, with the semantics of EnergyFlow's `emd.emd` (Komiske, Metodiev, Thaler,
// PRL 123 (2019) 041801, Eq. 1). Pairwise matrices over many jets live in pairwise.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <c10/util/ArrayRef.h>

#include "otae/base/arg.hpp"
#include "otae/ot/ground_distance.hpp"

namespace otae::ot {

/// How a network-simplex solve ended (LEMON's ProblemType).
enum class EmdStatus {
  kOptimal,     ///< an optimal flow was found
  kInfeasible,  ///< the supplies could not be routed
  kUnbounded,   ///< a cycle of negative cost and unlimited capacity exists
};

/// "optimal", "infeasible" or "unbounded".
const char* to_string(EmdStatus status);

/// Does nothing for kOptimal; otherwise throws NumericalError naming `pair` (e.g.
/// "jets_a[3] and jets_b[7]") and suggesting what to check.
void check_status(EmdStatus status, const std::string& pair);

/// Options of the exact EMD. Defaults are EnergyFlow's: R = 1, β = 1, norm off; unlike
/// EnergyFlow, φ is periodic (Δφ wrapped into [−π, π)) unless `ground(GroundDistance().wrap_phi(false))`.
struct ExactEmdOptions {
  /// Ground cost (ΔR/R)^β of moving unit weight between two particles.
  OTAE_ARG(GroundDistance, ground, GroundDistance());
  /// Divide each jet's weights by their sum, so that both carry unit weight (EnergyFlow's
  /// norm=True). Off: weights are used as given and unequal totals cost |Σw_a − Σw_b| extra.
  OTAE_ARG(bool, norm, false);
  /// Also return the optimal flow between the particles.
  OTAE_ARG(bool, return_flow, false);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument (echoing the bad value) unless the ground distance is usable.
  void validate() const;
};

/// The result of one pair.
struct ExactEmdResult {
  /// EMD = min_f Σᵢⱼ fᵢⱼ (θᵢⱼ/R)^β + |Σw_a − Σw_b|, over flows f ≥ 0 with Σⱼ fᵢⱼ ≤ w_aᵢ,
  /// Σᵢ fᵢⱼ ≤ w_bⱼ and Σᵢⱼ fᵢⱼ = min(Σw_a, Σw_b). Units: weight × (ΔR/R)^β, i.e. GeV for pT
  /// weights; dimensionless with norm, where the extra term vanishes.
  double value = 0.0;
  /// [N_a, N_b] float64 when `return_flow`, else undefined: the optimal fᵢⱼ in the weights' units
  /// (fractions of each jet with norm), indexed by the input rows; padding rows and columns are
  /// 0. With unequal totals the heavier jet's unmatched weight w − Σ f is what the extra term
  /// pays for (EnergyFlow keeps it as an extra particle's row or column; here it is implicit).
  at::Tensor flow;
  EmdStatus status = EmdStatus::kOptimal;
};

/// A jet as the solver consumes it: its non-padding particles in float64, checked once. Build it
/// once per jet when the jet enters many pairs. φ is kept as given (the ground cost wraps Δφ).
struct ParticleCloud {
  std::vector<double> weight;   ///< [n] > 0: pT [GeV], or pT/HT
  std::vector<double> eta;      ///< [n] pseudorapidity
  std::vector<double> phi;      ///< [n] azimuth [rad]
  std::vector<int64_t> row;     ///< [n] row of each particle in the input
  int64_t input_rows = 0;       ///< rows of the input, padding included
  double total_weight = 0.0;    ///< Σ weight, summed in float64

  /// From weights [n] and positions [n, 2] (η, φ per row, row-major). Rows of weight 0 are
  /// padding and skipped. `name` labels the jet in error messages (e.g. "jets_a[17]").
  /// Throws InvalidArgument when positions.size() ≠ 2·weights.size(), a weight is negative or
  /// not finite, a non-padding position is not finite, or no weight is positive.
  static ParticleCloud from_arrays(at::ArrayRef<double> weights, at::ArrayRef<double> positions,
                                   const std::string& name = "jet");

  /// From one jet [M, 3] (pT [GeV], η, φ), float32 or float64 on any device; rows with pT = 0
  /// are padding. Throws InvalidArgument as `from_arrays`, and on another shape or dtype.
  static ParticleCloud from_jet(const at::Tensor& jet, const std::string& name = "jet");
};

/// A network-simplex EMD solver that keeps its LEMON graph and working arrays between solves:
/// a loop over pairs of the same multiplicities (n_a, n_b) builds the graph once. Flows and
/// costs are handed to LEMON as 64-bit integers (weights in units of 2⁻⁵⁰ of the heavier jet,
/// costs in units of 2⁻⁵¹ of the largest cost), so that every comparison the simplex makes is
/// exact and the solve terminates; the value is then summed from the flows and the float64
/// costs, which agrees with a float64 solver to ~1e-15 relative. Not thread-safe: one per thread.
class ExactEmdSolver {
 public:
  /// Throws InvalidArgument when `options` are not usable.
  explicit ExactEmdSolver(const ExactEmdOptions& options = {});
  ~ExactEmdSolver();
  /// A moved-from solver may only be assigned to or destroyed.
  ExactEmdSolver(ExactEmdSolver&&) noexcept;
  ExactEmdSolver& operator=(ExactEmdSolver&&) noexcept;

  /// The EMD between jets a and b. A bad solver status is returned in `status`, not thrown;
  /// pass it to `check_status`.
  ExactEmdResult solve(const ParticleCloud& a, const ParticleCloud& b);

  const ExactEmdOptions& options() const noexcept { return options_; }
  /// How many times a LEMON graph was built, i.e. how often the multiplicities changed.
  int64_t graph_builds() const noexcept;

 private:
  struct Workspace;
  ExactEmdOptions options_;
  std::unique_ptr<Workspace> workspace_;
};

/// Exact EMD between jets a and b given as weights [n_a] (pT [GeV] or pT/HT) and positions
/// [n_a, 2] (η, φ per row), and the same for b. Rows of weight 0 are padding.
/// Throws InvalidArgument on bad input (see ParticleCloud::from_arrays; the jets are named
/// "jet a" and "jet b"), NumericalError when the solver fails.
ExactEmdResult exact_emd(at::ArrayRef<double> weights_a, at::ArrayRef<double> positions_a,
                         at::ArrayRef<double> weights_b, at::ArrayRef<double> positions_b,
                         const ExactEmdOptions& options = {});

/// Exact EMD between two jets [M_a, 3] and [M_b, 3] (pT [GeV], η, φ), float32 or float64.
/// Throws as the array version.
ExactEmdResult exact_emd(const at::Tensor& jet_a, const at::Tensor& jet_b,
                         const ExactEmdOptions& options = {});

}  // namespace otae::ot
