// Verdicts on the figures of an OTUS evaluation; see otus_verdicts.hpp.
#include "otae/analysis/otus_verdicts.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "otae/analysis/otus_evaluation.hpp"
#include "json_numbers.hpp"

namespace otae::analysis {

namespace {

constexpr double kFloorMultiple = 2.0;
constexpr double kErrorMultiple = 2.0;  // a difference within 2σ is not called worse
constexpr double kIdentityMargin = 0.5;  // in floors: how far above the identity noise cannot reach

}  // namespace

std::string otus_verdict(double model, double floor, double identity, double difference_error) {
  if (!std::isfinite(model)) return "no value";
  const bool identity_measurably_nearer = std::isfinite(floor) && std::isfinite(identity) &&
                                          model - identity > kIdentityMargin * floor;
  if (std::isfinite(floor) && model <= kFloorMultiple * floor && !identity_measurably_nearer)
    return "within 2x floor";
  if (!std::isfinite(identity)) return "above 2x floor";
  if (model <= identity) return "better than identity";
  if (std::isfinite(difference_error) && model - identity <= kErrorMultiple * difference_error) return "equal to identity";
  return "worse than identity";
}

OtusVerdicts otus_verdicts(const OtusMetrics& metrics) {
  OtusVerdicts out;
  auto add = [&](const std::string& figure, double model, double floor, double identity,
                 double difference_error = std::nan("")) {
    const std::string verdict = otus_verdict(model, floor, identity, difference_error);
    out.rows.push_back({figure, finite_or_nan(model), finite_or_nan(floor), finite_or_nan(identity), verdict});
    ++out.counts[verdict];
    if (verdict == "worse than identity") out.worse_than_identity.push_back(figure);
  };
  for (const auto& [tasks, label] : {std::pair{&metrics.sliced_wasserstein_standardised, "sigma^2"},
                                     std::pair{&metrics.sliced_wasserstein_gev2, "GeV^2"}})
    for (const auto& [what, s] : {std::pair{"simulation", tasks->simulation}, std::pair{"unfolding", tasks->unfolding},
                                  std::pair{"reconstruction", tasks->reconstruction}})
      add(std::string("SW ") + what + " [" + label + "]", s.model, s.floor, s.identity);
  for (const auto& [side, what] : {std::pair{&metrics.detector_observables, "simulation"},
                                   std::pair{&metrics.parton_observables, "unfolding"},
                                   std::pair{&metrics.detector_observables, "reconstruction"}}) {
    for (const ObservableComparison& observable : *side) {
      auto ks = [&](const char* key) {
        const auto c = observable.comparisons.find(key);
        return c != observable.comparisons.end() && c->second ? c->second->ks : std::nan("");
      };
      add("KS " + observable.name + " " + what, ks(what), ks("floor"), ks("identity"));
    }
  }
  // the unfolder event by event: the width of E[z̃|x] − z against the identity's x − z (no floor)
  for (const PerEventUnfolding& o : metrics.unfolding_per_event)
    add("per-event width " + o.name + " unfolding", o.model.width, std::nan(""), o.identity.width,
        o.width_difference_error);
  // which jet comes from which quark: the gap between the learnt and the true fraction of events
  // with a jet on the quark (the identity simulator's quarks are their own jets)
  if (metrics.transfer_function)
    for (const JetMatching& m : metrics.transfer_function->jet_matching)
      add("jet-on-quark gap " + m.object + " simulation", std::abs(m.learnt_fraction - m.true_fraction), m.floor,
          std::abs(m.identity_fraction - m.true_fraction));
  return out;
}

nlohmann::json to_json(const OtusVerdicts& verdicts) {
  nlohmann::json rows = nlohmann::json::array();
  for (const OtusVerdictRow& row : verdicts.rows)
    rows.push_back({{"figure", row.figure}, {"model", number_or_null(row.model)}, {"floor", number_or_null(row.floor)},
                    {"identity", number_or_null(row.identity)}, {"verdict", row.verdict}});
  return {{"rule", "lower is better; the first that holds, best to worst: 'within 2x floor' (model <= 2 floor and "
                   "model <= identity + floor / 2), "
                   "'better than identity' (model <= identity), 'equal to identity' (model - identity <= 2 sigma of "
                   "that difference, where the figure has one: the unfolder per event), 'worse than identity' (model > "
                   "identity), 'above 2x floor' (no identity, model > 2 floor), 'no value'"},
          {"rows", rows},
          {"counts", verdicts.counts},
          {"worse_than_identity", verdicts.worse_than_identity}};
}

std::string format_otus_verdicts(const OtusVerdicts& verdicts) {
  std::ostringstream out;
  char line[200];
  std::snprintf(line, sizeof line, "%-34s %11s %11s %11s  %s\n", "figure (lower is better)", "model", "floor",
                "identity", "verdict");
  out << line;
  for (const OtusVerdictRow& row : verdicts.rows) {
    std::snprintf(line, sizeof line, "%-34s %11.4g %11.4g %11.4g  %s\n", row.figure.c_str(), row.model, row.floor,
                  row.identity, row.verdict.c_str());
    out << line;
  }
  return out.str();
}

}  // namespace otae::analysis
