// Circular statistics: the circular correlation in closed-form cases (a shift, a reflection, a
// symmetric configuration computed by hand) and its refusals; the rank correlation under warps of
// the circle, for independent angles and in a case counted by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "otae/analysis/circular_statistics.hpp"
#include "otae/base/error.hpp"

namespace otae::analysis {
namespace {

at::Tensor angles(const std::vector<double>& values) { return at::tensor(values, at::kDouble); }

TEST(CircularCorrelation, IsOneForAShiftAndMinusOneForAReflection) {
  at::manual_seed(4);
  const at::Tensor a = at::rand({500}, at::kDouble) * 6 - 3;
  // The shift wraps round the circle, which a linear correlation would not survive.
  EXPECT_NEAR(circular_correlation(a, a + 2.5), 1.0, 1e-12);
  EXPECT_NEAR(circular_correlation(a, at::remainder(a + 2.5 + M_PI, 2 * M_PI) - M_PI), 1.0, 1e-12);
  EXPECT_NEAR(circular_correlation(a, 1.0 - a), -1.0, 1e-12);
}

TEST(CircularCorrelation, MatchesAHandComputedSymmetricCase) {
  // a = (α, −α, β, −β) and b = (γ, −γ, −δ, δ) both have circular mean 0, so
  // ρ = (2 sin α sin γ − 2 sin β sin δ)/√((2 sin²α + 2 sin²β)(2 sin²γ + 2 sin²δ)).
  const double alpha = 0.4, beta = 1.1, gamma = 0.9, delta = 0.3;
  const double expected = (std::sin(alpha) * std::sin(gamma) - std::sin(beta) * std::sin(delta)) /
                          std::sqrt((std::pow(std::sin(alpha), 2) + std::pow(std::sin(beta), 2)) *
                                    (std::pow(std::sin(gamma), 2) + std::pow(std::sin(delta), 2)));
  EXPECT_NEAR(circular_correlation(angles({alpha, -alpha, beta, -beta}), angles({gamma, -gamma, -delta, delta})),
              expected, 1e-14);
  EXPECT_NEAR(circular_mean(angles({3.0, -3.0})), M_PI, 1e-14);
}

TEST(CircularRankCorrelation, IsOneForAnyMonotoneReparameterisationOfTheCircle) {
  at::manual_seed(5);
  const at::Tensor a = at::rand({2000}, at::kDouble) * 2 * M_PI - M_PI;
  const at::Tensor warped = a + 0.9 * a.sin() + 2.5;  // d/da = 1 + 0.9 cos a > 0: a homeomorphism
  EXPECT_NEAR(circular_rank_correlation(a, warped), 1.0, 1e-12);
  EXPECT_NEAR(circular_rank_correlation(a, 1.0 - warped), 1.0, 1e-12);
  // the moment correlation sees the warp as a loss of association
  EXPECT_LT(circular_correlation(a, warped), 0.99);
  const at::Tensor independent = at::rand({2000}, at::kDouble) * 2 * M_PI;
  EXPECT_LT(circular_rank_correlation(a, independent), 0.01);  // ≈ 1/N for each orientation
}

TEST(CircularRankCorrelation, MatchesACaseCountedByHand) {
  // ranks (0, 1, 2, 3) against (0, 2, 1, 3): α − β = (0, −π/2, π/2, 0), α + β = (0, 3π/2, 3π/2, 3π),
  // both with mean resultant 1/2, so the correlation is 1/4
  EXPECT_NEAR(circular_rank_correlation(angles({0.1, 1.0, 2.0, 3.0}), angles({0.1, 2.0, 1.0, 3.0})), 0.25, 1e-14);
}

TEST(CircularCorrelation, RefusesBadInput) {
  EXPECT_THROW(circular_correlation(angles({0.1}), angles({0.2})), InvalidArgument);
  EXPECT_THROW(circular_correlation(angles({0.1, 0.3}), angles({0.2, 0.1, 0.0})), InvalidArgument);
  EXPECT_THROW(circular_correlation(angles({0.1, NAN}), angles({0.2, 0.1})), InvalidArgument);
  EXPECT_THROW(circular_rank_correlation(angles({0.1, 0.3}), angles({0.2})), InvalidArgument);
}

}  // namespace
}  // namespace otae::analysis
