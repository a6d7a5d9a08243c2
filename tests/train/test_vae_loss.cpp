// The VAE loss terms: the β̂ weighting, Ŝ² of a jet against itself and against a shifted copy
// (a known EMD), the squared error, and gradients reaching the decoded jets.
#include <gtest/gtest.h>

#include <cmath>

#include "otae/base/error.hpp"
#include "otae/train/vae_loss.hpp"

namespace otae::train {
namespace {

TEST(VaeLoss, WeighsTheDistortionByOneOverTwoBetaSquared) {
  const at::Tensor distortion = at::tensor({0.02, 0.04}, at::kDouble);
  const at::Tensor kl = at::tensor({1.0, 2.0, 3.0, 4.0}, at::kDouble).reshape({2, 2});
  const VaeLossTerms terms = vae_loss(distortion, kl, 0.1);
  EXPECT_DOUBLE_EQ(terms.distortion.item<double>(), 0.03);
  EXPECT_DOUBLE_EQ(terms.kl.item<double>(), 5.0);  // mean over rows of the sum over directions
  EXPECT_NEAR(terms.loss.item<double>(), 0.03 / (2 * 0.01) + 5.0, 1e-12);
}

TEST(VaeLoss, WeighsTheBinaryKlByAlphaAndReportsItUnweighted) {
  const at::Tensor distortion = at::tensor({0.02, 0.04}, at::kDouble);
  const nn::LatentKl kl{at::tensor({1.0, 2.0, 3.0, 4.0}).reshape({2, 2}), at::tensor({0.5, 1.5}).reshape({2, 1})};
  const VaeLossTerms terms = vae_loss(distortion, kl, 0.1, 0.2);
  EXPECT_NEAR(terms.kl.item<double>(), 5.0 + 1.0, 1e-6);
  EXPECT_NEAR(terms.loss.item<double>(), 0.03 / (2 * 0.01) + 5.0 + 0.2 * 1.0, 1e-6);
  // Without binary variables it is the Gaussian loss, bit for bit.
  const at::Tensor gaussian = at::tensor({1.0, 2.0, 3.0, 4.0}, at::kDouble).reshape({2, 2});
  EXPECT_TRUE(at::equal(vae_loss(distortion, nn::LatentKl{gaussian, {}}, 0.1, 0.2).loss,
                        vae_loss(distortion, gaussian, 0.1).loss));
}

TEST(BinaryKlWeight, RampsLinearlyThenHolds) {
  const auto alpha = BinaryKlWeightOptions().initial_weight(0.1).weight(1.0).anneal_steps(3);
  EXPECT_DOUBLE_EQ(alpha.at_step(0), 0.1);
  EXPECT_DOUBLE_EQ(alpha.at_step(1), 0.4);
  EXPECT_DOUBLE_EQ(alpha.at_step(2), 0.7);
  EXPECT_DOUBLE_EQ(alpha.at_step(3), 1.0);
  EXPECT_DOUBLE_EQ(alpha.at_step(10), 1.0);
  EXPECT_DOUBLE_EQ(BinaryKlWeightOptions().weight(0.3).at_step(0), 0.3);
  EXPECT_THROW(BinaryKlWeightOptions().weight(-1).validate(), InvalidArgument);
  EXPECT_THROW(BinaryKlWeightOptions().anneal_steps(-1).validate(), InvalidArgument);
}

/// Jets [B, M, 3] (pT/HT, η, φ) with the last rows padding.
at::Tensor some_jets(int64_t batch, int64_t particles, int64_t padding) {
  at::manual_seed(11);
  at::Tensor pt = at::rand({batch, particles});
  pt.narrow(1, particles - padding, padding).zero_();
  pt = pt / pt.sum(1, true);
  at::Tensor jets = at::cat({pt.unsqueeze(2), at::randn({batch, particles, 2}) * 0.3}, 2);
  return jets * (pt > 0).unsqueeze(2);
}

TEST(EmdDistortion, VanishesForAJetAgainstItselfAndMeasuresAShift) {
  const at::Tensor jets = some_jets(3, 20, 0);
  const nn::DecodedJets same{jets.select(2, 0), jets.narrow(2, 1, 2)};
  const at::Tensor self = emd_distortion(jets, same, ot::SinkhornOptions());
  EXPECT_EQ(self.sizes(), (std::vector<int64_t>{3}));
  EXPECT_LT(self.max().item<double>(), 1e-4);
  // every particle moved by Δη = 0.5: the EMD is 0.5 (unit total weight), Ŝ² = 0.25
  const nn::DecodedJets shifted{jets.select(2, 0), jets.narrow(2, 1, 2) + at::tensor({0.5f, 0.0f})};
  const at::Tensor moved = emd_distortion(jets, shifted, ot::SinkhornOptions::sharp());
  EXPECT_NEAR(moved.mean().item<double>(), 0.25, 0.01);
}

TEST(EmdDistortion, IgnoresPaddingAndSendsGradientsToTheDecodedJet) {
  const at::Tensor jets = some_jets(2, 50, 35);
  const at::Tensor weights = at::softmax(at::randn({2, 50}), 1).requires_grad_(true);
  const at::Tensor positions = (at::randn({2, 50, 2}) * 0.3).requires_grad_(true);
  const at::Tensor d = emd_distortion(jets, {weights, positions}, ot::SinkhornOptions());
  EXPECT_TRUE(at::isfinite(d).all().item<bool>());
  d.sum().backward();
  EXPECT_GT(positions.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(weights.grad().abs().sum().item<double>(), 0.0);
}

TEST(SquaredErrorDistortion, SumsOverCoordinates) {
  const at::Tensor x = at::tensor({1.0f, 2.0f, 3.0f, 4.0f}).reshape({2, 2});
  const at::Tensor d = squared_error_distortion(x, at::zeros({2, 2}));
  EXPECT_DOUBLE_EQ(d[0].item<double>(), 5.0);
  EXPECT_DOUBLE_EQ(d[1].item<double>(), 25.0);
}

}  // namespace
}  // namespace otae::train
