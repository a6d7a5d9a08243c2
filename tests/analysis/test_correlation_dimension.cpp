// The correlation dimension of samples whose dimension is known (a circle, a plane embedded in
// 5-D, a Gaussian blob in 3-D), the binning at its edges, and the block walk of both drivers
// against the full distance matrix.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "otae/analysis/correlation_dimension.hpp"
#include "otae/base/error.hpp"
#include "otae/ot/pairwise.hpp"

namespace {

namespace analysis = otae::analysis;
using analysis::PairDistanceHistogram;

at::Generator seeded(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

// Checks |D_corr(Q) − expected(Q)| ≤ tolerance at every curve point with Q in [q_low, q_high].
template <typename Expected>
void expect_dimension(const analysis::CorrelationDimensionCurve& curve, double q_low, double q_high,
                      const Expected& expected, double tolerance) {
  int checked = 0;
  for (size_t k = 0; k < curve.q.size(); ++k) {
    if (curve.q[k] < q_low || curve.q[k] > q_high) continue;
    EXPECT_NEAR(curve.dimension[k], expected(curve.q[k]), tolerance)
        << "Q=" << curve.q[k] << " error=" << curve.error[k] << " pairs below=" << curve.pairs_below[k];
    ++checked;
  }
  EXPECT_GE(checked, 4) << "too few points in the scaling region";
}

analysis::PairDistanceOptions unit_scale_binning() {
  // 10 bins per decade from 10⁻⁴ to 10.
  return analysis::PairDistanceOptions().q_min(1e-4).q_max(10.0).bins(50).max_points(0);
}

TEST(CorrelationDimension, CircleIsOneDimensional) {
  at::Generator g = seeded(1);
  const at::Tensor angle = at::rand({2000}, g, at::kDouble) * 2 * M_PI;
  const at::Tensor points = at::stack({at::cos(angle), at::sin(angle)}, 1);
  const auto histogram = analysis::point_pair_distances(points, unit_scale_binning());
  EXPECT_EQ(histogram.pairs(), 2000 * 1999 / 2);
  // Chords of a unit circle: N(Q) ∝ arcsin(Q/2), so D = 1 up to 2 % below Q = 0.5.
  expect_dimension(
      analysis::correlation_dimension(histogram, 2), 2e-3, 0.5, [](double) { return 1.0; }, 0.15);
}

TEST(CorrelationDimension, PlaneInFiveDimensionsIsTwoDimensional) {
  at::Generator g = seeded(2);
  const at::Tensor square = at::rand({4000, 2}, g, at::kDouble);
  // An orthonormal 2-frame of R⁵ and an offset: the plane is tilted in every coordinate.
  const at::Tensor frame = std::get<0>(at::linalg_qr(at::randn({5, 2}, g, at::kDouble)));
  const at::Tensor points = at::matmul(square, frame.t()) + at::randn({5}, g, at::kDouble);
  const auto curve = analysis::correlation_dimension(analysis::point_pair_distances(points, unit_scale_binning()), 2);
  // Unit square: N(Q) ∝ πQ² − 8Q³/3 + Q⁴/2, whose D falls from 2 to 1.96 at Q = 0.05.
  expect_dimension(
      curve, 0.012, 0.06, [](double) { return 2.0; }, 0.15);
  const auto square_dimension = [](double q) {
    return (2 * M_PI * q * q - 8 * q * q * q + 2 * q * q * q * q) /
           (M_PI * q * q - 8 * q * q * q / 3 + q * q * q * q / 2);
  };
  expect_dimension(curve, 0.012, 0.4, square_dimension, 0.1);
}

TEST(CorrelationDimension, GaussianBlobInThreeDimensions) {
  at::Generator g = seeded(3);
  const at::Tensor points = at::randn({3000, 3}, g, at::kDouble);
  const auto curve = analysis::correlation_dimension(analysis::point_pair_distances(points, unit_scale_binning()), 2);
  // x − y ~ N(0, 2·I₃): |x − y|/√2 follows the χ distribution with 3 degrees of freedom, with
  // F(t) = erf(t/√2) − √(2/π) t e^(−t²/2), so D(Q) = t F′(t)/F(t) at t = Q/√2, 3 at small Q.
  const auto chi3_dimension = [](double q) {
    const double t = q / std::sqrt(2.0);
    const double density = std::sqrt(2 / M_PI) * t * t * std::exp(-t * t / 2);
    const double cdf = std::erf(t / std::sqrt(2.0)) - std::sqrt(2 / M_PI) * t * std::exp(-t * t / 2);
    return t * density / cdf;
  };
  expect_dimension(curve, 0.15, 3.0, chi3_dimension, 0.15);
  expect_dimension(
      curve, 0.15, 0.5, [](double) { return 3.0; }, 0.15);
}

TEST(CorrelationDimension, PowerLawCountsGiveTheExponentWithPoissonErrors) {
  // N(Q) = c Q^2.5 placed by hand: one pair at each of the distances where N steps.
  PairDistanceHistogram h(1.0, std::pow(10.0, 1.5), 3);  // edges 1, √10, 10, 10√10
  const std::vector<int64_t> below_edge = {1000, 17783, 316228, 5623413};
  h.add(at::full({below_edge[0]}, 0.5, at::kDouble));
  for (size_t b = 0; b + 1 < below_edge.size(); ++b)
    h.add(at::full({below_edge[b + 1] - below_edge[b]}, h.edges()[b], at::kDouble));
  const auto curve = analysis::correlation_dimension(h, 1);
  ASSERT_EQ(curve.q.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    const double lower = static_cast<double>(below_edge[k]), upper = static_cast<double>(below_edge[k + 1]);
    EXPECT_NEAR(curve.dimension[k], 2.5, 1e-4);
    EXPECT_NEAR(curve.q[k], std::sqrt(h.edges()[k] * h.edges()[k + 1]), 1e-12);
    EXPECT_NEAR(curve.error[k], std::sqrt((upper - lower) / (lower * upper)) / std::log(std::sqrt(10.0)), 1e-15);
    EXPECT_EQ(curve.pairs_below[k], below_edge[k]);
  }
}

TEST(PairDistanceHistogram, EdgesAreExactAndLogSpaced) {
  PairDistanceHistogram h(1e-3, 1e2, 25);
  ASSERT_EQ(h.edges().size(), 26u);
  EXPECT_EQ(h.edges().front(), 1e-3);
  EXPECT_EQ(h.edges().back(), 1e2);
  for (size_t b = 0; b + 1 < h.edges().size(); ++b)
    EXPECT_NEAR(std::log10(h.edges()[b + 1] / h.edges()[b]), 0.2, 1e-12);
}

TEST(PairDistanceHistogram, DistancesOnEdgesGoIntoTheBinStartingThere) {
  PairDistanceHistogram h(1e-3, 1e2, 25);
  for (size_t b = 0; b + 1 < h.edges().size(); ++b) h.add(h.edges()[b]);
  for (int64_t c : h.counts()) EXPECT_EQ(c, 1);
  h.add(std::nextafter(h.edges()[7], 0.0));  // just below an edge: the bin before
  EXPECT_EQ(h.counts()[6], 2);
  EXPECT_EQ(h.underflow(), 0);
  EXPECT_EQ(h.overflow(), 0);
}

TEST(PairDistanceHistogram, UnderflowAndOverflow) {
  PairDistanceHistogram h(0.1, 10.0, 2);
  h.add(at::tensor({0.0, 0.05, std::nextafter(0.1, 0.0), 0.1, 5.0, 10.0, 1e9, INFINITY}, at::kDouble));
  EXPECT_EQ(h.underflow(), 3);  // zero distances (identical jets) included
  EXPECT_EQ(h.counts(), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(h.overflow(), 3);
  EXPECT_EQ(h.pairs(), 8);
  EXPECT_EQ(h.cumulative(), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_THROW(h.add(-1e-12), otae::InvalidArgument);
  EXPECT_THROW(h.add(at::tensor({1.0, NAN}, at::kDouble)), otae::InvalidArgument);
}

TEST(PairDistanceHistogram, MergeAddsCountsOfTheSameBinning) {
  PairDistanceHistogram a(0.1, 10.0, 4), b(0.1, 10.0, 4);
  a.add(at::tensor({0.01, 0.2, 3.0}, at::kDouble));
  b.add(at::tensor({0.2, 50.0}, at::kDouble));
  a.merge(b);
  EXPECT_EQ(a.counts(), (std::vector<int64_t>{2, 0, 1, 0}));  // edges 0.1, 0.32, 1, 3.2, 10
  EXPECT_EQ(a.underflow(), 1);
  EXPECT_EQ(a.overflow(), 1);
  EXPECT_THROW(a.merge(PairDistanceHistogram(0.1, 10.0, 5)), otae::InvalidArgument);
}

TEST(PairDistanceHistogram, RejectsBadBinnings) {
  EXPECT_THROW(PairDistanceHistogram(0.0, 1.0, 10), otae::InvalidArgument);
  EXPECT_THROW(PairDistanceHistogram(1.0, 1.0, 10), otae::InvalidArgument);
  EXPECT_THROW(PairDistanceHistogram(1.0, INFINITY, 10), otae::InvalidArgument);
  EXPECT_THROW(PairDistanceHistogram(0.1, 1.0, 0), otae::InvalidArgument);
  EXPECT_THROW(analysis::correlation_dimension(PairDistanceHistogram(0.1, 1.0, 3), 4), otae::InvalidArgument);
  EXPECT_THROW(analysis::PairDistanceOptions().block_size(0).validate(), otae::InvalidArgument);
  EXPECT_THROW(analysis::PairDistanceOptions().distance_scale(0).validate(), otae::InvalidArgument);
}

TEST(CorrelationDimension, EmptyLowerBinsAreSkipped) {
  PairDistanceHistogram h(1.0, 1e4, 4);
  h.add(at::tensor({500.0, 600.0, 5000.0}, at::kDouble));
  const auto curve = analysis::correlation_dimension(h);
  // N = 0 below 1, 10, 100; N = 2 below 1000: one point, between 1000 and 10⁴.
  ASSERT_EQ(curve.q.size(), 1u);
  EXPECT_NEAR(curve.dimension[0], std::log(1.5) / std::log(10.0), 1e-12);
}

// Every distance of the upper triangle, for comparing the block walk with.
PairDistanceHistogram histogram_of_matrix(const at::Tensor& matrix, const analysis::PairDistanceOptions& o) {
  PairDistanceHistogram h(o.q_min(), o.q_max(), o.bins());
  const at::Tensor upper = at::triu_indices(matrix.size(0), matrix.size(0), 1);
  h.add(matrix.index({upper[0], upper[1]}));
  return h;
}

TEST(PointPairDistances, BlocksCoverTheUpperTriangleOnce) {
  at::Generator g = seeded(4);
  const at::Tensor points = at::randn({23, 4}, g, at::kFloat);
  int64_t last_done = 0, total = 0;
  const auto options = unit_scale_binning().block_size(5).pairwise(
      otae::ot::PairwiseOptions().progress([&](int64_t done, int64_t all) { last_done = done, total = all; }));
  const auto blocks = analysis::point_pair_distances(points, options);
  const auto full = histogram_of_matrix(at::cdist(points.to(at::kDouble), points.to(at::kDouble)), options);
  EXPECT_EQ(blocks.counts(), full.counts());
  EXPECT_EQ(blocks.underflow(), full.underflow());
  EXPECT_EQ(blocks.pairs(), 23 * 22 / 2);
  EXPECT_EQ(last_done, 23 * 22 / 2);
  EXPECT_EQ(total, 23 * 22 / 2);
  EXPECT_EQ(analysis::point_pair_distances(points, analysis::PairDistanceOptions(options).max_points(10)).pairs(), 45);
  const auto tripled = analysis::point_pair_distances(points, analysis::PairDistanceOptions(options).distance_scale(3));
  EXPECT_EQ(tripled.counts(),
            histogram_of_matrix(3 * at::cdist(points.to(at::kDouble), points.to(at::kDouble)), options).counts());
}

TEST(PointPairDistances, RejectsBadPoints) {
  EXPECT_THROW(analysis::point_pair_distances(at::zeros({1, 3}, at::kDouble)), otae::InvalidArgument);
  EXPECT_THROW(analysis::point_pair_distances(at::zeros({4}, at::kDouble)), otae::InvalidArgument);
  at::Tensor bad = at::zeros({4, 2}, at::kDouble);
  bad[2][1] = NAN;
  try {
    analysis::point_pair_distances(bad);
    FAIL() << "no InvalidArgument";
  } catch (const otae::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("row 2"), std::string::npos) << e.what();
  }
}

TEST(JetPairDistances, BlocksMatchTheSymmetricEmdMatrix) {
  at::Generator g = seeded(5);
  const int64_t n = 13, m = 6;
  at::Tensor jets = at::empty({n, m, 3}, at::kDouble);
  jets.select(2, 0).copy_(at::rand({n, m}, g, at::kDouble) * 100);
  jets.select(2, 1).copy_(at::randn({n, m}, g, at::kDouble) * 0.3);
  jets.select(2, 2).copy_(at::randn({n, m}, g, at::kDouble) * 0.3);
  jets.select(2, 0).select(1, m - 1).zero_();  // one padding row per jet
  const auto pairwise = otae::ot::PairwiseOptions().threads(1).emd(otae::ot::ExactEmdOptions().norm(true));
  int64_t last_done = 0;
  const auto options = analysis::PairDistanceOptions().q_min(1e-3).q_max(10.0).bins(40).block_size(4).pairwise(
      otae::ot::PairwiseOptions(pairwise).progress(
          [&](int64_t done, int64_t) { last_done = std::max(last_done, done); }));
  const auto blocks = analysis::jet_pair_distances(jets, options);
  const auto full = histogram_of_matrix(otae::ot::exact_emd_symmetric(jets, pairwise), options);
  EXPECT_EQ(blocks.counts(), full.counts());
  EXPECT_EQ(blocks.pairs(), n * (n - 1) / 2);
  EXPECT_EQ(blocks.underflow() + blocks.overflow(), 0);
  EXPECT_EQ(last_done, n * (n - 1) / 2);
}

TEST(CorrelationDimension, JsonLayout) {
  PairDistanceHistogram h(1.0, 100.0, 2);
  h.add(at::tensor({0.5, 2.0, 20.0}, at::kDouble));
  const auto json = analysis::to_json(h, analysis::correlation_dimension(h));
  for (const char* key :
       {"edges", "counts", "underflow", "overflow", "pairs", "q", "dimension", "error", "pairs_below"})
    EXPECT_TRUE(json.contains(key)) << key;
  EXPECT_EQ(json["pairs"], 3);
  EXPECT_EQ(json["q"].size(), 2u);
}

}  // namespace
