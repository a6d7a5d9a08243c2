// D1 and D2 on the linear VAE's closed forms, run splitting on zig-zag scans, and the error
// propagation worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "otae/analysis/dimensionality.hpp"
#include "otae/base/error.hpp"

namespace {

namespace analysis = otae::analysis;
using analysis::BetaCheckpoint;

// A linear VAE with data scales σᵢ: KL = Σ max(0, ln(σᵢ/β)), D = Σ min(β², σᵢ²) (Collins 2021,
// Sec. 4), so that both D1 and D2 equal the number of σᵢ > β.
const std::vector<double> kSigma = {2.0, 1.0, 0.5, 0.25};

BetaCheckpoint linear_vae(double beta, const std::string& phase = "") {
  BetaCheckpoint c;
  c.beta = beta;
  for (double s : kSigma) {
    c.kl += std::max(0.0, -std::log(beta / s));
    c.distortion += std::min(beta * beta, s * s);
  }
  c.phase = phase;
  return c;
}

// β on a half-octave grid, 2^(k/2): every σᵢ is a grid point, so no kink falls inside an interval
// and the finite differences are exact.
double grid(int k) { return std::pow(2.0, 0.5 * k); }

int resolved_above(double beta) {
  int n = 0;
  for (double s : kSigma) n += s >= beta;
  return n;
}

std::vector<BetaCheckpoint> scan(const std::vector<int>& grid_indices) {
  std::vector<BetaCheckpoint> out;
  for (int k : grid_indices) out.push_back(linear_vae(grid(k)));
  return out;
}

std::vector<std::vector<int64_t>> run_bounds(const std::vector<analysis::MonotoneRun>& runs) {
  std::vector<std::vector<int64_t>> out;
  for (const auto& r : runs) out.push_back({r.first, r.last, r.direction});
  return out;
}

TEST(Dimensionalities, LinearVaeCountsTheResolvedScales) {
  std::vector<int> ks;
  for (int k = -8; k <= 5; ++k) ks.push_back(k);
  const analysis::Dimensionalities result = analysis::dimensionalities(scan(ks));
  ASSERT_EQ(result.runs.size(), 1u);
  ASSERT_EQ(result.points.size(), ks.size() - 1);
  for (const auto& p : result.points) {
    const double upper = grid(ks[static_cast<size_t>(p.to)]);
    EXPECT_NEAR(p.beta, std::sqrt(grid(ks[static_cast<size_t>(p.from)]) * upper), 1e-12);
    EXPECT_NEAR(p.d1, resolved_above(upper), 1e-12) << "beta=" << p.beta;
    EXPECT_NEAR(p.d2, resolved_above(upper), 1e-12) << "beta=" << p.beta;
    EXPECT_EQ(p.d1_error, 0.0);
  }
  // From four resolved scales below β = 0.25 to none above β = 2.
  EXPECT_NEAR(result.points.front().d1, 4.0, 1e-12);
  EXPECT_NEAR(result.points.back().d1, 0.0, 1e-12);
}

TEST(Dimensionalities, DescendingRunsGiveTheSameDerivatives) {
  const analysis::Dimensionalities result = analysis::dimensionalities(scan({3, 2, 1, 0, -1, -2, -3}));
  ASSERT_EQ(result.runs.size(), 1u);
  EXPECT_EQ(result.runs[0].direction, -1);
  for (const auto& p : result.points) {
    const double upper = std::max(grid(3 - static_cast<int>(p.from)), grid(3 - static_cast<int>(p.to)));
    EXPECT_NEAR(p.d1, resolved_above(upper), 1e-12);
    EXPECT_NEAR(p.d2, resolved_above(upper), 1e-12);
  }
}

TEST(SplitMonotoneRuns, ZigZagSharesItsTurningPoints) {
  //            0  1  2  3  4  5  6  7  8
  const auto runs = analysis::split_monotone_runs(scan({0, 1, 2, 3, 2, 1, 2, 3, 4}));
  EXPECT_EQ(run_bounds(runs), (std::vector<std::vector<int64_t>>{{0, 3, 1}, {3, 5, -1}, {5, 8, 1}}));
}

TEST(SplitMonotoneRuns, SawtoothJumpIsARunUnlessTheStepIsLimited) {
  // The reference's sawtooth: ascending legs, each restarting lower (here by 1.5 decades of β).
  const std::vector<BetaCheckpoint> sawtooth = scan({0, 1, 2, 3, -7, -6, -5});
  EXPECT_EQ(run_bounds(analysis::split_monotone_runs(sawtooth)),
            (std::vector<std::vector<int64_t>>{{0, 3, 1}, {3, 4, -1}, {4, 6, 1}}));
  const auto limited = analysis::RunSplitting().max_log_beta_step(1.0);
  EXPECT_EQ(run_bounds(analysis::split_monotone_runs(sawtooth, limited)),
            (std::vector<std::vector<int64_t>>{{0, 3, 1}, {4, 6, 1}}));
  // No difference is taken across the jump.
  for (const auto& p : analysis::dimensionalities(sawtooth, limited).points) EXPECT_NE(p.from, 3);
}

TEST(SplitMonotoneRuns, PhasesAndRepeatedBetaSplit) {
  std::vector<BetaCheckpoint> checkpoints = {linear_vae(grid(0), "priming"),    linear_vae(grid(1), "priming"),
                                             linear_vae(grid(2), "production"), linear_vae(grid(3), "production"),
                                             linear_vae(grid(3), "production"), linear_vae(grid(4), "production")};
  const auto runs = analysis::split_monotone_runs(checkpoints);
  EXPECT_EQ(run_bounds(runs), (std::vector<std::vector<int64_t>>{{0, 1, 1}, {2, 3, 1}, {4, 5, 1}}));
  EXPECT_EQ(runs[0].phase, "priming");
  EXPECT_EQ(runs[1].phase, "production");
}

TEST(SplitMonotoneRuns, IsolatedCheckpointsMakeNoRun) {
  EXPECT_TRUE(analysis::split_monotone_runs({}).empty());
  EXPECT_TRUE(analysis::split_monotone_runs(scan({2})).empty());
  EXPECT_TRUE(analysis::split_monotone_runs(scan({2, 2, 2})).empty());
}

TEST(Dimensionalities, ErrorsAddInQuadrature) {
  BetaCheckpoint a, b;
  a.beta = 1.0;
  b.beta = std::exp(1.0);  // Δ ln β = 1
  a.kl = 5.0, a.kl_error = 0.3;
  b.kl = 3.0, b.kl_error = 0.4;
  a.distortion = 1.0, a.distortion_error = 0.6;
  b.distortion = 2.0, b.distortion_error = 0.8;
  const auto result = analysis::dimensionalities({a, b});
  ASSERT_EQ(result.points.size(), 1u);
  const auto& p = result.points[0];
  const double d_beta_squared = std::exp(2.0) - 1.0;
  EXPECT_NEAR(p.beta, std::exp(0.5), 1e-15);
  EXPECT_NEAR(p.d1, 2.0, 1e-15);
  EXPECT_NEAR(p.d1_error, 0.5, 1e-15);
  EXPECT_NEAR(p.d2, 1.0 / d_beta_squared, 1e-15);
  EXPECT_NEAR(p.d2_error, 1.0 / d_beta_squared, 1e-15);
}

TEST(Dimensionalities, ErrorBandCoversTheScatterOfNoisyScans) {
  // Gaussian noise of known σ on every checkpoint: the pulls (D1 − true)/error have unit spread.
  std::vector<int> ks;
  for (int k = -8; k <= 5; ++k) ks.push_back(k);
  double sum_squared_pulls = 0;
  int64_t pulls = 0;
  uint64_t state = 12345;
  auto normal = [&] {  // Box–Muller on a 64-bit LCG: the same numbers on every platform
    auto uniform = [&] {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return (static_cast<double>(state >> 11) + 0.5) / 9007199254740992.0;
    };
    return std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform());
  };
  for (int repeat = 0; repeat < 200; ++repeat) {
    std::vector<BetaCheckpoint> noisy = scan(ks);
    for (auto& c : noisy) {
      c.kl_error = 0.05;
      c.kl += c.kl_error * normal();
    }
    for (const auto& p : analysis::dimensionalities(noisy).points) {
      const double pull = (p.d1 - resolved_above(grid(ks[static_cast<size_t>(p.to)]))) / p.d1_error;
      sum_squared_pulls += pull * pull;
      ++pulls;
    }
  }
  EXPECT_NEAR(std::sqrt(sum_squared_pulls / static_cast<double>(pulls)), 1.0, 0.05);
}

TEST(Dimensionalities, RejectsBadCheckpointsNamingThem) {
  std::vector<BetaCheckpoint> checkpoints = scan({0, 1, 2});
  checkpoints[1].beta = -1.0;
  try {
    analysis::dimensionalities(checkpoints);
    FAIL() << "no InvalidArgument";
  } catch (const otae::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint 1"), std::string::npos) << e.what();
  }
  checkpoints = scan({0, 1, 2});
  checkpoints[2].kl_error = -0.1;
  EXPECT_THROW(analysis::dimensionalities(checkpoints), otae::InvalidArgument);
  checkpoints = scan({0, 1, 2});
  checkpoints[0].distortion = NAN;
  EXPECT_THROW(analysis::dimensionalities(checkpoints), otae::InvalidArgument);
  EXPECT_THROW(analysis::RunSplitting().max_log_beta_step(-1.0).validate(), otae::InvalidArgument);
}

TEST(Dimensionalities, JsonLayout) {
  const auto json = analysis::to_json(analysis::dimensionalities(scan({0, 1, 2, 1})));
  ASSERT_EQ(json["runs"].size(), 2u);
  EXPECT_EQ(json["runs"][1]["direction"], -1);
  ASSERT_EQ(json["points"].size(), 3u);
  for (const char* key : {"run", "from", "to", "beta", "d1", "d1_error", "d2", "d2_error"})
    EXPECT_TRUE(json["points"][0].contains(key)) << key;
}

}  // namespace
