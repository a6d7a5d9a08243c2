// The classification read-out: ROC AUC against SciPy's Mann–Whitney U (fixture made by
// tests/fixtures/make_latent_fixtures.py), hand-counted AUCs and cuts, the errors, and a trained
// run with a binary latent classified end to end (its AUC against flipped labels, the decoder per
// category).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "otae/analysis/classification.hpp"
#include "otae/base/error.hpp"
#include "otae/data/file_mix.hpp"
#include "otae/train/vae_trainer.hpp"
#include "../nn/latent_fixtures.hpp"

namespace otae::analysis {
namespace {

const nlohmann::json& fixtures() { return nn::testing::latent_fixtures(); }

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

/// A run with one binary variable on 300 mixed top and QCD jets, and the mixed file twice: with
/// its labels and with them flipped.
class BinaryLatentRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    folder_ = std::filesystem::temp_directory_path() / ("otae_classify_" + std::to_string(::getpid()));
    std::filesystem::remove_all(folder_);
    std::filesystem::create_directories(folder_);
    const std::string mixed = (folder_ / "mixed.h5").string();
    data::mix_jet_files(OTAE_SOURCE_DIR "/samples/topjets_small.h5", OTAE_SOURCE_DIR "/samples/qcdjets_small.h5",
                        mixed, data::MixOptions().rows_per_file(150).seed(3));
    const at::Tensor particles = data::read_array(mixed, "particles");
    data::write_arrays((folder_ / "flipped.h5").string(),
                       {{"particles", particles, {}}, {"label", 1 - data::read_array(mixed, "label"), {}}});
    // a label any particle-flow network can read off: more particles than the median jet
    const at::Tensor multiplicity = (particles.select(2, 0) > 0).sum(1);
    data::write_arrays((folder_ / "multiplicity.h5").string(),
                       {{"particles", particles, {}},
                        {"label", (multiplicity > multiplicity.median()).to(at::kLong), {}}});
    train::train_vae(train::parse_vae_config("", {"data.source=" + mixed, "data.centre=true",
                                                  "data.split={train: 0.6, validation: 0.2, test: 0.2, seed: 1}",
                                                  "model.latent_dim=3", "model.binary.priors=[0.5]",
                                                  "model.particle_widths=[16]", "model.jet_widths=[16]",
                                                  "model.decoder_widths=[16]", "train.threads=1",
                                                  "train.batch_size=30", "train.steps_per_epoch=3",
                                                  "train.max_epochs=2", "schedule.grid.points=1",
                                                  "schedule.priming.enabled=false", "schedule.zigzag.legs=0"}),
                     run());
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(folder_); }
  static std::string run() { return (folder_ / "run").string(); }
  static std::string file(const char* name) { return (folder_ / name).string(); }

  static std::filesystem::path folder_;
};
std::filesystem::path BinaryLatentRun::folder_;

TEST_F(BinaryLatentRun, FlippedLabelsGiveTheComplementaryAuc) {
  const auto steps = classify_with_binary_latents(run(), "", "label");
  const auto flipped = classify_with_binary_latents(run(), file("flipped.h5"), "label");
  ASSERT_EQ(steps.size(), 1u);
  ASSERT_EQ(steps[0].variables.size(), 1u);
  const ScoreSeparation& s = steps[0].variables[0];
  EXPECT_EQ(s.rows, 60);  // the test split of 300 rows
  EXPECT_NEAR(flipped[0].variables[0].auc, 1.0 - s.auc, 1e-12);
  EXPECT_EQ(flipped[0].variables[0].label_one_rows, s.rows - s.label_one_rows);
}

TEST_F(BinaryLatentRun, DecodesEachCategoryAlongTheTopDirections) {
  const auto steps = classify_with_binary_latents(run(), "", "label");
  const std::vector<CategoryDecoding>& decoding = steps[0].decoding;
  ASSERT_EQ(decoding.size(), 2u);  // the binary variable at 0 and at 1
  double difference = 0;
  for (int64_t value : {0, 1}) {
    const CategoryDecoding& c = decoding[value];
    EXPECT_EQ(c.variable, 0);
    EXPECT_EQ(c.value, value);
    ASSERT_EQ(c.directions.size(), 3u);
    ASSERT_EQ(c.mean_step.size(), 3u);
    for (double step : c.mean_step) EXPECT_TRUE(std::isfinite(step) && step > 0) << step;
  }
  for (size_t i = 0; i < 3; ++i) difference += std::abs(decoding[0].mean_step[i] - decoding[1].mean_step[i]);
  EXPECT_GT(difference, 0.0);  // the decoder reads the binary variable
  const nlohmann::json json = to_json(steps[0]);
  EXPECT_EQ(json["decoding_by_category"].size(), 2u);
  EXPECT_EQ(json["decoding_by_category"][1]["value"], 1);
}

TEST_F(BinaryLatentRun, SupervisedBaselineLearnsASeparableLabel) {
  const SupervisedBaseline baseline = supervised_baseline(
      run(), file("multiplicity.h5"), "label", train::JetClassifierOptions().epochs(15).batch_size(30).seed(2));
  EXPECT_EQ(baseline.train_rows, 180);
  EXPECT_EQ(baseline.test.rows, 60);
  ASSERT_EQ(baseline.training_loss.size(), 15u);
  EXPECT_LT(baseline.training_loss.back(), baseline.training_loss.front());
  EXPECT_GT(baseline.test.auc, 0.9) << "training loss " << baseline.training_loss.back();
}

}  // namespace
}  // namespace otae::analysis
