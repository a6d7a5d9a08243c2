// Evaluation of a trained OTUS run on held-out events, as the paper reports it, with every figure
// beside two references computed the same way on the same events: the statistical floor (two
// disjoint halves of the data) and the identity (x̃′ = z for simulation, z̃ = x for unfolding).
//
// The test events are cut (seeded) into halves A and B. The model sees half A only and is
// compared with half B, so no comparison can profit from the z–x pairing:
//   unfolding    z_B vs z̃ = E(x_A)          floor z_B vs z_A    identity z_B vs x_A
//   reconstruct  x_B vs x̃ = D(E(x_A))       floor x_B vs x_A    identity x_B vs z_A
//   simulation   x_B vs x̃′ = D(z_A)         floor x_B vs x_A    identity x_B vs z_A
// Decoded events (and the identity's z) pass the run's acceptance S first. The pairing of the
// test events is used only for the transfer function (otus_transfer_function.hpp): for each object
// present on both sides, the response and angular shifts in quantile bins of z, true (the pairs)
// against learnt (D(z) for the same z); and for the unfolder per event: E[z̃|x] − z against the
// identity's x − z. Every figure gets a verdict against floor and identity (otus_verdicts.hpp),
// under "verdicts". When the detector objects include jets (tt̄: jet1…jet4), "jetnet" scores the
// simulation and the floor, each event a cloud of its jets, by JetNet's metrics
// (generative_metrics.hpp) against x_B; it has no verdict, since JetNet's metrics have no identity.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "otae/base/arg.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/train/otus_training.hpp"

namespace otae::analysis {

struct OtusEvaluationOptions {
  /// L of every sliced Wasserstein distance; all distances of one dimension share the directions.
  OTAE_ARG(int64_t, slices, 1000);
  /// Seeds the halves, the generators' noise and the SW directions.
  OTAE_ARG(uint64_t, seed, 0);
  /// Initial equal-width bins of the χ² test (merged to ≥ 5 counts) and of the stored histograms.
  OTAE_ARG(int64_t, histogram_bins, 50);
  /// Quantile bins of z for the transfer function.
  OTAE_ARG(int64_t, transfer_bins, 20);
  /// Windows of the parton mass M(z) [GeV] for the mass response (mass_response); empty: 10
  /// quantile windows.
  OTAE_ARG(std::vector<double>, mass_edges, {});
  /// Draws of the encoder per event whose mean estimates E[z̃|x] in the per-event unfolding figure.
  OTAE_ARG(int64_t, unfolding_draws, 8);
  /// Whether row i of z and of x are one event. When not (z and x from different samples, e.g.
  /// simulated partons against real data), the transfer function is skipped and "paired" is false.
  OTAE_ARG(bool, paired, true);
  OTAE_ARG_PUBLIC
};

/// What `evaluate_otus` returns: the metrics (the layout is documented in the JSON itself under
/// "layout") and the generated events of half A, for figures.
struct OtusEvaluation {
  nlohmann::json metrics;
  at::Tensor z_a, x_a, z_b, x_b;  ///< [N/2, 4k] float32 GeV: the halves
  at::Tensor unfolded;            ///< E(x_A) [N/2, 4k_z]
  at::Tensor reconstructed;       ///< D(E(x_A)) [N/2, 4k_x], before the acceptance
  at::Tensor simulated;           ///< D(z_A) [N/2, 4k_x], before the acceptance
};

/// The unfolder event by event (paired z and x of the same layout, `draws` ≥ 1 unfolded samples of
/// x, each [N, 4k] GeV): for every observable of the parton side (event_observables(z_objects)),
/// the mean and robust width (half the 16–84 % interval) of E[o(z̃)|x] − o(z), o(z̃) averaged over
/// the draws, beside the same of o(x) − o(z), the identity unfolder z̃ = x. Returns
/// [{name, units, model: {mean, width}, identity: {mean, width}, width_difference_error}]. A good
/// unfolder is narrower than the identity: it undoes part of the smearing instead of adding its
/// own. width_difference_error is the standard deviation of width(model) − width(identity) over
/// `bootstraps` resamples of the events (the same events for both, so their correlation counts;
/// seeded by `seed`): the statistical error with which the two widths are told apart. Throws
/// InvalidArgument on shapes, no draws or bootstraps < 2.
nlohmann::json per_event_unfolding(const at::Tensor& z, const at::Tensor& x, const std::vector<at::Tensor>& draws,
                                   const std::vector<std::string>& z_objects, int64_t bootstraps = 100,
                                   uint64_t seed = 0);

/// Evaluates `model` on rows `rows` (int64 [n], n ≥ 4) of `events`, whose objects are named
/// `z_objects` and `x_objects` (the data's `objects` attributes). Deterministic in
/// (model, rows, options). Throws InvalidArgument on bad rows, mismatched object names, or a
/// model whose object counts differ from the data's.
OtusEvaluation evaluate_otus(train::OtusModel& model, const data::EventPairs& events, const at::Tensor& rows,
                             const std::vector<std::string>& z_objects, const std::vector<std::string>& x_objects,
                             const OtusEvaluationOptions& options = {});

/// The "jetnet" entry of evaluate_otus's metrics (present when the detector objects include jets)
/// as a table: W1M, W1P mean, W1EFP mean, FPD and KPD with their errors, the simulation beside
/// the floor, "(too few events)" for a sample without enough accepted events.
std::string format_otus_jetnet(const nlohmann::json& jetnet);

}  // namespace otae::analysis
