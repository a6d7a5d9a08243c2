// Kinematics against closed forms: the φ wrap at ±π, ΔR across the seam, (pT, η, φ, m) round
// trips and invariant masses of known decays.
#include <gtest/gtest.h>

#include <cmath>

#include "otae/physics/kinematics.hpp"

namespace otae::physics {
namespace {

TEST(WrapPhi, MapsIntoHalfOpenInterval) {
  EXPECT_DOUBLE_EQ(wrap_phi(0.0), 0.0);
  EXPECT_DOUBLE_EQ(wrap_phi(kPi), -kPi);  // +π belongs to the other end of [−π, π)
  EXPECT_DOUBLE_EQ(wrap_phi(-kPi), -kPi);
  EXPECT_NEAR(wrap_phi(1.5 * kPi), -0.5 * kPi, 1e-12);
  EXPECT_NEAR(wrap_phi(-1.5 * kPi), 0.5 * kPi, 1e-12);
  EXPECT_NEAR(wrap_phi(7.0 * kPi + 0.1), -kPi + 0.1, 1e-12);  // several turns
  EXPECT_NEAR(wrap_phi(-9.0 * kPi - 0.1), kPi - 0.1, 1e-12);
}

TEST(WrapPhi, StaysInRangeAndKeepsTheAngle) {
  for (double x = -40.0; x <= 40.0; x += 0.0137) {
    const double w = wrap_phi(x);
    ASSERT_GE(w, -kPi) << x;
    ASSERT_LT(w, kPi) << x;
    ASSERT_NEAR(std::cos(w), std::cos(x), 1e-12) << x;
    ASSERT_NEAR(std::sin(w), std::sin(x), 1e-12) << x;
  }
}

TEST(DeltaR, WrapsAcrossThePiSeam) {
  // 0.2 apart across φ = ±π; then Δη = 0.3 and Δφ = 0.4 across the seam, so ΔR = 0.5.
  EXPECT_NEAR(delta_r(0.0, kPi - 0.1, 0.0, -kPi + 0.1), 0.2, 1e-12);
  EXPECT_NEAR(delta_r(0.15, kPi - 0.2, -0.15, -kPi + 0.2), 0.5, 1e-12);
  EXPECT_NEAR(delta_r(0.0, kPi - 0.1, 0.0, -kPi + 0.1, /*wrap_phi=*/false), kTwoPi - 0.2, 1e-12);
}

TEST(DeltaR, IsSymmetricAndEuclideanAwayFromTheSeam) {
  EXPECT_NEAR(delta_r(0.3, 0.4, 0.0, 0.0), 0.5, 1e-15);
  EXPECT_DOUBLE_EQ(delta_r(1.2, -2.9, -0.4, 3.0), delta_r(-0.4, 3.0, 1.2, -2.9));
  EXPECT_DOUBLE_EQ(delta_r(0.7, 1.1, 0.7, 1.1), 0.0);
}

TEST(FourMomentum, RoundTripsThroughPtEtaPhiM) {
  for (double pt_in : {0.5, 40.0, 550.0})
    for (double eta_in : {-3.7, -1.0, 0.0, 0.4, 2.4})
      for (double phi_in : {-kPi, -3.1, -0.2, 0.0, 1.3, 3.1})
        for (double mass_in : {0.0, 0.000511, 80.4, 172.5}) {
          const FourMomentum p = from_pt_eta_phi_m(pt_in, eta_in, phi_in, mass_in);
          ASSERT_NEAR(pt(p), pt_in, 1e-12 * pt_in);
          ASSERT_NEAR(eta(p), eta_in, 1e-10);
          ASSERT_NEAR(wrap_phi(phi(p) - phi_in), 0.0, 1e-12);
          ASSERT_NEAR(invariant_mass(p), mass_in, 1e-6 * p.e);
        }
}

TEST(FourMomentum, MasslessRapidityEqualsPseudorapidity) {
  const FourMomentum p = from_pt_eta_phi_m(30.0, 1.7, 0.3);
  EXPECT_NEAR(rapidity(p), 1.7, 1e-12);
  const FourMomentum heavy = from_pt_eta_phi_m(30.0, 1.7, 0.3, 50.0);
  EXPECT_LT(std::abs(rapidity(heavy)), 1.7);  // mass pulls y towards 0
}

TEST(FourMomentum, AlongTheBeamEtaIsInfinite) {
  EXPECT_EQ(eta(FourMomentum{0, 0, 5, 5}), INFINITY);
  EXPECT_EQ(eta(FourMomentum{0, 0, -5, 5}), -INFINITY);
  EXPECT_EQ(eta(FourMomentum{0, 0, 0, 0}), 0.0);
}

TEST(InvariantMass, OfTwoMasslessParticlesMatchesTheClosedForm) {
  // m² = 2 pT₁ pT₂ (cosh Δη − cos Δφ), with Δφ across the seam.
  const double pt1 = 41.0, eta1 = 0.8, phi1 = 3.0, pt2 = 37.0, eta2 = -1.1, phi2 = -0.4;
  const FourMomentum pair = from_pt_eta_phi_m(pt1, eta1, phi1) + from_pt_eta_phi_m(pt2, eta2, phi2);
  const double expected = std::sqrt(2 * pt1 * pt2 * (std::cosh(eta1 - eta2) - std::cos(phi1 - phi2)));
  EXPECT_NEAR(invariant_mass(pair), expected, 1e-9 * expected);
}

TEST(InvariantMass, BackToBackElectronsMakeAZ) {
  const double half = 91.1876 / 2;
  const FourMomentum z = from_pt_eta_phi_m(half, 0.0, 0.5) + from_pt_eta_phi_m(half, 0.0, 0.5 - kPi);
  EXPECT_NEAR(invariant_mass(z), 91.1876, 1e-9);
  EXPECT_NEAR(pt(z), 0.0, 1e-12);
}

TEST(InvariantMass, DropsTheSignOfASpacelikeVector) {
  EXPECT_EQ(invariant_mass(FourMomentum{3, 0, 0, 1}), 0.0);
}

}  // namespace
}  // namespace otae::physics
