// The Fréchet distance between Gaussians against closed forms: commuting (diagonal) covariances
// give |Δμ|² + Σ (√a − √b)², a rotation of both leaves it unchanged, and it vanishes only for
// equal Gaussians. tests/python/test_generative_metrics.py checks it against scipy.linalg.sqrtm.
#include <gtest/gtest.h>

#include <cmath>

#include "otae/base/error.hpp"
#include "otae/ot/gaussian.hpp"

namespace otae::ot {
namespace {

TEST(FrechetDistance, OfDiagonalCovariancesIsTheSumOverAxes) {
  const at::Tensor mu_a = at::tensor({0.0, 1.0, 2.0}, at::kDouble), mu_b = at::tensor({1.0, 1.0, 0.0}, at::kDouble);
  const at::Tensor a = at::tensor({1.0, 4.0, 9.0}, at::kDouble), b = at::tensor({4.0, 1.0, 9.0}, at::kDouble);
  // |Δμ|² = 1 + 0 + 4; (√a − √b)² = 1 + 1 + 0
  EXPECT_NEAR(frechet_distance(mu_a, at::diag(a), mu_b, at::diag(b)), 7.0, 1e-12);
}

TEST(FrechetDistance, IsInvariantUnderARotationOfBoth) {
  at::manual_seed(3);
  const at::Tensor q = std::get<0>(at::linalg_qr(at::randn({4, 4}, at::kDouble)));
  const at::Tensor l_a = at::randn({4, 4}, at::kDouble), l_b = at::randn({4, 4}, at::kDouble);
  const at::Tensor cov_a = at::mm(l_a, l_a.t()), cov_b = at::mm(l_b, l_b.t());
  const at::Tensor mu_a = at::randn({4}, at::kDouble), mu_b = at::randn({4}, at::kDouble);
  const double d = frechet_distance(mu_a, cov_a, mu_b, cov_b);
  const double rotated = frechet_distance(at::mv(q, mu_a), at::mm(at::mm(q, cov_a), q.t()), at::mv(q, mu_b),
                                          at::mm(at::mm(q, cov_b), q.t()));
  EXPECT_GT(d, 0.1);
  EXPECT_NEAR(rotated, d, 1e-9 * d);
  EXPECT_NEAR(frechet_distance(mu_b, cov_b, mu_a, cov_a), d, 1e-9 * d);  // symmetric
  EXPECT_NEAR(frechet_distance(mu_a, cov_a, mu_a, cov_a), 0.0, 1e-9);
}

TEST(FrechetDistance, RefusesMismatchedShapesAndNaN) {
  const at::Tensor mu = at::zeros({3}, at::kDouble), cov = at::eye(3, at::kDouble);
  EXPECT_THROW(frechet_distance(mu, cov, at::zeros({2}, at::kDouble), at::eye(2, at::kDouble)), InvalidArgument);
  EXPECT_THROW(frechet_distance(mu, at::ones({3, 2}, at::kDouble), mu, cov), InvalidArgument);
  EXPECT_THROW(frechet_distance(mu, cov * NAN, mu, cov), InvalidArgument);
}

}  // namespace
}  // namespace otae::ot
