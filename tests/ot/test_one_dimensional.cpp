// 1-D two-sample metrics against SciPy/POT answers stored by
// tests/fixtures/make_one_dimensional_fixtures.py, and against closed forms worked out by hand.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/error_message.hpp"
#include "otae/base/error.hpp"
#include "otae/ot/one_dimensional.hpp"

namespace {

using nlohmann::json;
using otae::InvalidArgument;
namespace ot = otae::ot;

const json& fixtures() {
  static const json data = [] {
    const std::string path = std::string(OTAE_SOURCE_DIR) + "/tests/fixtures/one_dimensional_scipy.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path + "; run tests/fixtures/make_one_dimensional_fixtures.py");
    return json::parse(in);
  }();
  return data;
}

at::Tensor fixture_sample(const json& values) { return at::tensor(values.get<std::vector<double>>(), at::kDouble); }
at::Tensor sample(const std::vector<double>& values) { return at::tensor(values, at::kDouble); }

/// |actual − expected| ≤ relative·|expected| + absolute.
::testing::AssertionResult close(double actual, double expected, double relative, double absolute = 0) {
  const double error = std::abs(actual - expected);
  if (error <= relative * std::abs(expected) + absolute) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "actual " << actual << " expected " << expected << " (error " << error
                                       << ", relative " << error / std::abs(expected) << ")";
}

constexpr auto message_of = &otae::testing::message_of<InvalidArgument>;

TEST(QuantileCoupling, EqualSizesIsTheIdentity) {
  const ot::QuantileCoupling c = ot::quantile_coupling(4, 4);
  EXPECT_EQ(c.index_a, (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(c.index_b, (std::vector<int64_t>{0, 1, 2, 3}));
  for (double w : c.weight) EXPECT_EQ(w, 0.25);
}

TEST(QuantileCoupling, TwoAgainstThreeByHand) {
  // Cuts at 1/2 (a) and 1/3, 2/3 (b): pieces [0,1/3) [1/3,1/2) [1/2,2/3) [2/3,1).
  const ot::QuantileCoupling c = ot::quantile_coupling(2, 3);
  EXPECT_EQ(c.index_a, (std::vector<int64_t>{0, 0, 1, 1}));
  EXPECT_EQ(c.index_b, (std::vector<int64_t>{0, 1, 1, 2}));
  const std::vector<double> expected{1.0 / 3, 1.0 / 6, 1.0 / 6, 1.0 / 3};
  for (size_t k = 0; k < 4; ++k) EXPECT_DOUBLE_EQ(c.weight[k], expected[k]);
}

TEST(QuantileCoupling, PieceCountAndMassForSharedCuts) {
  // Cuts shared by both samples (at multiples of 1/gcd) are counted once: K = n_a + n_b − gcd.
  const ot::QuantileCoupling c = ot::quantile_coupling(6, 4);
  EXPECT_EQ(c.weight.size(), 6u + 4u - 2u);
  double mass = 0;
  for (size_t k = 0; k < c.weight.size(); ++k) {
    mass += c.weight[k];
    EXPECT_GT(c.weight[k], 0);
    if (k > 0) {
      EXPECT_GE(c.index_a[k], c.index_a[k - 1]);
      EXPECT_GE(c.index_b[k], c.index_b[k - 1]);
      EXPECT_EQ((c.index_a[k] - c.index_a[k - 1]) + (c.index_b[k] - c.index_b[k - 1]) > 0, true);
    }
  }
  EXPECT_NEAR(mass, 1.0, 1e-15);
  EXPECT_THROW(ot::quantile_coupling(0, 3), InvalidArgument);
}

TEST(Wasserstein1d, MatchesScipyAndPot) {
  for (const json& c : fixtures()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const ot::Wasserstein1dResult w = ot::wasserstein_1d(fixture_sample(c["a"]), fixture_sample(c["b"]));
    EXPECT_TRUE(close(w.w1, c["w1"].get<double>(), 1e-12));
    EXPECT_TRUE(close(w.w2_squared, c["w2_squared"].get<double>(), 1e-12));
    EXPECT_DOUBLE_EQ(w.w2, std::sqrt(w.w2_squared));
  }
}

TEST(Wasserstein1d, ShiftGivesTheShift) {
  const at::Tensor a = at::randn({157}, at::kDouble);
  const ot::Wasserstein1dResult w = ot::wasserstein_1d(a, a + 0.7);
  EXPECT_NEAR(w.w1, 0.7, 1e-14);
  EXPECT_NEAR(w.w2_squared, 0.49, 1e-14);
  const ot::Wasserstein1dResult same = ot::wasserstein_1d(a, a.flip(0));
  EXPECT_EQ(same.w1, 0.0);
  EXPECT_EQ(same.w2_squared, 0.0);
}

TEST(Wasserstein1d, AnyRealDtypeGivesTheSameNumbers) {
  const json& c = fixtures()["cases"][2];  // Poisson counts: exact in every dtype
  ASSERT_EQ(c["name"], "ties_poisson");
  const ot::Wasserstein1dResult reference = ot::wasserstein_1d(fixture_sample(c["a"]), fixture_sample(c["b"]));
  for (at::ScalarType dtype : {at::kFloat, at::kLong, at::kInt}) {
    const ot::Wasserstein1dResult w = ot::wasserstein_1d(fixture_sample(c["a"]).to(dtype), fixture_sample(c["b"]).to(dtype));
    EXPECT_EQ(w.w1, reference.w1);
    EXPECT_EQ(w.w2_squared, reference.w2_squared);
  }
}

TEST(KolmogorovSmirnov, MatchesScipyExact) {
  for (const json& c : fixtures()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const ot::KolmogorovSmirnovResult ks = ot::kolmogorov_smirnov(fixture_sample(c["a"]), fixture_sample(c["b"]));
    EXPECT_EQ(ks.method, ot::KsMethod::kExact);  // every fixture has max(N_a, N_b) ≤ 10,000
    EXPECT_NEAR(ks.statistic, c["ks_statistic"].get<double>(), 1e-15);
    EXPECT_TRUE(close(ks.p_value, c["ks_p_exact"].get<double>(), 1e-12, 1e-300));
  }
}

TEST(KolmogorovSmirnov, AsymptoticIsKolmogorovsLimit) {
  for (const json& c : fixtures()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const ot::KolmogorovSmirnovResult ks =
        ot::kolmogorov_smirnov(fixture_sample(c["a"]), fixture_sample(c["b"]), ot::KsMethod::kAsymptotic);
    EXPECT_EQ(ks.method, ot::KsMethod::kAsymptotic);
    EXPECT_TRUE(close(ks.p_value, c["ks_p_kolmogorov"].get<double>(), 1e-12, 1e-300));
    // SciPy ≥ 1.5's method='asymp' (finite-n law) lies below the limit, close to it for large n_e.
    const double scipy_asymp = c["ks_p_scipy_asymp"].get<double>();
    EXPECT_GE(ks.p_value, scipy_asymp);
    const double n_a = c["a"].size(), n_b = c["b"].size();
    if (n_a * n_b / (n_a + n_b) > 250) {
      EXPECT_TRUE(close(ks.p_value, scipy_asymp, 0.05));
    }
  }
}

TEST(KolmogorovSmirnov, DisjointSamplesByHand) {
  // All of a below all of b gives D = 1, which only the two interleavings that put one whole
  // sample first reach: p = P(D ≥ 1) = 2 / C(N_a + N_b, N_a).
  const ot::KolmogorovSmirnovResult small = ot::kolmogorov_smirnov(sample({1, 2, 3}), sample({4, 5, 6}));
  EXPECT_EQ(small.statistic, 1.0);
  EXPECT_NEAR(small.p_value, 2.0 / 20.0, 1e-15);

  const json& c = fixtures()["cases"][6];
  ASSERT_EQ(c["name"], "disjoint");
  const ot::KolmogorovSmirnovResult ks = ot::kolmogorov_smirnov(fixture_sample(c["a"]), fixture_sample(c["b"]));
  const double log_binomial = std::lgamma(141.0) - std::lgamma(61.0) - std::lgamma(81.0);
  EXPECT_TRUE(close(ks.p_value, 2.0 * std::exp(-log_binomial), 1e-11));
}

TEST(KolmogorovSmirnov, TiesCountTogether) {
  // F_a − F_b after x = 1: 2/2 − 1/2; the tie at 1 must not be split (that would give D = 1).
  const ot::KolmogorovSmirnovResult ks = ot::kolmogorov_smirnov(sample({1, 1}), sample({1, 2}));
  EXPECT_DOUBLE_EQ(ks.statistic, 0.5);
  const ot::KolmogorovSmirnovResult same = ot::kolmogorov_smirnov(sample({3, 1, 2}), sample({2, 3, 1}));
  EXPECT_EQ(same.statistic, 0.0);
  EXPECT_EQ(same.p_value, 1.0);
}

TEST(KolmogorovSmirnov, AutoSwitchesToAsymptoticAboveTenThousand) {
  const at::Tensor a = at::randn({10001}, at::kDouble), b = at::randn({300}, at::kDouble);
  EXPECT_EQ(ot::kolmogorov_smirnov(a, b).method, ot::KsMethod::kAsymptotic);
  EXPECT_EQ(ot::kolmogorov_smirnov(a.narrow(0, 0, 10000), b).method, ot::KsMethod::kExact);
}

TEST(KolmogorovSurvival, MatchesScipy) {
  for (const json& row : fixtures()["kolmogorov"]) {
    SCOPED_TRACE(row.dump());
    EXPECT_TRUE(close(ot::kolmogorov_survival(row["lambda"].get<double>()), row["q"].get<double>(), 1e-13, 1e-16));
  }
  EXPECT_EQ(ot::kolmogorov_survival(0.0), 1.0);
  EXPECT_THROW(ot::kolmogorov_survival(std::nan("")), InvalidArgument);
}

TEST(BinnedChiSquared, MatchesNumpyBinningAndScipy) {
  for (const json& c : fixtures()["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const auto options = ot::ChiSquaredOptions()
                             .bins(fixtures()["chi2_bins"].get<int64_t>())
                             .min_count(fixtures()["chi2_min_count"].get<int64_t>());
    if (c["chi2"].is_null()) {
      EXPECT_THROW(ot::binned_chi_squared(fixture_sample(c["a"]), fixture_sample(c["b"]), options), InvalidArgument);
      continue;
    }
    const json& expected = c["chi2"];
    const ot::ChiSquaredResult chi = ot::binned_chi_squared(fixture_sample(c["a"]), fixture_sample(c["b"]), options);
    EXPECT_EQ(chi.edges, expected["edges"].get<std::vector<double>>());
    EXPECT_EQ(chi.counts_a, expected["counts_a"].get<std::vector<int64_t>>());
    EXPECT_EQ(chi.counts_b, expected["counts_b"].get<std::vector<int64_t>>());
    EXPECT_EQ(chi.dof, expected["dof"].get<int64_t>());
    EXPECT_TRUE(close(chi.chi2, expected["chi2"].get<double>(), 1e-12));
    EXPECT_DOUBLE_EQ(chi.reduced_chi2, chi.chi2 / static_cast<double>(chi.dof));
    EXPECT_TRUE(close(chi.p_value, expected["p_value"].get<double>(), 1e-12));
  }
}

TEST(BinnedChiSquared, TwoBinsByHand) {
  // Pooled range [0, 2], two bins [0, 1) [1, 2]: X = (6, 10), Y = (8, 8), N_a = N_b = 16.
  std::vector<double> a(6, 0.0), b(8, 0.0);
  a.insert(a.end(), 10, 2.0);
  b.insert(b.end(), 8, 2.0);
  const ot::ChiSquaredResult chi = ot::binned_chi_squared(sample(a), sample(b), ot::ChiSquaredOptions().bins(2));
  EXPECT_EQ(chi.edges, (std::vector<double>{0.0, 1.0, 2.0}));
  EXPECT_EQ(chi.counts_a, (std::vector<int64_t>{6, 10}));
  EXPECT_EQ(chi.counts_b, (std::vector<int64_t>{8, 8}));
  const double expected = 4.0 / 14.0 + 4.0 / 18.0;  // Σ (X − Y)² / (X + Y)
  EXPECT_NEAR(chi.chi2, expected, 1e-15);
  EXPECT_EQ(chi.dof, 1);
  EXPECT_NEAR(chi.p_value, std::erfc(std::sqrt(expected / 2.0)), 1e-14);  // χ²₁ survival
  EXPECT_NEAR(chi.ratio[0], 0.75, 1e-15);
  EXPECT_NEAR(chi.ratio_error[0], 0.75 * std::sqrt(1.0 / 6 + 1.0 / 8), 1e-15);
  EXPECT_NEAR(chi.ratio[1], 1.25, 1e-15);
}

TEST(BinnedChiSquared, MergesFromTheLeftAndKeepsTheRemainder) {
  // Four bins over [0, 4]. Raw counts a = (3, 4, 6, 2), b = (5, 1, 5, 3): bins 0+1 reach (7, 6),
  // bin 2 alone (6, 5), bin 3 (2, 3) falls short and joins the last merged bin → (8, 8).
  const std::vector<double> a{0.0, 0.5, 0.5, 1.5, 1.5, 1.5, 1.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 3.5, 4.0};
  const std::vector<double> b{0.5, 0.5, 0.5, 0.5, 0.5, 1.5, 2.5, 2.5, 2.5, 2.5, 2.5, 3.5, 3.5, 3.5};
  const ot::ChiSquaredResult chi = ot::binned_chi_squared(sample(a), sample(b), ot::ChiSquaredOptions().bins(4));
  EXPECT_EQ(chi.edges, (std::vector<double>{0.0, 2.0, 4.0}));
  EXPECT_EQ(chi.counts_a, (std::vector<int64_t>{7, 8}));
  EXPECT_EQ(chi.counts_b, (std::vector<int64_t>{6, 8}));
  EXPECT_EQ(chi.dof, 1);
  // Unequal totals N_a = 15, N_b = 14.
  const double sa = std::sqrt(14.0 / 15.0), sb = std::sqrt(15.0 / 14.0);
  const double expected = std::pow(sa * 7 - sb * 6, 2) / 13 + std::pow(sa * 8 - sb * 8, 2) / 16;
  EXPECT_NEAR(chi.chi2, expected, 1e-15);
  EXPECT_NEAR(chi.ratio[1], (8.0 / 15) / (8.0 / 14), 1e-15);
}

TEST(BinnedChiSquared, RejectsWhatCannotBeBinned) {
  EXPECT_THROW(ot::binned_chi_squared(sample({2, 2, 2}), sample({2, 2})), InvalidArgument);
  const std::string few = message_of([] { ot::binned_chi_squared(sample({0, 1, 2, 3}), sample({0, 1, 2, 3})); });
  EXPECT_NE(few.find("only 0 merged bin"), std::string::npos) << few;
  EXPECT_NE(message_of([] { ot::ChiSquaredOptions().bins(1).validate(); }).find("bins=1"), std::string::npos);
  EXPECT_THROW(ot::ChiSquaredOptions().min_count(0).validate(), InvalidArgument);
}

TEST(RegularizedGamma, MatchesScipy) {
  for (const json& row : fixtures()["gamma"]) {
    SCOPED_TRACE(row.dump());
    const double s = row["s"], x = row["x"];
    EXPECT_TRUE(close(ot::regularized_gamma_p(s, x), row["p"].get<double>(), 1e-11, 1e-300));
    EXPECT_TRUE(close(ot::regularized_gamma_q(s, x), row["q"].get<double>(), 1e-11, 1e-300));
    EXPECT_DOUBLE_EQ(ot::chi_squared_survival(2 * x, 2 * s), ot::regularized_gamma_q(s, x));
  }
  EXPECT_NEAR(ot::chi_squared_survival(2.0, 2.0), std::exp(-1.0), 1e-15);  // χ²₂ is exponential
  EXPECT_THROW(ot::regularized_gamma_q(0.0, 1.0), InvalidArgument);
  EXPECT_THROW(ot::regularized_gamma_p(1.0, -1.0), InvalidArgument);
  EXPECT_THROW(ot::chi_squared_survival(std::nan(""), 3.0), InvalidArgument);
}

TEST(OneDimensionalValidation, NamesTheProblemAndTheValue) {
  const std::string nan_message =
      message_of([] { ot::wasserstein_1d(sample({1.0, 2.0, std::nan(""), 4.0}), sample({1.0})); });
  EXPECT_NE(nan_message.find("sample a holds nan at index 2"), std::string::npos) << nan_message;
  const std::string inf_message =
      message_of([] { ot::kolmogorov_smirnov(sample({1.0}), sample({INFINITY})); });
  EXPECT_NE(inf_message.find("sample b holds inf at index 0"), std::string::npos) << inf_message;
  const std::string empty = message_of([] { ot::binned_chi_squared(sample({1.0, 2.0}), at::empty({0}, at::kDouble)); });
  EXPECT_NE(empty.find("sample b is empty"), std::string::npos) << empty;
  const std::string shape = message_of([] { ot::wasserstein_1d(at::zeros({3, 2}), sample({1.0})); });
  EXPECT_NE(shape.find("must be 1-D [N], received shape [3, 2]"), std::string::npos) << shape;
  EXPECT_THROW(ot::wasserstein_1d(at::ones({3}, at::kBool), sample({1.0})), InvalidArgument);
}

}  // namespace
