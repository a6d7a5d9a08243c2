// The classification read-out: ROC AUC against SciPy's Mann–Whitney U (fixture made by
// tests/fixtures/make_latent_fixtures.py), hand-counted AUCs and cuts, and the errors.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "otae/analysis/classification.hpp"
#include "otae/base/error.hpp"

namespace otae::analysis {
namespace {

const nlohmann::json& fixtures() {
  static const nlohmann::json data = [] {
    const std::string path = std::string(OTAE_SOURCE_DIR) + "/tests/fixtures/latents_scipy.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path + "; run tests/fixtures/make_latent_fixtures.py");
    return nlohmann::json::parse(in);
  }();
  return data;
}

at::Tensor doubles(const std::vector<double>& values) { return at::tensor(values, at::kDouble); }

TEST(RocAuc, IsTheMannWhitneyStatisticOfScipy) {
  for (const auto& c : fixtures()["mann_whitney_auc"]) {
    const at::Tensor scores = doubles(c["scores"].get<std::vector<double>>());
    const at::Tensor labels = at::tensor(c["labels"].get<std::vector<int64_t>>(), at::kLong);
    EXPECT_NEAR(roc_auc(scores, labels), c["auc"].get<double>(), 1e-12) << c["name"];
    // Reversing the scores reverses the orientation.
    EXPECT_NEAR(roc_auc(-scores, labels), 1.0 - c["auc"].get<double>(), 1e-12) << c["name"];
  }
}

TEST(RocAuc, CountsPairsByHand) {
  // Ones at 0.8, 0.4; zeros at 0.5, 0.4, 0.1: pairs (one > zero) 0.8 beats 3, 0.4 beats 1 and
  // ties 1 → (3 + 1 + ½)/6.
  EXPECT_DOUBLE_EQ(roc_auc(doubles({0.8, 0.5, 0.4, 0.4, 0.1}), at::tensor({1, 0, 1, 0, 0})), 4.5 / 6.0);
  EXPECT_DOUBLE_EQ(roc_auc(doubles({1, 2, 3, 4}), at::tensor({0, 0, 1, 1})), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc(doubles({5, 5, 5}), at::tensor({0, 1, 1})), 0.5);
}

TEST(BestCut, FindsTheSeparatingCutInEitherOrientation) {
  const ScoreCut cut = best_cut(doubles({0.1, 0.2, 0.3, 0.7, 0.9, 0.35}), at::tensor({0, 0, 0, 1, 1, 1}));
  EXPECT_DOUBLE_EQ(cut.accuracy, 1.0);
  EXPECT_EQ(cut.label_above, 1);
  EXPECT_DOUBLE_EQ(cut.threshold, 0.325);
  const ScoreCut flipped = best_cut(doubles({0.9, 0.8, 0.1, 0.2}), at::tensor({0, 0, 1, 1}));
  EXPECT_DOUBLE_EQ(flipped.accuracy, 1.0);
  EXPECT_EQ(flipped.label_above, 0);
  // Five of six right at best: the 0.6 zero sits among the ones.
  EXPECT_NEAR(best_cut(doubles({0.1, 0.6, 0.2, 0.5, 0.7, 0.8}), at::tensor({0, 0, 0, 1, 1, 1})).accuracy, 5.0 / 6.0,
              1e-15);
}

TEST(ScoreSeparation, CutsAtTheGivenThreshold) {
  const ScoreSeparation s = score_separation(doubles({0.9, 0.6, 0.4, 0.2}), at::tensor({1, 0, 1, 0}));
  EXPECT_DOUBLE_EQ(s.fixed_cut.accuracy, 0.5);
  EXPECT_DOUBLE_EQ(s.auc, 0.75);
  EXPECT_EQ(s.rows, 4);
  EXPECT_EQ(s.label_one_rows, 2);
  EXPECT_EQ(to_json(s)["auc_either_orientation"], 0.75);
}

TEST(RocAuc, RefusesBadInput) {
  EXPECT_THROW(roc_auc(doubles({0.1, 0.2}), at::tensor({1, 1})), InvalidArgument);
  EXPECT_THROW(roc_auc(doubles({0.1, 0.2}), at::tensor({0, 2})), InvalidArgument);
  EXPECT_THROW(roc_auc(doubles({0.1, NAN}), at::tensor({0, 1})), InvalidArgument);
  EXPECT_THROW(roc_auc(doubles({0.1, 0.2, 0.3}), at::tensor({0, 1})), InvalidArgument);
}

}  // namespace
}  // namespace otae::analysis
