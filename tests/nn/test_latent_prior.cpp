// Draws from the prior of a mixed latent space: every block against its own distribution by a
// one-sample Kolmogorov–Smirnov test, and the pure-Gaussian space against LibTorch's randn.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "otae/base/error.hpp"
#include "otae/nn/latent_space.hpp"

namespace otae::nn {
namespace {

constexpr int64_t kRows = 20000;
// The one-sample KS statistic exceeds 1.95/√n with probability 0.001 under the null hypothesis.
const double kKsCritical = 1.95 / std::sqrt(static_cast<double>(kRows));

/// sup |F_n − F| of the values [n] against the CDF `cdf`.
double ks_statistic(const torch::Tensor& values, const std::function<double(double)>& cdf) {
  const torch::Tensor sorted = std::get<0>(values.to(torch::kDouble).contiguous().sort());
  const double* x = sorted.data_ptr<double>();
  const auto n = static_cast<double>(sorted.numel());
  double d = 0;
  for (int64_t i = 0; i < sorted.numel(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  return d;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double logit(double p) { return std::log(p / (1.0 - p)); }

TEST(LatentPrior, EachBlockFollowsItsPrior) {
  const std::vector<double> priors = {0.05, 0.5};
  const double temperature = 0.3;
  const auto options = MixedLatentOptions().binary_priors(priors).temperature(temperature).circular_dim(2);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(11);
  const torch::Tensor z = sample_prior(kRows, 3, options, generator);
  ASSERT_EQ(z.sizes(), (std::vector<int64_t>{kRows, 3 + 2 + 2 * 2}));
  EXPECT_EQ(z.scalar_type(), torch::kFloat);

  for (int64_t d = 0; d < 3; ++d)  // N(0, 1)
    EXPECT_LT(ks_statistic(z.select(1, d), [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }), kKsCritical)
        << "Gaussian direction " << d;
  for (int64_t k = 0; k < 2; ++k) {
    // z_b = sigmoid(y), y logistic of location logit(p)/τ and scale 1/τ: P(z_b ≤ s) = sigmoid(τ logit s − logit p)
    const torch::Tensor z_b = z.select(1, 3 + k);
    const double p = priors[static_cast<size_t>(k)];
    EXPECT_LT(ks_statistic(z_b, [&](double s) { return sigmoid(temperature * logit(s) - logit(p)); }), kKsCritical)
        << "binary variable " << k;
    const double above = (z_b > 0.5).to(torch::kDouble).mean().item<double>();
    EXPECT_NEAR(above, p, 4 * std::sqrt(p * (1 - p) / kRows)) << "binary variable " << k;
  }
  for (int64_t c = 0; c < 2; ++c) {
    // (cos θ, sin θ) on the unit circle with θ uniform on [−π, π)
    const torch::Tensor cos_theta = z.select(1, 5 + c), sin_theta = z.select(1, 7 + c);
    EXPECT_LT((cos_theta.square() + sin_theta.square() - 1).abs().max().item<double>(), 1e-6);
    const torch::Tensor theta = torch::atan2(sin_theta, cos_theta);
    EXPECT_LT(ks_statistic(theta, [](double t) { return (t + M_PI) / (2 * M_PI); }), kKsCritical)
        << "circular direction " << c;
  }
}

TEST(LatentPrior, GaussianOnlyIsRandnAndDrawsFromTheGenerator) {
  at::Generator a = at::make_generator<at::CPUGeneratorImpl>(5), b = at::make_generator<at::CPUGeneratorImpl>(5);
  EXPECT_TRUE(torch::equal(sample_prior(7, 4, MixedLatentOptions(), a), at::randn({7, 4}, b, at::kFloat)));
  const auto mixed = MixedLatentOptions().binary_priors({0.1}).circular_dim(1);
  at::Generator c = at::make_generator<at::CPUGeneratorImpl>(9), d = at::make_generator<at::CPUGeneratorImpl>(9);
  EXPECT_TRUE(torch::equal(sample_prior(5, 2, mixed, c), sample_prior(5, 2, mixed, d)));
  EXPECT_EQ(sample_prior(0, 2, mixed).sizes(), (std::vector<int64_t>{0, 2 + 1 + 2}));
  EXPECT_THROW(sample_prior(-1, 2, mixed), InvalidArgument);
  EXPECT_THROW(sample_prior(3, 0, mixed), InvalidArgument);
  EXPECT_THROW(sample_prior(3, 2, MixedLatentOptions().binary_priors({1.5})), InvalidArgument);
}

}  // namespace
}  // namespace otae::nn
