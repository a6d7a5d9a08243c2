// Spearman correlations against SciPy's (stored by tests/fixtures/make_analysis_fixtures.py),
// the k-NN mutual information against closed forms, and the latent ↔ physics table.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "otae/analysis/latent_physics.hpp"
#include "otae/base/error.hpp"

namespace {

namespace analysis = otae::analysis;
using nlohmann::json;

const json& fixtures() {
  static const json data = [] {
    const std::string path = std::string(OTAE_SOURCE_DIR) + "/tests/fixtures/analysis_scipy.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path + "; run tests/fixtures/make_analysis_fixtures.py");
    return json::parse(in);
  }();
  return data;
}

at::Tensor sample(const json& values) { return at::tensor(values.get<std::vector<double>>(), at::kDouble); }

at::Generator seeded(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

TEST(SpearmanCorrelation, AgreesWithScipy) {
  const json& cases = fixtures()["spearman"];
  ASSERT_GE(cases.size(), 5u);
  for (const json& c : cases)
    EXPECT_NEAR(analysis::spearman_correlation(sample(c["x"]), sample(c["y"])), c["rho"].get<double>(), 1e-12)
        << c["name"];
}

TEST(SpearmanCorrelation, ConstantInputIsUndefined) {
  EXPECT_TRUE(std::isnan(analysis::spearman_correlation(at::ones({5}), at::arange(5, at::kDouble))));
}

TEST(SpearmanCorrelation, RejectsBadInput) {
  EXPECT_THROW(analysis::spearman_correlation(at::zeros({5}), at::zeros({4})), otae::InvalidArgument);
  EXPECT_THROW(analysis::spearman_correlation(at::zeros({1}), at::zeros({1})), otae::InvalidArgument);
  EXPECT_THROW(analysis::spearman_correlation(at::zeros({3, 2}), at::zeros({3, 2})), otae::InvalidArgument);
  EXPECT_THROW(analysis::spearman_correlation(at::tensor({1.0, NAN}), at::zeros({2})), otae::InvalidArgument);
}

// −½ ln(1 − ρ²): the mutual information of a bivariate Gaussian with correlation ρ.
double gaussian_mutual_information(double rho) { return -0.5 * std::log(1 - rho * rho); }

std::pair<at::Tensor, at::Tensor> correlated_gaussians(int64_t n, double rho, uint64_t seed) {
  at::Generator g = seeded(seed);
  const at::Tensor x = at::randn({n}, g, at::kDouble);
  const at::Tensor y = rho * x + std::sqrt(1 - rho * rho) * at::randn({n}, g, at::kDouble);
  return {x, y};
}

TEST(MutualInformation, IndependentVariablesShareNothing) {
  for (uint64_t seed : {1, 2, 3}) {
    const auto [x, y] = correlated_gaussians(2000, 0.0, seed);
    EXPECT_NEAR(analysis::mutual_information(x, y), 0.0, 0.03) << "seed " << seed;
  }
}

TEST(MutualInformation, BivariateGaussians) {
  // The mean of four samples: the estimator scatters by ~0.025 nats at N = 3000.
  for (double rho : {0.3, 0.6, -0.8, 0.95}) {
    double mean = 0;
    for (uint64_t seed : {7, 8, 9, 10}) {
      const auto [x, y] = correlated_gaussians(3000, rho, seed);
      mean += analysis::mutual_information(x, y) / 4;
    }
    EXPECT_NEAR(mean, gaussian_mutual_information(rho), 0.04) << "rho " << rho;
  }
}

TEST(MutualInformation, InvariantUnderIncreasingMaps) {
  const auto [x, y] = correlated_gaussians(1000, 0.7, 11);
  EXPECT_EQ(analysis::mutual_information(at::exp(x), y * y * y), analysis::mutual_information(x, y));
}

TEST(MutualInformation, IdenticalVariablesShareALot) {
  const at::Tensor x = at::randn({2000}, seeded(5), at::kDouble);
  const at::Tensor noise = at::randn({2000}, seeded(6), at::kDouble);
  // y = x: the estimator's ceiling at this N, ≈ ln N − 1.5 ≈ 6.1 for N = 2000, k = 3.
  const double identical = analysis::mutual_information(x, x);
  EXPECT_GT(identical, 5.0);
  // Less and less as noise is added: ½ ln(1 + 1/0.1²) ≈ 2.31 and ½ ln 2 ≈ 0.35.
  EXPECT_NEAR(analysis::mutual_information(x, x + 0.1 * noise), 0.5 * std::log(101.0), 0.1);
  EXPECT_NEAR(analysis::mutual_information(x, x + noise), 0.5 * std::log(2.0), 0.05);
}

// I(label; y) for an equiprobable binary label and y ~ N(shift·label, 1), by the trapezoidal rule.
double label_information(double shift) {
  const auto density = [](double z) { return std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI); };
  const double low = -12, high = shift + 12, step = 1e-3;
  double conditional_entropy = 0;
  for (double y = low; y <= high; y += step) {
    const double p0 = 0.5 * density(y), p1 = 0.5 * density(y - shift), p = p0 + p1;
    double h = 0;
    for (double q : {p0 / p, p1 / p})
      if (q > 0) h -= q * std::log(q);
    conditional_entropy += p * h * step;
  }
  return std::log(2.0) - conditional_entropy;
}

TEST(MutualInformation, DiscreteColumnWithTies) {
  // A binary truth label copied into y: I = ln 2, though every value is tied with half the others.
  const at::Tensor label = at::bernoulli(at::full({2000}, 0.5, at::kDouble), seeded(8));
  EXPECT_NEAR(analysis::mutual_information(label, label.clone()), std::log(2.0), 0.05);
  // Label against a Gaussian shifted by 4σ with it: I = ln 2 − ⟨H(label | y)⟩, integrated here.
  const at::Tensor shifted = 4 * label + at::randn({2000}, seeded(9), at::kDouble);
  EXPECT_NEAR(analysis::mutual_information(label, shifted), label_information(4.0), 0.05);
}

TEST(MutualInformation, DeterministicPerSeed) {
  const auto [x, y] = correlated_gaussians(500, 0.5, 12);
  const auto options = analysis::MutualInformationOptions().seed(42);
  EXPECT_EQ(analysis::mutual_information(x, y, options), analysis::mutual_information(x, y, options));
  EXPECT_THROW(analysis::mutual_information(x, y, analysis::MutualInformationOptions().neighbours(0)),
               otae::InvalidArgument);
  EXPECT_THROW(analysis::mutual_information(at::zeros({3}), at::zeros({3})), otae::InvalidArgument);  // N ≤ k
}

TEST(LatentPhysicsTable, NamesWhatEachDirectionEncodes) {
  const int64_t n = 1500;
  at::Generator g = seeded(13);
  const at::Tensor eta = at::randn({n}, g, at::kDouble);
  const at::Tensor phi = (at::rand({n}, g, at::kDouble) * 2 - 1) * M_PI;
  const at::Tensor pt = 500 + 50 * at::randn({n}, g, at::kDouble);
  // z0 ≈ η, z1 ≈ cos φ, z2 = |η| (non-monotone), z3 noise.
  const at::Tensor latents =
      at::stack({eta + 0.1 * at::randn({n}, g, at::kDouble), at::cos(phi) + 0.05 * at::randn({n}, g, at::kDouble),
                 eta.abs(), at::randn({n}, g, at::kDouble)},
                1);
  const std::vector<analysis::PhysicsQuantity> quantities = {
      {"eta", eta, false}, {"phi", phi, true}, {"pt_GeV", pt, false}};
  const auto table = analysis::latent_physics_table(latents, {0, 1, 2, 3}, quantities);
  EXPECT_EQ(table.quantities, (std::vector<std::string>{"eta", "sin(phi)", "cos(phi)", "pt_GeV"}));
  EXPECT_EQ(table.spearman.sizes(), (std::vector<int64_t>{4, 4}));
  EXPECT_EQ(table.mutual_information.sizes(), (std::vector<int64_t>{4, 4}));
  EXPECT_GT(table.spearman[0][0].item<double>(), 0.98);
  EXPECT_NEAR(table.spearman[2][0].item<double>(), 0.0, 0.1);  // |η| is invisible to ranks of η

  const auto by_information = analysis::best_matching_quantities(table);
  EXPECT_EQ(by_information[0].quantity, "eta");
  EXPECT_EQ(by_information[1].quantity, "cos(phi)");
  EXPECT_EQ(by_information[2].quantity, "eta");  // mutual information sees the fold
  EXPECT_LT(by_information[3].mutual_information, 0.05);
  EXPECT_EQ(by_information[1].direction, 1);
  const auto by_rank = analysis::best_matching_quantities(table, analysis::MatchBy::kSpearman);
  EXPECT_EQ(by_rank[0].quantity, "eta");
  EXPECT_EQ(by_rank[1].quantity, "cos(phi)");

  const json out = analysis::to_json(table);
  EXPECT_EQ(out["quantities"].size(), 4u);
  EXPECT_EQ(out["spearman"].size(), 4u);
  EXPECT_EQ(out["mutual_information"][1].size(), 4u);
}

TEST(LatentPhysicsTable, RejectsBadInput) {
  const at::Tensor latents = at::randn({20, 2}, seeded(14), at::kDouble);
  const std::vector<analysis::PhysicsQuantity> ok = {{"eta", at::randn({20}, seeded(15), at::kDouble), false}};
  EXPECT_THROW(analysis::latent_physics_table(latents, {2}, ok), otae::InvalidArgument);
  EXPECT_THROW(analysis::latent_physics_table(latents, {0}, {{"eta", at::zeros({19}), false}}), otae::InvalidArgument);
  EXPECT_THROW(analysis::latent_physics_table(latents, {0}, {{"", at::zeros({20}), false}}), otae::InvalidArgument);
  EXPECT_THROW(analysis::best_matching_quantities(analysis::latent_physics_table(latents, {0}, {})),
               otae::InvalidArgument);
}

}  // namespace
