// Per-jet preprocessing on raw rows: HT, the circular pT-weighted centroid for jets that
// straddle φ = ±π, centring and normalisation, with padding rows left alone.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "otae/base/error.hpp"
#include "otae/physics/jet_preprocessing.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::physics {
namespace {

using Rows = std::vector<float>;  // (pT, η, φ) per particle

int64_t count(const Rows& rows) { return int64_t(rows.size() / 3); }

double weighted_sum(const Rows& rows, int column) {
  double sum = 0.0;
  for (int64_t i = 0; i < count(rows); ++i) sum += double(rows[3 * i]) * rows[3 * i + column];
  return sum;
}

TEST(ScalarHt, SumsPtAndIgnoresPadding) {
  const Rows jet = {300, 0.1f, 0.2f, 150, -0.3f, 0.1f, 50, 0.0f, 0.5f, 0, 0, 0, 0, 0, 0};
  EXPECT_DOUBLE_EQ(scalar_ht(jet.data(), count(jet)), 500.0);
}

TEST(Centroid, IsThePtWeightedMeanAwayFromTheSeam) {
  const Rows jet = {1, 0.0f, 1.0f, 3, 1.0f, 2.0f, 0, 0, 0};
  const EtaPhi c = pt_weighted_centroid(jet.data(), count(jet));
  EXPECT_NEAR(c.eta, 0.75, 1e-7);
  EXPECT_NEAR(c.phi, 1.75, 1e-7);
}

TEST(Centroid, OfAJetStraddlingPhiPiLiesAtThePiSeam) {
  // Equal pT just above −π and just below +π: the centroid is at ±π, not at the naive mean 0.
  const Rows jet = {10, 0.0f, float(kPi - 0.1), 10, 0.0f, float(-kPi + 0.1)};
  const EtaPhi c = pt_weighted_centroid(jet.data(), count(jet));
  EXPECT_NEAR(std::abs(c.phi), kPi, 1e-6);
  EXPECT_GE(c.phi, -kPi);
  EXPECT_LT(c.phi, kPi);
}

TEST(Centroid, OfAnAsymmetricStraddlingJetIsTheLinearMeanOnTheUnrolledCircle) {
  // Unrolled, the particles sit at π − 0.1 (pT 3) and π + 0.2 (pT 1): mean π − 0.025.
  const Rows jet = {3, 0.2f, float(kPi - 0.1), 1, -0.6f, float(-kPi + 0.2)};
  const EtaPhi c = pt_weighted_centroid(jet.data(), count(jet));
  EXPECT_NEAR(c.phi, kPi - 0.025, 1e-6);
  EXPECT_NEAR(c.eta, 0.0, 1e-7);
}

TEST(CentreJet, MovesAStraddlingJetToTheOriginAndWrapsPhi) {
  Rows jet = {3, 0.2f, float(kPi - 0.1), 1, -0.6f, float(-kPi + 0.2), 0, 0, 0};
  centre_jet(jet.data(), count(jet));
  EXPECT_NEAR(jet[2], -0.075, 1e-6);
  EXPECT_NEAR(jet[5], 0.225, 1e-6);
  EXPECT_NEAR(jet[1], 0.2, 1e-6);
  EXPECT_NEAR(jet[4], -0.6, 1e-6);
  EXPECT_NEAR(weighted_sum(jet, 1), 0.0, 1e-6);
  EXPECT_NEAR(weighted_sum(jet, 2), 0.0, 1e-6);
  for (int c = 6; c < 9; ++c) EXPECT_EQ(jet[c], 0.0f) << "padding must not move";
}

TEST(CentreJet, ZeroesThePtWeightedMeansOfAWideJetAnywhereOnTheCircle) {
  for (double axis = -kPi; axis < kPi; axis += 0.05) {
    Rows jet;
    for (int i = 0; i < 20; ++i) {
      const double offset = 0.9 * std::sin(1.7 * i);  // spread over ±0.9 rad, as an R = 1 jet
      jet.insert(jet.end(), {float(100.0 / (1 + i)), float(0.5 * std::cos(2.3 * i) + 1.0),
                             phi_to_float(wrap_phi(axis + offset))});
    }
    centre_jet(jet.data(), count(jet));
    ASSERT_NEAR(weighted_sum(jet, 1), 0.0, 1e-3) << "axis " << axis;
    ASSERT_NEAR(weighted_sum(jet, 2), 0.0, 1e-3) << "axis " << axis;
    for (int64_t i = 0; i < count(jet); ++i) {
      ASSERT_LT(std::abs(jet[3 * i + 2]), 1.5) << "axis " << axis << ": a particle was wrapped to the far side";
      ASSERT_GE(double(jet[3 * i + 2]), -kPi);
      ASSERT_LT(double(jet[3 * i + 2]), kPi);
    }
  }
}

TEST(CentreJet, ReturnsTheCentroidItRemoved) {
  Rows jet = {2, 1.0f, -3.0f, 2, 1.4f, 3.1f};
  const EtaPhi expected = pt_weighted_centroid(jet.data(), count(jet));
  const EtaPhi removed = centre_jet(jet.data(), count(jet));
  EXPECT_DOUBLE_EQ(removed.eta, expected.eta);
  EXPECT_DOUBLE_EQ(removed.phi, expected.phi);
  EXPECT_NEAR(removed.eta, 1.2, 1e-6);
}

TEST(NormaliseJetPt, MakesWeightsSumToOneAndReturnsHt) {
  Rows jet = {300, 0.1f, 0.2f, 150, -0.3f, 0.1f, 50, 0.0f, 0.5f, 0, 0, 0};
  EXPECT_DOUBLE_EQ(normalise_jet_pt(jet.data(), count(jet)), 500.0);
  EXPECT_NEAR(scalar_ht(jet.data(), count(jet)), 1.0, 1e-7);
  EXPECT_FLOAT_EQ(jet[0], 0.6f);
  EXPECT_FLOAT_EQ(jet[1], 0.1f) << "η is not a weight";
  EXPECT_EQ(jet[9], 0.0f);
}

TEST(EmptyJet, IsRejectedByEveryOperationThatNeedsHt) {
  Rows jet(3 * 4, 0.0f);
  EXPECT_THROW(pt_weighted_centroid(jet.data(), count(jet)), InvalidArgument);
  EXPECT_THROW(centre_jet(jet.data(), count(jet)), InvalidArgument);
  EXPECT_THROW(normalise_jet_pt(jet.data(), count(jet)), InvalidArgument);
  try {
    normalise_jet_pt(jet.data(), count(jet));
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("HT"), std::string::npos) << e.what();
  }
}

TEST(PhiToFloat, KeepsFloat32InsideMinusPiToPi) {
  for (double phi : {kPi - 1e-9, kPi - 1e-8, -kPi, -kPi + 1e-9, 0.5, -3.0}) {
    const float f = phi_to_float(phi);
    EXPECT_LT(double(f), kPi) << phi;
    EXPECT_GE(double(f), -kPi) << phi;
    EXPECT_NEAR(std::abs(wrap_phi(double(f) - phi)), 0.0, 2e-7) << phi;
  }
  EXPECT_EQ(phi_to_float(0.5), 0.5f);
}

}  // namespace
}  // namespace otae::physics
