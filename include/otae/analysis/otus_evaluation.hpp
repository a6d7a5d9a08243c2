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
// OtusMetrics::verdicts. When the detector objects include jets (tt̄: jet1…jet4), jetnet scores the
// simulation and the floor, each event a cloud of its jets, by JetNet's metrics
// (generative_metrics.hpp) against x_B; it has no verdict, since JetNet's metrics have no identity.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "otae/analysis/generative_metrics.hpp"
#include "otae/analysis/otus_transfer_function.hpp"
#include "otae/analysis/otus_verdicts.hpp"
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

/// One sample of an observable against the reference sample, in the observable's units.
struct SampleComparison {
  double w1 = std::nan("");          ///< [units]
  double w2_squared = std::nan("");  ///< [units²]
  double ks = std::nan(""), ks_p_value = std::nan("");  ///< two-sided Kolmogorov–Smirnov
  double chi2_reduced = std::nan(""), chi2_p_value = std::nan("");
  int64_t chi2_dof = 0;  ///< 0: no χ² (fewer than 2 populated bins, e.g. a constant column)
};

/// One observable of one side: the reference (half B) against the other samples by name
/// (parton: unfolding, floor, identity; detector: reconstruction, simulation, floor, identity).
struct ObservableComparison {
  std::string name, units;
  /// nullopt: the sample has fewer than 2 events (or does not exist: the identity of tt̄).
  std::map<std::string, std::optional<SampleComparison>> comparisons;
  /// Counts in common equal-width bins over the reference's 0.5–99.5 % range.
  std::vector<double> histogram_edges;      ///< [bins + 1] in units
  std::vector<double> histogram_reference;  ///< [bins]
  std::map<std::string, std::vector<double>> histograms;  ///< [bins] per sample; empty: no events
};

/// SW²₂ of the model, the floor and the identity for one task; NaN where a sample is missing.
struct SlicedWassersteinFigures {
  double model = std::nan(""), floor = std::nan(""), identity = std::nan("");
};

/// SW²₂ of the three tasks in one unit.
struct SlicedWassersteinTasks {
  SlicedWassersteinFigures unfolding, reconstruction, simulation;
};

/// Mean and robust width (half the 16–84 % interval) of a per-event difference, in its units.
struct MeanAndWidth {
  double mean = std::nan(""), width = std::nan("");
};

/// One parton observable of per_event_unfolding.
struct PerEventUnfolding {
  std::string name, units;
  MeanAndWidth model;     ///< of E[o(z̃)|x] − o(z)
  MeanAndWidth identity;  ///< of o(x) − o(z)
  double width_difference_error = std::nan("");  ///< σ of width(model) − width(identity)
};

/// JetNet's metrics of the simulation and of the floor against x_B, each event a cloud of its jets.
struct OtusJetNet {
  std::vector<std::string> objects;  ///< the jets' names
  int64_t events = 0;                ///< in x_B
  std::optional<GenerativeMetrics> simulation, floor;  ///< nullopt: fewer than 2 accepted events
};

/// Everything evaluate_otus measures; to_json writes it as metrics.json.
struct OtusMetrics {
  int64_t test_events = 0, half_events = 0;
  OtusEvaluationOptions options;
  /// Fractions of half A accepted: the simulation, the reconstruction and the identity (NaN: none).
  double simulation_acceptance = std::nan(""), reconstruction_acceptance = std::nan("");
  double identity_acceptance = std::nan("");
  SlicedWassersteinTasks sliced_wasserstein_gev2;          ///< [GeV²]
  SlicedWassersteinTasks sliced_wasserstein_standardised;  ///< each column over its training σ
  std::vector<ObservableComparison> parton_observables, detector_observables;
  std::optional<OtusJetNet> jetnet;  ///< nullopt without jets or with < 4 events in B
  /// nullopt when z and x are not paired (options.paired()).
  std::optional<TransferFunction> transfer_function;
  std::optional<MassResponse> mass_response;
  /// Empty where not measured: unpaired, no identity (different objects) or no draws.
  std::vector<PerEventUnfolding> unfolding_per_event;
  OtusVerdicts verdicts;
};

/// metrics.json's evaluation part; the layout is documented in the JSON itself under "layout".
/// Missing numbers (NaN) are null.
nlohmann::json to_json(const OtusMetrics& metrics);

/// What `evaluate_otus` returns: the metrics and the generated events of half A, for figures.
struct OtusEvaluation {
  OtusMetrics metrics;
  at::Tensor z_a, x_a, z_b, x_b;  ///< [N/2, 4k] float32 GeV: the halves
  at::Tensor unfolded;            ///< E(x_A) [N/2, 4k_z]
  at::Tensor reconstructed;       ///< D(E(x_A)) [N/2, 4k_x], before the acceptance
  at::Tensor simulated;           ///< D(z_A) [N/2, 4k_x], before the acceptance
};

/// The unfolder event by event (paired z and x of the same layout, `draws` ≥ 1 unfolded samples of
/// x, each [N, 4k] GeV): for every observable of the parton side (event_observables(z_objects)),
/// the mean and robust width (half the 16–84 % interval) of E[o(z̃)|x] − o(z), o(z̃) averaged over
/// the draws, beside the same of o(x) − o(z), the identity unfolder z̃ = x, one entry per
/// observable. A good unfolder is narrower than the identity: it undoes part of the smearing
/// instead of adding its own. width_difference_error is the standard deviation of width(model) −
/// width(identity) over `bootstraps` resamples of the events (the same events for both, so their
/// correlation counts; seeded by `seed`): the statistical error with which the two widths are told
/// apart. Throws InvalidArgument on shapes, no draws or bootstraps < 2.
std::vector<PerEventUnfolding> per_event_unfolding(const at::Tensor& z, const at::Tensor& x,
                                                   const std::vector<at::Tensor>& draws,
                                                   const std::vector<std::string>& z_objects, int64_t bootstraps = 100,
                                                   uint64_t seed = 0);

/// Evaluates `model` on rows `rows` (int64 [n], n ≥ 4) of `events`, whose objects are named
/// `z_objects` and `x_objects` (the data's `objects` attributes). Deterministic in
/// (model, rows, options). Throws InvalidArgument on bad rows, mismatched object names, or a
/// model whose object counts differ from the data's.
OtusEvaluation evaluate_otus(train::OtusModel& model, const data::EventPairs& events, const at::Tensor& rows,
                             const std::vector<std::string>& z_objects, const std::vector<std::string>& x_objects,
                             const OtusEvaluationOptions& options = {});

/// JetNet's metrics of an evaluation as a table: W1M, W1P mean, W1EFP mean, FPD and KPD with their
/// errors, the simulation beside the floor, "(too few events)" for a sample without enough
/// accepted events.
std::string format_otus_jetnet(const OtusJetNet& jetnet);

}  // namespace otae::analysis
