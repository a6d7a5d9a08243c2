// The KL spectrum against its closed form, and the ranking and counting of directions.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "otae/analysis/kl_spectrum.hpp"
#include "otae/base/error.hpp"

namespace {

namespace analysis = otae::analysis;

TEST(KlSpectrum, PriorCarriesNothing) {
  const auto spectrum = analysis::kl_spectrum(at::zeros({10, 4}), at::zeros({10, 4}));
  EXPECT_TRUE(at::equal(spectrum.kl, at::zeros({4}, at::kDouble)));
  EXPECT_TRUE(at::equal(spectrum.kl_error, at::zeros({4}, at::kDouble)));
  EXPECT_EQ(spectrum.kl.scalar_type(), at::kDouble);
}

TEST(KlSpectrum, ClosedFormPerDirection) {
  // Direction 0: μ = ±2 on alternate jets, σ² = 1 → KL = ½μ² = 2 on every jet.
  // Direction 1: μ = 0, ln σ² = −2 → KL = ½(e⁻² − 1 + 2) on every jet.
  // Direction 2: μ = 0, 1, 2, 3 with σ² = 1 → KL = 0, ½, 2, 4.5 (mean 1.75).
  const at::Tensor mu =
      at::tensor({2.0, 0.0, 0.0, -2.0, 0.0, 1.0, 2.0, 0.0, 2.0, -2.0, 0.0, 3.0}, at::kDouble).view({4, 3});
  at::Tensor log_variance = at::zeros({4, 3}, at::kDouble);
  log_variance.select(1, 1).fill_(-2.0);
  const auto spectrum = analysis::kl_spectrum(mu, log_variance);
  EXPECT_NEAR(spectrum.kl[0].item<double>(), 2.0, 1e-15);
  EXPECT_NEAR(spectrum.kl[1].item<double>(), 0.5 * (std::exp(-2.0) + 1.0), 1e-15);
  EXPECT_NEAR(spectrum.kl[2].item<double>(), 1.75, 1e-15);
  EXPECT_NEAR(spectrum.kl_error[0].item<double>(), 0.0, 1e-15);
  const std::vector<double> per_jet = {0.0, 0.5, 2.0, 4.5};
  double squares = 0;
  for (double v : per_jet) squares += (v - 1.75) * (v - 1.75);
  EXPECT_NEAR(spectrum.kl_error[2].item<double>(), std::sqrt(squares / 3) / 2, 1e-15);
}

TEST(KlSpectrum, RanksAndCountsInformativeDirections) {
  const at::Tensor kl = at::tensor({0.002, 3.5, 0.1, 0.8, 3.5, 0.15}, at::kDouble);
  EXPECT_EQ(analysis::rank_directions(kl), (std::vector<int64_t>{1, 4, 3, 5, 2, 0}));  // ties by index
  // 0.1 itself is not above the default threshold of 0.1 nats.
  EXPECT_EQ(analysis::informative_directions(kl), (std::vector<int64_t>{1, 4, 3, 5}));
  EXPECT_EQ(analysis::count_informative(kl), 4);
  EXPECT_EQ(analysis::count_informative(kl, 1.0), 2);
  EXPECT_EQ(analysis::count_informative(kl, 0.0), 6);
  EXPECT_EQ(analysis::count_informative(at::zeros({3}), 0.0), 0);
}

TEST(KlSpectrum, RejectsBadInput) {
  EXPECT_THROW(analysis::kl_spectrum(at::zeros({1, 3}), at::zeros({1, 3})), otae::InvalidArgument);
  EXPECT_THROW(analysis::kl_spectrum(at::zeros({5, 3}), at::zeros({5, 2})), otae::InvalidArgument);
  EXPECT_THROW(analysis::kl_spectrum(at::zeros({5}), at::zeros({5})), otae::InvalidArgument);
  at::Tensor bad = at::zeros({5, 3});
  bad[1][2] = INFINITY;
  EXPECT_THROW(analysis::kl_spectrum(at::zeros({5, 3}), bad), otae::InvalidArgument);
  EXPECT_THROW(analysis::rank_directions(at::zeros({2, 2})), otae::InvalidArgument);
  EXPECT_THROW(analysis::rank_directions(at::tensor({1.0, NAN}, at::kDouble)), otae::InvalidArgument);
  EXPECT_THROW(analysis::informative_directions(at::zeros({3}), -0.1), otae::InvalidArgument);
}

TEST(KlSpectrum, JsonLayout) {
  const at::Tensor mu = at::tensor({0.0, 1.0, 0.0, -1.0}, at::kDouble).view({2, 2});
  const auto json = analysis::to_json(analysis::kl_spectrum(mu, at::zeros({2, 2})));
  EXPECT_EQ(json["ranking"], (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(json["informative"], (std::vector<int64_t>{1}));
  EXPECT_EQ(json["threshold"], analysis::kInformativeKlThreshold);
  EXPECT_NEAR(json["kl"][1].get<double>(), 0.5, 1e-15);
}

}  // namespace
