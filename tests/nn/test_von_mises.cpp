// The circular (von Mises) latent: its KL against scipy.special, the KL's gradient against finite
// differences, the implicit reparameterisation gradient against finite differences of SciPy's
// quantile function, samples against scipy.stats.vonmises (Kolmogorov–Smirnov), and the circular
// directions of the latent head and the decoder input.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>

#include "latent_fixtures.hpp"
#include "otae/base/error.hpp"
#include "otae/nn/dense_vae.hpp"
#include "otae/nn/latent_space.hpp"
#include "otae/nn/von_mises.hpp"

namespace otae::nn {
namespace {

TEST(VonMisesKl, AgreesWithScipyFromSmallToLargeConcentration) {
  for (const auto& c : testing::latent_fixtures()["von_mises_kl"]) {
    const double kappa = c["kappa"], expected = c["kl"];
    const double kl = von_mises_kl(torch::tensor({kappa}, torch::kDouble)).item<double>();
    // SciPy's own κ(A − 1) loses ~κ·1e-16 absolute to cancellation at large κ.
    EXPECT_NEAR(kl, expected, 1e-13 + 1e-12 * expected + 1e-16 * kappa) << "kappa=" << kappa;
  }
  // Small κ: κ²/4; large κ: ½ ln(2πκ) − ½ − 1/(4κ).
  EXPECT_NEAR(von_mises_kl(torch::tensor({1e-4}, torch::kDouble)).item<double>(), 0.25e-8, 1e-14);
  const double large = 5e6;
  EXPECT_NEAR(von_mises_kl(torch::tensor({large}, torch::kDouble)).item<double>(),
              0.5 * std::log(2 * M_PI * large) - 0.5 - 0.25 / large, 1e-12);
}

TEST(VonMisesKl, GradientMatchesFiniteDifferencesOnBothSidesOfTheAsymptoticSwitch) {
  for (double kappa : {0.01, 0.5, 3.0, 40.0, 999.0, 1001.0, 2e4}) {
    const auto k = torch::tensor({kappa}, torch::kDouble).requires_grad_(true);
    von_mises_kl(k).sum().backward();
    const double h = 1e-4 * kappa;
    const double plus = von_mises_kl(torch::tensor({kappa + h}, torch::kDouble)).item<double>();
    const double minus = von_mises_kl(torch::tensor({kappa - h}, torch::kDouble)).item<double>();
    const double expected = (plus - minus) / (2 * h);
    EXPECT_NEAR(k.grad().item<double>(), expected, 1e-6 * std::abs(expected) + 1e-10) << "kappa=" << kappa;
    EXPECT_GT(k.grad().item<double>(), 0.0);
  }
  EXPECT_THROW(von_mises_kl(torch::tensor({0.0})), InvalidArgument);
}

TEST(VonMisesSample, ImplicitGradientMatchesTheQuantileFunctionOfScipy) {
  for (const auto& c : testing::latent_fixtures()["von_mises_quantile_derivative"]) {
    const double kappa = c["kappa"], theta = c["theta"], expected = c["dtheta_dkappa"];
    const double derivative =
        von_mises_sample_derivative(torch::tensor({theta}, torch::kDouble), torch::tensor({kappa}, torch::kDouble))
            .item<double>();
    // The fixture is a central difference of scipy's numerically inverted CDF: ~1e-5 relative.
    EXPECT_NEAR(derivative, expected, 1e-4 * std::abs(expected) + 1e-12) << "kappa=" << kappa << " u=" << c["u"];
  }
}

TEST(VonMisesSample, ImplicitGradientMatchesFiniteDifferencesOfTheCdfInverse) {
  // An independent check in C++: invert F(θ; κ) = ∫_{−π}^θ e^{κ cos t} dt / (2π I₀) by bisection
  // (F by Simpson's rule on [−π, θ] and [−π, π]) at κ ± h for fixed u, on both sides of the
  // integrand's sign change.
  auto simpson = [](double kappa, double a, double b) {
    const int n = 4000;
    const double step = (b - a) / n;
    double sum = 0.0;
    for (int i = 0; i <= n; ++i)
      sum += (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2)) * std::exp(kappa * (std::cos(a + i * step) - 1));
    return sum * step / 3;
  };
  auto cdf = [&](double theta, double kappa) { return simpson(kappa, -M_PI, theta) / simpson(kappa, -M_PI, M_PI); };
  auto quantile = [&](double u, double kappa) {
    double lo = -M_PI, hi = M_PI;
    for (int i = 0; i < 60; ++i) ((cdf(0.5 * (lo + hi), kappa) < u) ? lo : hi) = 0.5 * (lo + hi);
    return 0.5 * (lo + hi);
  };
  for (const auto& [kappa, u] : {std::pair{1.5, 0.9}, std::pair{1.5, 0.55}, std::pair{8.0, 0.1}}) {
    const double h = 1e-3 * kappa;
    const double expected = (quantile(u, kappa + h) - quantile(u, kappa - h)) / (2 * h);
    const double theta = quantile(u, kappa);
    const double derivative =
        von_mises_sample_derivative(torch::tensor({theta}, torch::kDouble), torch::tensor({kappa}, torch::kDouble))
            .item<double>();
    EXPECT_NEAR(derivative, expected, 2e-3 * std::abs(expected) + 1e-4) << "kappa=" << kappa << " u=" << u;
  }
}

TEST(VonMisesSample, BackwardAppliesTheImplicitGradient) {
  at::Generator generator = at::detail::createCPUGenerator(3);
  const auto kappa = torch::tensor({0.7, 5.0, 300.0}, torch::kDouble).requires_grad_(true);
  const auto theta = von_mises_sample(kappa, generator);
  theta.sum().backward();
  EXPECT_TRUE(torch::allclose(kappa.grad(), von_mises_sample_derivative(theta.detach(), kappa.detach())));
}

TEST(VonMisesSample, FollowsScipysDistribution) {
  // Kolmogorov–Smirnov distance of 20000 seeded draws from scipy.stats.vonmises.cdf on a 401-point
  // grid; 1.95/√n is the 0.1 % critical value.
  const int64_t n = 20000;
  for (const auto& c : testing::latent_fixtures()["von_mises_cdf"]) {
    at::Generator generator = at::detail::createCPUGenerator(17);
    const auto samples = von_mises_sample(torch::full({n}, c["kappa"].get<double>(), torch::kDouble), generator);
    EXPECT_LE(samples.abs().max().item<double>(), M_PI);
    const auto theta = c["theta"].get<std::vector<double>>();
    const auto cdf = c["cdf"].get<std::vector<double>>();
    double distance = 0.0;
    for (size_t i = 0; i < theta.size(); ++i)
      distance = std::max(distance, std::abs((samples <= theta[i]).to(torch::kDouble).mean().item<double>() - cdf[i]));
    EXPECT_LT(distance, 1.95 / std::sqrt(double(n))) << "kappa=" << c["kappa"];
  }
  // Very concentrated: the spread is 1/√κ.
  at::Generator generator = at::detail::createCPUGenerator(2);
  const auto tight = von_mises_sample(torch::full({n}, 1e5, torch::kDouble), generator);
  EXPECT_NEAR(tight.std().item<double>() * std::sqrt(1e5), 1.0, 0.03);
}

TEST(LatentHead, GivesCircularDirectionsAndTheDecoderTheirSinesAndCosines) {
  torch::manual_seed(2);
  LatentHead head(4, 2, MixedLatentOptions().circular_dim(3));
  const LatentPosterior posterior = head->forward(torch::randn({5, 4}));
  EXPECT_EQ(posterior.circular_mean.sizes(), (std::vector<int64_t>{5, 3}));
  EXPECT_LE(posterior.circular_mean.abs().max().item<double>(), M_PI);
  EXPECT_GT(posterior.circular_concentration.min().item<double>(), 0.0);
  at::Generator generator = at::detail::createCPUGenerator(9);
  const torch::Tensor z = sample_latent(posterior, generator);
  ASSERT_EQ(z.sizes(), (std::vector<int64_t>{5, 2 + 6}));
  const torch::Tensor cos = z.narrow(1, 2, 3), sin = z.narrow(1, 5, 3);
  EXPECT_TRUE(torch::allclose(cos.square() + sin.square(), torch::ones({5, 3}), 1e-5, 1e-5));
  const LatentKl kl = latent_kl_per_dim(posterior, MixedLatentOptions().circular_dim(3));
  EXPECT_TRUE(torch::allclose(kl.circular, von_mises_kl(posterior.circular_concentration)));
  EXPECT_THROW(MixedLatentOptions().circular_dim(-1).validate(), InvalidArgument);
}

TEST(DenseVae, DecodesGaussianBinaryAndCircularCoordinates) {
  DenseVae vae(DenseVaeOptions().input_dim(2).latent_dim(1).mixed_latents(
      MixedLatentOptions().binary_priors({0.5}).circular_dim(1)));
  at::Generator generator = at::detail::createCPUGenerator(1);
  const LatentPosterior posterior = vae->encode(torch::randn({4, 2}), generator);
  const torch::Tensor z = sample_latent(posterior, generator);
  EXPECT_EQ(z.size(1), 1 + 1 + 2);
  z.sum().backward();  // reaches the network through every part, κ included
  EXPECT_EQ(vae->decode(z.detach()).sizes(), (std::vector<int64_t>{4, 2}));
}

}  // namespace
}  // namespace otae::nn
