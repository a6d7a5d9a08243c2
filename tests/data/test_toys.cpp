// Toy datasets: the spec grammar, shapes, determinism by seed, and sample moments against the
// generative formulas within statistical tolerance.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "../support/error_message.hpp"
#include "otae/base/error.hpp"
#include "otae/data/toy_datasets.hpp"
#include "otae/physics/units.hpp"

namespace otae::data {
namespace {

constexpr auto config_error_of = &otae::testing::message_of<ConfigError>;

// Sample covariance [d, d] float64 of points [n, d].
at::Tensor covariance(const at::Tensor& points) {
  const at::Tensor centred = points.to(at::kDouble) - points.to(at::kDouble).mean(0);
  return centred.t().matmul(centred) / double(points.size(0));
}

TEST(ToySpec, ParsesNameParametersCountAndSeed) {
  const ToySpec spec = parse_toy_spec("toy:gaussian:2,1,0.5,0.25?n=1000&seed=3");
  EXPECT_EQ(spec.name, "gaussian");
  EXPECT_EQ(spec.parameters, (std::vector<double>{2, 1, 0.5, 0.25}));
  EXPECT_EQ(spec.count, 1000);
  EXPECT_EQ(spec.seed, 3u);
  EXPECT_EQ(parse_toy_spec("toy:circle?seed=18446744073709551615").seed, 18446744073709551615ull);
}

TEST(ToySpec, FillsInDefaults) {
  EXPECT_EQ(parse_toy_spec("toy:gaussian11").count, 500000);
  EXPECT_EQ(parse_toy_spec("toy:gaussian:1").count, 100000);
  EXPECT_EQ(parse_toy_spec("toy:bananas").parameters, (std::vector<double>{0.5, 0.1}));
  EXPECT_EQ(parse_toy_spec("toy:circle?n=7").parameters, (std::vector<double>{1.0, 0.05}));
  EXPECT_EQ(parse_toy_spec("toy:circle").seed, 0u);
}

TEST(ToySpec, KnowsItsNames) {
  EXPECT_EQ(toy_names(), (std::vector<std::string>{"gaussian", "gaussian11", "bananas", "circle"}));
  EXPECT_TRUE(is_toy_spec("toy:circle"));
  EXPECT_FALSE(is_toy_spec("samples/wjets_small.h5"));
}

TEST(ToySpec, AnUnknownNameListsTheKnownOnes) {
  const std::string message = config_error_of([] { parse_toy_spec("toy:moons?n=10"); });
  EXPECT_NE(message.find("'moons'"), std::string::npos) << message;
  for (const std::string& name : toy_names()) EXPECT_NE(message.find(name), std::string::npos) << message;
}

TEST(ToySpec, RejectsMalformedSpecsEchoingThem) {
  for (const char* bad : {"gaussian:1,2", "toy:", "toy:gaussian", "toy:gaussian:", "toy:gaussian:1,,2",
                          "toy:gaussian:1,x", "toy:gaussian:1,2,", "toy:gaussian:1,-2", "toy:gaussian:0",
                          "toy:gaussian:nan", "toy:gaussian11:1", "toy:bananas:1", "toy:bananas:1,-0.1",
                          "toy:circle:0,0.1", "toy:circle?n=0", "toy:circle?n=-5", "toy:circle?n=1e3",
                          "toy:circle?seed=abc", "toy:circle?count=5", "toy:circle?n=5&", "toy:circle?n"}) {
    const std::string message = config_error_of([&] { parse_toy_spec(bad); });
    EXPECT_NE(message.find(std::string("'") + bad + "'"), std::string::npos) << bad << " gave: " << message;
  }
  EXPECT_NE(config_error_of([] { parse_toy_spec("toy:circle?count=5"); }).find("n and seed"), std::string::npos);
}

TEST(MakeToy, HasTheDocumentedShapes) {
  EXPECT_EQ(make_toy("toy:gaussian:2,1,0.5,0.25?n=123").sizes(), (at::IntArrayRef{123, 4}));
  EXPECT_EQ(make_toy("toy:gaussian11?n=10").sizes(), (at::IntArrayRef{10, 11}));
  EXPECT_EQ(make_toy("toy:bananas?n=10").sizes(), (at::IntArrayRef{10, 2}));
  const at::Tensor circle = make_toy("toy:circle?n=10");
  EXPECT_EQ(circle.sizes(), (at::IntArrayRef{10, 2}));
  EXPECT_EQ(circle.scalar_type(), at::kFloat);
}

TEST(MakeToy, IsDeterministicBySeed) {
  for (const std::string& name : {"gaussian:1,2", "gaussian11", "bananas", "circle"}) {
    const std::string spec = "toy:" + name + "?n=500&seed=";
    EXPECT_TRUE(at::equal(make_toy(spec + "5"), make_toy(spec + "5"))) << name;
    EXPECT_FALSE(at::allclose(make_toy(spec + "5"), make_toy(spec + "6"))) << name;
  }
  // The first points of a longer draw are those of a shorter one: n does not reseed.
  EXPECT_TRUE(at::equal(make_toy("toy:bananas?n=1000").narrow(0, 0, 10), make_toy("toy:bananas?n=10")));
}

TEST(MakeToy, GaussianCovarianceMatchesSigmas) {
  const int64_t n = 200000;
  const at::Tensor points = make_toy("toy:gaussian:2,1,0.5,0.25?n=200000&seed=1");
  const at::Tensor sigma = at::tensor({2.0, 1.0, 0.5, 0.25}, at::kDouble);
  const at::Tensor c = covariance(points);
  // The variance estimate has relative standard error √(2/n); the covariance σᵢσⱼ/√n.
  const at::Tensor relative = c.diagonal() / sigma.pow(2) - 1.0;
  EXPECT_LT(relative.abs().max().item<double>(), 5.0 * std::sqrt(2.0 / n)) << c;
  const at::Tensor off = (c - at::diag(c.diagonal())) / at::outer(sigma, sigma);
  EXPECT_LT(off.abs().max().item<double>(), 5.0 / std::sqrt(double(n))) << c;
  const at::Tensor mean_in_sigmas = points.to(at::kDouble).mean(0) / sigma;
  EXPECT_LT(mean_in_sigmas.abs().max().item<double>(), 5.0 / std::sqrt(double(n)));
}

TEST(MakeToy, GaussianTailsAreGaussian) {
  // Box–Muller errors show up in the tails first: P(|x| > 2σ) = 0.0455, P(|x| > 3σ) = 0.0027.
  const at::Tensor x = make_toy("toy:gaussian:1?n=400000&seed=2").squeeze(1).abs();
  const double beyond2 = (x > 2.0).to(at::kDouble).mean().item<double>();
  const double beyond3 = (x > 3.0).to(at::kDouble).mean().item<double>();
  EXPECT_NEAR(beyond2, 0.0455, 5.0 * std::sqrt(0.0455 / 400000.0));
  EXPECT_NEAR(beyond3, 0.0027, 5.0 * std::sqrt(0.0027 / 400000.0));
}

TEST(MakeToy, Gaussian11HasTenUnitDirectionsAndOneNarrow) {
  const at::Tensor c = covariance(make_toy("toy:gaussian11?n=100000&seed=4"));
  const double tolerance = 5.0 * std::sqrt(2.0 / 100000.0);
  for (int64_t j = 0; j < 10; ++j) EXPECT_NEAR(c[j][j].item<double>(), 1.0, tolerance) << j;
  EXPECT_NEAR(c[10][10].item<double>(), 0.01, 0.01 * tolerance);
}

TEST(MakeToy, BananasFollowTheirFormula) {
  // x = (t, a (t² − 1) + s ε): the residual x₂ − a (x₁² − 1) is N(0, s²), and x₁ is N(0, 1).
  const double a = 0.8, s = 0.2;
  const at::Tensor points = make_toy("toy:bananas:0.8,0.2?n=100000&seed=8").to(at::kDouble);
  const at::Tensor t = points.select(1, 0), y = points.select(1, 1);
  const at::Tensor residual = y - a * (t * t - 1.0);
  const double tolerance = 5.0 / std::sqrt(100000.0);
  EXPECT_NEAR(residual.mean().item<double>(), 0.0, s * tolerance);
  EXPECT_NEAR(residual.std().item<double>(), s, s * tolerance);
  EXPECT_NEAR(t.std().item<double>(), 1.0, tolerance);
  EXPECT_NEAR(y.mean().item<double>(), 0.0, 3.0 * a * tolerance) << "the −1 centres the banana";
  EXPECT_NEAR((residual * t).mean().item<double>(), 0.0, s * tolerance) << "the noise ignores t";
}

TEST(MakeToy, CircleHasItsRadiusAndUniformAngle) {
  const at::Tensor points = make_toy("toy:circle:2,0.1?n=100000&seed=9").to(at::kDouble);
  const at::Tensor r = points.norm(2, 1);
  const at::Tensor theta = at::atan2(points.select(1, 1), points.select(1, 0));
  const double tolerance = 5.0 / std::sqrt(100000.0);
  EXPECT_NEAR(r.mean().item<double>(), 2.0, 0.1 * tolerance);
  EXPECT_NEAR(r.std().item<double>(), 0.1, 0.1 * tolerance);
  EXPECT_NEAR(at::cos(theta).mean().item<double>(), 0.0, tolerance);
  EXPECT_NEAR(at::sin(theta).mean().item<double>(), 0.0, tolerance);
  for (double low : {-3.0, -1.0, 0.5, 2.5})  // any arc of 0.5 rad holds 0.5/2π of the points
    EXPECT_NEAR(((theta >= low) & (theta < low + 0.5)).to(at::kDouble).mean().item<double>(),
                0.5 / physics::kTwoPi, tolerance * 0.3);
}

TEST(MakeToy, RejectsAHandMadeBadSpec) {
  ToySpec spec;
  spec.name = "gaussian";
  spec.parameters = {1.0};
  spec.count = 0;
  EXPECT_THROW(make_toy(spec), ConfigError);
  spec.count = 10;
  spec.name = "Gaussian";
  EXPECT_THROW(make_toy(spec), ConfigError);
}

}  // namespace
}  // namespace otae::data
