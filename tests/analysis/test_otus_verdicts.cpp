// Verdicts on OTUS figures of merit: the ranked rule on hand-picked numbers, and the rows and the
// loud list of an evaluation's metrics.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "otae/analysis/otus_evaluation.hpp"
#include "otae/analysis/otus_verdicts.hpp"

namespace {

namespace analysis = otae::analysis;

TEST(OtusVerdicts, RankedRule) {
  const double none = std::nan("");
  EXPECT_EQ(analysis::otus_verdict(2.5, 1.0, 2.2), "worse than identity");
  EXPECT_EQ(analysis::otus_verdict(0.5, 1.0, 0.4), "within 2x floor");  // all three at the floor: a tie
  EXPECT_EQ(analysis::otus_verdict(1.4, 1.0, 0.95), "within 2x floor");  // within half a floor of the identity
  // the identity at the floor and the model 0.7 floors above it: a distortion of the model's own
  EXPECT_EQ(analysis::otus_verdict(1.7, 1.0, 1.0), "worse than identity");
  EXPECT_EQ(analysis::otus_verdict(1.9, 1.0, 3.0), "within 2x floor");
  EXPECT_EQ(analysis::otus_verdict(2.1, 1.0, 3.0), "better than identity");
  EXPECT_EQ(analysis::otus_verdict(3.0, 1.0, 3.0), "better than identity");  // a tie is not worse
  EXPECT_EQ(analysis::otus_verdict(2.1, 1.0, none), "above 2x floor");
  EXPECT_EQ(analysis::otus_verdict(1.5, 1.0, none), "within 2x floor");
  EXPECT_EQ(analysis::otus_verdict(none, 1.0, 3.0), "no value");
  // with a statistical error of model − identity (the unfolder per event): within 2σ is a tie
  EXPECT_EQ(analysis::otus_verdict(0.61, none, 0.6, 0.01), "equal to identity");
  EXPECT_EQ(analysis::otus_verdict(0.63, none, 0.6, 0.01), "worse than identity");
  EXPECT_EQ(analysis::otus_verdict(0.55, none, 0.6, 0.01), "better than identity");
}

TEST(OtusVerdicts, MetricsRowsAndTheLoudList) {
  const analysis::SlicedWassersteinFigures sw{2.0, 1.0, 3.0};
  analysis::OtusMetrics metrics;
  for (analysis::SlicedWassersteinTasks* tasks : {&metrics.sliced_wasserstein_gev2, &metrics.sliced_wasserstein_standardised})
    *tasks = {sw, sw, sw};
  metrics.sliced_wasserstein_gev2.unfolding.model = 8.3;  // the unfolder
  auto ks = [](double value) {
    analysis::SampleComparison c;
    c.ks = value;
    return c;
  };
  auto observable = [&](const char* name, double model_ks, const char* what) {
    analysis::ObservableComparison o;
    o.name = name;
    o.comparisons = {{what, ks(model_ks)}, {"floor", ks(0.01)}, {"identity", ks(0.07)}};
    return o;
  };
  metrics.detector_observables = {observable("M_ee", 0.3, "simulation")};
  metrics.detector_observables[0].comparisons["reconstruction"] = ks(0.015);
  metrics.parton_observables = {observable("M_ee", 0.05, "unfolding")};
  const analysis::OtusVerdicts v = analysis::otus_verdicts(metrics);
  ASSERT_EQ(v.rows.size(), 6u + 3u);
  EXPECT_EQ(v.worse_than_identity, (std::vector<std::string>{"SW unfolding [GeV^2]", "KS M_ee simulation"}));
  EXPECT_EQ(v.counts.at("within 2x floor"), 5 + 1);
  EXPECT_EQ(v.counts.at("better than identity"), 1);
  // the unfolder per event: no floor, so only the identity's width decides
  auto per_event = [](const char* name, double model_width, double identity_width) {
    analysis::PerEventUnfolding o;
    o.name = name;
    o.model.width = model_width;
    o.identity.width = identity_width;
    return o;
  };
  metrics.unfolding_per_event = {per_event("e-_E", 0.9, 0.6), per_event("M_ee", 0.4, 0.6)};
  const analysis::OtusVerdicts with_per_event = analysis::otus_verdicts(metrics);
  ASSERT_EQ(with_per_event.rows.size(), 6u + 3u + 2u);
  EXPECT_EQ(with_per_event.rows[9].figure, "per-event width e-_E unfolding");
  EXPECT_TRUE(std::isnan(with_per_event.rows[9].floor));
  EXPECT_TRUE(analysis::to_json(with_per_event)["rows"][9]["floor"].is_null());
  EXPECT_EQ(with_per_event.rows[9].verdict, "worse than identity");
  EXPECT_EQ(with_per_event.rows[10].verdict, "better than identity");
  // quarks and their jets: the shipped tt̄ decoder's b (a jet on it in 0.45 of events against
  // 0.80; the identity's quarks are their own jets) is worse than no simulation at all
  metrics.transfer_function = analysis::TransferFunction();
  metrics.transfer_function->jet_matching = {{"b", 0.80, 0.45, 1.0, 0.004}, {"u", 0.80, 0.805, 1.0, 0.004}};
  const analysis::OtusVerdicts with_jets = analysis::otus_verdicts(metrics);
  ASSERT_EQ(with_jets.rows.size(), 6u + 3u + 2u + 2u);
  EXPECT_EQ(with_jets.rows[11].figure, "jet-on-quark gap b simulation");
  EXPECT_NEAR(with_jets.rows[11].model, 0.35, 1e-12);
  EXPECT_NEAR(with_jets.rows[11].identity, 0.20, 1e-12);
  EXPECT_EQ(with_jets.rows[11].verdict, "worse than identity");
  EXPECT_EQ(with_jets.rows[12].verdict, "within 2x floor");
  const std::string table = analysis::format_otus_verdicts(v);
  EXPECT_NE(table.find("lower is better"), std::string::npos);
  EXPECT_NE(table.find("worse than identity"), std::string::npos);
}

}  // namespace
