// Verdicts on the figures of an OTUS evaluation; see otus_verdicts.hpp.
#include "otae/analysis/otus_verdicts.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace otae::analysis {

namespace {

constexpr double kFloorMultiple = 2.0;
constexpr double kErrorMultiple = 2.0;  // a difference within 2σ is not called worse
constexpr double kIdentityMargin = 0.5;  // in floors: how far above the identity noise cannot reach

double number(const nlohmann::json& v) { return v.is_number() ? v.get<double>() : std::nan(""); }
nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

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

nlohmann::json otus_verdicts(const nlohmann::json& metrics) {
  nlohmann::json rows = nlohmann::json::array(), counts = nlohmann::json::object(),
                 worse = nlohmann::json::array();
  auto add = [&](const std::string& figure, double model, double floor, double identity,
                 double difference_error = std::nan("")) {
    const std::string verdict = otus_verdict(model, floor, identity, difference_error);
    rows.push_back({{"figure", figure}, {"model", number_or_null(model)}, {"floor", number_or_null(floor)},
                    {"identity", number_or_null(identity)}, {"verdict", verdict}});
    counts[verdict] = counts.value(verdict, 0) + 1;
    if (verdict == "worse than identity") worse.push_back(figure);
  };
  for (const auto& [unit, label] : {std::pair{"standardised", "sigma^2"}, std::pair{"gev2", "GeV^2"}})
    for (const char* what : {"simulation", "unfolding", "reconstruction"}) {
      const auto& s = metrics["sliced_wasserstein"][unit][what];
      add(std::string("SW ") + what + " [" + label + "]", number(s["model"]), number(s["floor"]), number(s["identity"]));
    }
  for (const auto& [side, what] : {std::pair{"detector", "simulation"}, std::pair{"parton", "unfolding"},
                                   std::pair{"detector", "reconstruction"}}) {
    for (const auto& observable : metrics["observables"][side]) {
      const auto& c = observable["comparisons"];
      auto ks = [&](const char* key) { return c.contains(key) && c[key].is_object() ? number(c[key]["ks"]) : std::nan(""); };
      add(std::string("KS ") + observable["name"].get<std::string>() + " " + what, ks(what), ks("floor"), ks("identity"));
    }
  }
  // the unfolder event by event: the width of E[z̃|x] − z against the identity's x − z (no floor)
  if (metrics.contains("unfolding_per_event") && metrics["unfolding_per_event"].is_array())
    for (const auto& o : metrics["unfolding_per_event"])
      add("per-event width " + o["name"].get<std::string>() + " unfolding", number(o["model"]["width"]), std::nan(""),
          number(o["identity"]["width"]), number(o.value("width_difference_error", nlohmann::json())));
  // which jet comes from which quark: the gap between the learnt and the true fraction of events
  // with a jet on the quark (the identity simulator's quarks are their own jets)
  if (metrics.contains("transfer_function") && metrics["transfer_function"].is_object() &&
      metrics["transfer_function"].contains("jet_matching"))
    for (const auto& m : metrics["transfer_function"]["jet_matching"]) {
      const double truth = number(m["true_fraction"]);
      add("jet-on-quark gap " + m["object"].get<std::string>() + " simulation",
          std::abs(number(m["learnt_fraction"]) - truth), number(m["floor"]),
          std::abs(number(m.value("identity_fraction", nlohmann::json())) - truth));
    }
  return {{"rule", "lower is better; the first that holds, best to worst: 'within 2x floor' (model <= 2 floor and "
                   "model <= identity + floor / 2), "
                   "'better than identity' (model <= identity), 'equal to identity' (model - identity <= 2 sigma of "
                   "that difference, where the figure has one: the unfolder per event), 'worse than identity' (model > "
                   "identity), 'above 2x floor' (no identity, model > 2 floor), 'no value'"},
          {"rows", rows},
          {"counts", counts},
          {"worse_than_identity", worse}};
}

std::string format_otus_verdicts(const nlohmann::json& verdicts) {
  std::ostringstream out;
  char line[200];
  std::snprintf(line, sizeof line, "%-34s %11s %11s %11s  %s\n", "figure (lower is better)", "model", "floor",
                "identity", "verdict");
  out << line;
  for (const auto& row : verdicts["rows"]) {
    std::snprintf(line, sizeof line, "%-34s %11.4g %11.4g %11.4g  %s\n", row["figure"].get<std::string>().c_str(),
                  number(row["model"]), number(row["floor"]), number(row["identity"]),
                  row["verdict"].get<std::string>().c_str());
    out << line;
  }
  return out.str();
}

}  // namespace otae::analysis
