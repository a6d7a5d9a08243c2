// The transfer function p(x|z) of a detector, true against learnt: for every object present on
// both sides and each of E, pT, η, φ, the distribution of x given z in quantile bins of z. Energies
// compare as the response x/z (dimensionless), angles as x − z (φ wrapped into [−π, π)). Each bin
// gives the mean, the robust width (half the 16–84 % interval) and the 2.5, 16, 50, 84, 97.5 %
// quantiles (the tails), for the truth pairs and for the learnt detector on the same z, with
// bootstrap errors. A bin agrees when
//   |w_learnt − w_true| ≤ 0.25·w_true + f   and   |m_learnt − m_true| ≤ 0.3·w_true + f,
// f = 10⁻⁴ (a resolution below any detector's; it keeps a perfect angle, w_true = 0, comparable).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "otae/base/arg.hpp"

namespace otae::analysis {

struct TransferFunctionOptions {
  /// Quantile bins of z per variable (≥ 1).
  OTAE_ARG(int64_t, bins, 20);
  /// Bootstrap resamples per bin for the errors of the mean and the width.
  OTAE_ARG(int64_t, resamples, 50);
  /// Seeds the bootstrap.
  OTAE_ARG(uint64_t, seed, 0);
  OTAE_ARG_PUBLIC
};

/// Relative tolerance of a learnt width, and of a learnt mean in units of the true width.
constexpr double kTransferWidthTolerance = 0.25;
constexpr double kTransferMeanTolerance = 0.3;
/// Absolute tolerance f added to both (dimensionless response; radians).
constexpr double kTransferResolutionFloor = 1e-4;

/// The transfer function of `learnt` against the truth: z [N, 4k_z], x [N, 4k_x] the paired events
/// (row i of both one event), learnt [N, 4k_x] the learnt detector applied to the same z, accepted
/// bool [N] the learnt rows that pass the acceptance (the only learnt rows used); objects matched
/// by name. Returns {"rule", "curves": [{object, variable, quantity, units, z_bin_edges,
/// z_bin_centres, true: {count, mean, mean_error, width, width_error, q025, q16, q50, q84, q975},
/// learnt: {…}, width_agrees, mean_agrees, agrees}], "summary": {bins, width_agrees, mean_agrees,
/// agrees, fraction_agrees, by_variable: {E: {…}, …}}}; null entries where a bin has < 2 events.
/// Deterministic in (inputs, options). Throws InvalidArgument on shapes or bins < 1.
nlohmann::json transfer_function(const at::Tensor& z, const at::Tensor& x, const at::Tensor& learnt,
                                 const at::Tensor& accepted, const std::vector<std::string>& z_objects,
                                 const std::vector<std::string>& x_objects, const TransferFunctionOptions& options = {});

/// One line per variable and a total: bins agreeing / bins (width, mean), for the terminal.
std::string format_transfer_summary(const nlohmann::json& transfer);

}  // namespace otae::analysis
