// The binary (relaxed-Bernoulli) latent: its KL against quadrature of the two logistic densities
// (SciPy fixture), the gradient of the series and of the closed form against finite differences of
// the closed form on both sides of the switch, its sampling law, and the hierarchical latent head.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>

#include "latent_fixtures.hpp"
#include "otae/base/error.hpp"
#include "otae/nn/dense_vae.hpp"
#include "otae/nn/latent_space.hpp"
#include "otae/nn/relaxed_bernoulli.hpp"

namespace otae::nn {
namespace {

double logit(double p) { return std::log(p / (1.0 - p)); }

/// The closed form in float64, away from its removable singularity at x = 0.
double closed_form_kl(double x) { return x / std::tanh(0.5 * x) - 2.0; }

TEST(RelaxedBernoulliKl, AgreesWithQuadratureOfTheLogisticDensities) {
  for (const auto& c : testing::latent_fixtures()["relaxed_bernoulli_kl"]) {
    const auto log_alpha = torch::tensor({c["log_alpha"].get<double>()}, torch::kDouble);
    const auto prior = torch::tensor({logit(c["prior_probability"].get<double>())}, torch::kDouble);
    const double expected = c["kl"];
    // τ does not enter: the fixture integrates at its own τ.
    EXPECT_NEAR(relaxed_bernoulli_kl(log_alpha, prior).item<double>(), expected, 1e-10 + 1e-9 * expected)
        << "log_alpha=" << c["log_alpha"] << " tau=" << c["temperature"];
  }
}

TEST(RelaxedBernoulliKl, SeriesAndClosedFormMeetAtTheSwitch) {
  for (double sign : {-1.0, 1.0}) {
    const double x = sign * kRelaxedBernoulliSeriesBelow;
    for (double side : {1.0 - 1e-9, 1.0 + 1e-9}) {
      const auto kl =
          relaxed_bernoulli_kl(torch::zeros({1}, torch::kDouble), torch::tensor({x * side}, torch::kDouble));
      EXPECT_NEAR(kl.item<double>(), closed_form_kl(x * side), 1e-10);  // the series' truncation
    }
    // In float32 the two sides stay within float32 rounding of the KL (0.041).
    const auto below = relaxed_bernoulli_kl(torch::zeros({1}), torch::tensor({static_cast<float>(x * (1 - 1e-6))}));
    const auto above = relaxed_bernoulli_kl(torch::zeros({1}), torch::tensor({static_cast<float>(x * (1 + 1e-6))}));
    ASSERT_EQ(below.scalar_type(), torch::kFloat);
    EXPECT_NEAR(below.item<double>(), above.item<double>(), 2e-7);
  }
}

TEST(RelaxedBernoulliKl, GradientMatchesFiniteDifferencesOnBothSidesOfTheSwitch) {
  // x = log a − log α; the KL is even in x and grows away from 0, so dKL/d log α = −dKL/dx has
  // the sign of −x. Points on either side of |x| = 0.5 and near 0, with both signs.
  for (double x : {-3.0, -0.7, -0.51, -0.49, -0.2, -1e-3, 1e-3, 0.05, 0.3, 0.49, 0.51, 2.0}) {
    const auto log_alpha = torch::tensor({0.4}, torch::kDouble).requires_grad_(true);
    const auto prior = torch::tensor({0.4 + x}, torch::kDouble).requires_grad_(true);
    relaxed_bernoulli_kl(log_alpha, prior).sum().backward();
    const double h = 1e-5;
    // Central differences of the exact closed form, at distance ≥ 0.99e-3 from its singularity.
    const double expected = (closed_form_kl(x + h) - closed_form_kl(x - h)) / (2 * h);
    EXPECT_NEAR(prior.grad().item<double>(), expected, 1e-7 + 1e-6 * std::abs(expected)) << "x=" << x;
    EXPECT_NEAR(log_alpha.grad().item<double>(), -expected, 1e-7 + 1e-6 * std::abs(expected)) << "x=" << x;
    EXPECT_GT(prior.grad().item<double>() * x, 0.0) << "the KL must grow away from the prior, x=" << x;
  }
}

TEST(RelaxedBernoulliKl, IsZeroWithZeroGradientAtThePrior) {
  const auto log_alpha = torch::tensor({-2.0, 0.0, 3.0}, torch::kDouble).requires_grad_(true);
  const auto kl = relaxed_bernoulli_kl(log_alpha, log_alpha.detach());
  kl.sum().backward();
  EXPECT_EQ(kl.abs().max().item<double>(), 0.0);
  EXPECT_EQ(log_alpha.grad().abs().max().item<double>(), 0.0);
}

TEST(RelaxedBernoulli, SamplesFollowTheLogisticLaw) {
  // P(z > ½) = P(y > 0) = sigmoid(log α) for every τ; and the median of z is sigmoid(log α/τ).
  const double log_alpha = -1.1, temperature = 0.3;
  at::Generator generator = at::detail::createCPUGenerator(7);
  const auto z = sample_relaxed_bernoulli(torch::full({200000}, log_alpha, torch::kDouble), temperature, generator);
  const double p = 1.0 / (1.0 + std::exp(-log_alpha));
  EXPECT_NEAR((z > 0.5).to(torch::kDouble).mean().item<double>(), p, 4 * std::sqrt(p * (1 - p) / 200000));
  const double median = relaxed_bernoulli_median(torch::tensor({log_alpha}), temperature).item<double>();
  EXPECT_NEAR((z < median).to(torch::kDouble).mean().item<double>(), 0.5, 4 * std::sqrt(0.25 / 200000));
  EXPECT_THROW(sample_relaxed_bernoulli(torch::zeros({1}), 0.0), InvalidArgument);
}

TEST(LatentHead, ConditionsTheGaussianPartOnTheBinaryDraw) {
  torch::manual_seed(3);
  LatentHead head(6, 2, MixedLatentOptions().binary_priors({0.05, 0.5}));
  const torch::Tensor hidden = torch::randn({4, 6});
  at::Generator a = at::detail::createCPUGenerator(11), b = at::detail::createCPUGenerator(11);
  const LatentPosterior first = head->forward(hidden, a), again = head->forward(hidden, b);
  EXPECT_EQ(first.binary_log_alpha.sizes(), (std::vector<int64_t>{4, 2}));
  EXPECT_TRUE(torch::equal(first.gaussian.mean, again.gaussian.mean));
  // A different binary value moves μ: the Gaussian part reads it.
  const LatentPosterior median = head->forward(hidden);
  EXPECT_TRUE(torch::allclose(median.binary_sample, torch::sigmoid(median.binary_log_alpha / 0.3)));
  EXPECT_FALSE(torch::allclose(median.gaussian.mean, first.gaussian.mean));
  // The decoder's input is [z_g, z_b].
  const torch::Tensor z = sample_latent(first, a);
  EXPECT_EQ(z.sizes(), (std::vector<int64_t>{4, 4}));
  EXPECT_TRUE(torch::equal(z.narrow(1, 2, 2), first.binary_sample));
}

TEST(LatentHead, WithoutBinaryVariablesDrawsNothingAndKeepsTheGaussianNames) {
  LatentHead head(5, 3, MixedLatentOptions());
  std::vector<std::string> names;
  for (const auto& p : head->named_parameters()) names.push_back(p.key());
  EXPECT_EQ(names, (std::vector<std::string>{"mean.weight", "mean.bias", "log_variance.weight", "log_variance.bias"}));
  at::Generator generator = at::detail::createCPUGenerator(5);
  const auto before = at::rand({1}, generator);
  generator = at::detail::createCPUGenerator(5);
  const LatentPosterior posterior = head->forward(torch::randn({2, 5}), generator);
  EXPECT_FALSE(posterior.binary_log_alpha.defined());
  EXPECT_TRUE(torch::equal(at::rand({1}, generator), before));
}

TEST(LatentKl, WeighsTheBinaryVariables) {
  LatentPosterior posterior;
  posterior.gaussian = {torch::ones({2, 1}), torch::zeros({2, 1})};
  posterior.binary_log_alpha = torch::tensor({{2.0}, {-1.0}});
  const LatentKl kl = latent_kl_per_dim(posterior, MixedLatentOptions().binary_priors({0.5}));
  const double bern0 = closed_form_kl(-2.0), bern1 = closed_form_kl(1.0);
  EXPECT_NEAR(kl.binary[0][0].item<double>(), bern0, 1e-6);
  const auto total = kl.weighted_sum(0.25);
  EXPECT_NEAR(total[0].item<double>(), 0.5 + 0.25 * bern0, 1e-6);
  EXPECT_NEAR(total[1].item<double>(), 0.5 + 0.25 * bern1, 1e-6);
  EXPECT_THROW(latent_kl_per_dim(posterior, MixedLatentOptions()), InvalidArgument);
  EXPECT_THROW(MixedLatentOptions().binary_priors({0.0}).validate(), InvalidArgument);
}

TEST(DenseVae, DecodesGaussianAndBinaryCoordinates) {
  DenseVae vae(DenseVaeOptions().input_dim(3).latent_dim(2).mixed_latents(MixedLatentOptions().binary_priors({0.5})));
  at::Generator generator = at::detail::createCPUGenerator(1);
  const LatentPosterior posterior = vae->encode(torch::randn({5, 3}), generator);
  EXPECT_EQ(vae->decode(sample_latent(posterior, generator)).sizes(), (std::vector<int64_t>{5, 3}));
}

}  // namespace
}  // namespace otae::nn
