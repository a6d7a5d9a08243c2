// The transfer function p(x|z) of a detector, true against learnt: for every object present on
// both sides and each of E, pT, η, φ, the distribution of x given z in quantile bins of z, and the
// energy response once more in quantile bins of |η_z| ("E_by_abs_eta"). Energies
// compare as the response x/z (dimensionless), angles as x − z (φ wrapped into [−π, π)). Each bin
// gives the mean, the robust width (half the 16–84 % interval) and the 2.5, 16, 50, 84, 97.5 %
// quantiles (the tails), for the truth pairs and for the learnt detector on the same z, with
// bootstrap errors. A bin agrees when
//   |w_learnt − w_true| ≤ 0.25·w_true + f + 2σ_w   and   |m_learnt − m_true| ≤ 0.3·w_true + f + 2σ_m,
// f = 10⁻⁴ (a resolution below any detector's; it keeps a perfect angle, w_true = 0, comparable)
// and σ the bootstrap error of the difference: a difference within its statistical error is no
// evidence against the model. That matters for angles: a detector that keeps directions has
// w_true ~ 10⁻⁷ rad, and the few per cent of electrons whose direction radiation changes by up to
// 0.1 rad make the true mean of a bin ±10⁻³ at random.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
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
/// A quark's jet is the jet nearest to it when that lies within this ΔR: tt̄'s jets are anti-kt
/// R = 0.5, and a quark's shower keeps the jet's axis within ~0.1 of the quark in most events.
constexpr double kJetMatchRadius = 0.4;

/// One bin of values (a response x/z, a shift x − z or ΔM): the mean, the robust width (half the
/// 16–84 % interval) and the 2.5, 16, 50, 84, 97.5 % quantiles, in the values' units, with
/// bootstrap errors; NaN where the bin has < 2 values (or a statistic is not finite).
struct BinSummary {
  int64_t count = 0;
  double mean = std::nan(""), mean_error = std::nan("");
  double width = std::nan(""), width_error = std::nan("");
  double q025 = std::nan(""), q16 = std::nan(""), q50 = std::nan(""), q84 = std::nan(""), q975 = std::nan("");
  double q50_error = std::nan("");
};

/// One variable of one object in quantile bins of z: the truth pairs against the learnt detector.
struct TransferCurve {
  std::string object;     ///< the parton's name, "<quark>_jet" for a quark's nearest jet
  std::string variable;   ///< E, pT, eta, phi, E_by_abs_eta
  std::string binned_by;  ///< the variable of z that is binned: E, pT, eta, phi, abs_eta
  std::string quantity;   ///< "x/z" or "x - z"
  std::string units;      ///< of the quantity: "" (a response) or "rad"
  std::vector<double> z_bin_edges, z_bin_centres;  ///< [bins + 1], [bins] in units of binned_by
  std::vector<BinSummary> truth, learnt;           ///< [bins] each
  std::vector<bool> width_agrees, mean_agrees, agrees;  ///< [bins] each
};

/// Bins agreeing of a set of curves.
struct TransferTally {
  int64_t bins = 0, width_agrees = 0, mean_agrees = 0, agrees = 0;
  double fraction_agrees = 0;  ///< agrees / bins; 0 without bins
};

/// The fraction of events with a jet within kJetMatchRadius of a quark.
struct JetMatching {
  std::string object;  ///< the quark
  double true_fraction = std::nan(""), learnt_fraction = std::nan("");
  double identity_fraction = std::nan("");  ///< NaN unless both sides have as many objects
  double floor = std::nan("");  ///< |true fraction of the first half − of the second half|
};

/// What transfer_function returns.
struct TransferFunction {
  std::string rule;  ///< the agreement rule in words, with the numbers used
  std::vector<TransferCurve> curves;
  TransferTally summary;                             ///< over every curve
  std::map<std::string, TransferTally> by_variable;  ///< over the curves of each variable
  std::vector<JetMatching> jet_matching;             ///< one per quark matched to jets; may be empty
};

/// The transfer function of `learnt` against the truth: z [N, 4k_z], x [N, 4k_x] the paired events
/// (row i of both one event), learnt [N, 4k_x] the learnt detector applied to the same z, accepted
/// bool [N] the learnt rows that pass the acceptance (the only learnt rows used); objects matched
/// by name, and a quark of z without a namesake (tt̄'s b, b_bar, u, d_bar) to the nearest of x's
/// jets (objects named jet…) within kJetMatchRadius, as object "<quark>_jet", with its
/// jet_matching entry: the fraction of events in which such a jet exists (of the accepted ones for
/// the learnt; identity: z read in x's columns), floor the difference of the true fraction between
/// the first and the second half of the events. A detector simulation that keeps every marginal
/// but scrambles which jet comes from which quark shows here (and in otus_verdicts).
/// Deterministic in (inputs, options). Throws InvalidArgument on shapes or bins < 1.
TransferFunction transfer_function(const at::Tensor& z, const at::Tensor& x, const at::Tensor& learnt,
                                   const at::Tensor& accepted, const std::vector<std::string>& z_objects,
                                   const std::vector<std::string>& x_objects, const TransferFunctionOptions& options = {});

/// As metrics.json stores it: {"rule", "curves": [{object, variable, binned_by, quantity, units,
/// z_bin_edges, z_bin_centres, true: {count, mean, mean_error, width, width_error, q025, q16, q50,
/// q84, q975, q50_error}, learnt: {…}, width_agrees, mean_agrees, agrees}], "summary": {bins,
/// width_agrees, mean_agrees, agrees, fraction_agrees, by_variable: {E: {…}, …}}, "jet_matching"
/// (only when not empty)}; NaN as null.
nlohmann::json to_json(const TransferFunction& transfer);

/// One line per variable and a total: bins agreeing / bins (width, mean), for the terminal.
std::string format_transfer_summary(const TransferFunction& transfer);

/// How the detector responds to a resonance, true against learnt: in windows of the parton-level
/// invariant mass M(z) of all objects, the peak (median) and width (half the 16–84 % interval) of
/// ΔM = M(x) − M(z) [GeV]. A narrow resonance at m is reconstructed at m + peak with that width,
/// so windows outside the masses a model was trained on test it on resonances it never saw.
struct MassResponseOptions {
  /// Window edges of M(z) [GeV], increasing; empty: `bins` quantile windows of the events' M(z).
  OTAE_ARG(std::vector<double>, edges, {});
  OTAE_ARG(int64_t, bins, 10);
  OTAE_ARG(int64_t, resamples, 50);
  OTAE_ARG(uint64_t, seed, 0);
  /// [lo, hi) GeV of M(z) the model was trained on (data.parton_mass_window); empty: every mass.
  OTAE_ARG(std::vector<double>, training_window, {});
  OTAE_ARG_PUBLIC
};

/// A window agrees when |peak_learnt − peak_true| ≤ 0.5 GeV + 2σ and |w_learnt − w_true| ≤
/// 0.2·w_true + 2σ, σ the bootstrap error of each difference.
constexpr double kMassPeakToleranceGeV = 0.5;
constexpr double kMassWidthTolerance = 0.2;

/// One window of the parton mass M(z) with ΔM = M(x) − M(z) [GeV], true and learnt.
struct MassWindow {
  double mass_low = 0, mass_high = 0;  ///< [GeV]
  bool trained = false;                ///< inside the training window
  BinSummary truth, learnt;            ///< of ΔM [GeV]
  bool peak_agrees = false, width_agrees = false, agrees = false;
};

/// What mass_response returns.
struct MassResponse {
  std::string rule;                      ///< the agreement rule in words, with the numbers used
  std::vector<double> training_window;   ///< [lo, hi) GeV; empty: every mass
  std::vector<MassWindow> windows;
  int64_t agrees = 0, untrained_windows = 0, untrained_agrees = 0;
};

/// The mass response of `learnt` (the learnt detector on the same z, only its `accepted` rows
/// counted) against the truth pairs z [N, 4k_z], x [N, 4k_x]. A window's `trained` says whether it
/// lies inside the training window. Windows with < 2 events on a side do not agree.
/// Deterministic in (inputs, options). Throws InvalidArgument on shapes, edges that do not
/// increase or fewer than 2 of them, bins < 1 or resamples < 2.
MassResponse mass_response(const at::Tensor& z, const at::Tensor& x, const at::Tensor& learnt,
                           const at::Tensor& accepted, const MassResponseOptions& options = {});

/// As metrics.json stores it: {"rule", "quantity", "units", "training_window" (null when empty),
/// "windows": [{mass_low, mass_high, trained, true: {…}, learnt: {…}, peak_agrees, width_agrees,
/// agrees}], "summary": {windows, agrees, untrained_windows, untrained_agrees}}; NaN as null.
nlohmann::json to_json(const MassResponse& response);

/// One line per window (M(z) range, peak and width true / learnt, agreement) and a total.
std::string format_mass_response(const MassResponse& response);

}  // namespace otae::analysis
