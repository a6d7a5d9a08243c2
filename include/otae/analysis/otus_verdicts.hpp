// One word per figure of merit of an OTUS evaluation, so that a model worse than doing nothing
// cannot pass unnoticed. Every figure (SW₂², KS) is a distance: lower is better. The verdict is
// the first of these that holds, a ranked set from best to worst:
//   "within 2x floor"       model ≤ 2·floor and model ≤ identity + floor/2: as close as two
//                           halves of the data, up to noise
//   "better than identity"  model ≤ identity
//   "equal to identity"     model − identity ≤ 2·error, where the figure has a statistical error
//                           of that difference (the unfolder per event, which has no floor)
//   "worse than identity"   model > identity (beyond 2·floor or by more than floor/2): flagged on
//                           stderr and in metrics
//   "above 2x floor"        no identity exists (tt̄: different objects) and model > 2·floor
//   "no value"              the model's number is missing (no accepted events)
// A model within 2x floor is not called worse than an identity that is also at the floor unless
// it lies more than half a floor above it: on the Z→ee momentum components KS model, floor and
// identity all lie within their noise, and a warning raised by noise would teach users to ignore
// the warning; but where the detector's smearing is invisible to a figure (SW of Z→ee: the
// identity at the floor), a model at 1.7 floors has added a distortion of its own.
// The floor is the same distance between two halves of the data, the identity that of the other
// side taken as is (x̃′ = z, z̃ = x); see otus_evaluation.hpp.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace otae::analysis {

/// The verdict on one figure; NaN marks a missing number, and a NaN `difference_error` (the
/// statistical error of model − identity) that the figure has none.
std::string otus_verdict(double model, double floor, double identity, double difference_error = std::nan(""));

/// One figure of merit with its verdict; NaN marks a missing (or not finite) number.
struct OtusVerdictRow {
  std::string figure;  ///< e.g. "SW simulation [sigma^2]", "KS M_ee unfolding"
  double model = std::nan(""), floor = std::nan(""), identity = std::nan("");
  std::string verdict;
};

/// The verdicts of an evaluation, in the order of the rows.
struct OtusVerdicts {
  std::vector<OtusVerdictRow> rows;
  std::map<std::string, int64_t> counts;         ///< rows per verdict
  std::vector<std::string> worse_than_identity;  ///< figures whose verdict is "worse than identity"
};

struct OtusMetrics;  // otus_evaluation.hpp

/// The verdicts of an evaluation's metrics: SW₂² in GeV² and standardised for unfolding,
/// reconstruction and simulation, the KS of every observable for simulation, reconstruction and
/// unfolding, and where the evaluation has it (unfolding_per_event) the per-event width of
/// E[z̃|x] − z of every parton observable against the identity's (no floor), and where the
/// transfer function matched quarks to jets, per quark the gap |learnt − true| of the fraction of
/// events with a jet on it (floor and identity from its jet_matching).
OtusVerdicts otus_verdicts(const OtusMetrics& metrics);

/// As metrics.json stores it: {"rule", "rows": [{figure, model, floor, identity, verdict}],
/// "counts": {verdict: n}, "worse_than_identity": [figure names]}; NaN as null.
nlohmann::json to_json(const OtusVerdicts& verdicts);

/// The verdict table for the terminal: a header that says lower is better, one line per row.
std::string format_otus_verdicts(const OtusVerdicts& verdicts);

}  // namespace otae::analysis
