// D1 and D2 of a β scan by finite differences inside monotone runs.
#include "otae/analysis/dimensionality.hpp"

#include <cmath>
#include <string>

#include "otae/base/error.hpp"

namespace otae::analysis {
namespace {

std::string checkpoint_name(size_t index) { return "checkpoint " + std::to_string(index); }

void check_beta(const std::vector<BetaCheckpoint>& checkpoints) {
  for (size_t i = 0; i < checkpoints.size(); ++i) {
    const double beta = checkpoints[i].beta;
    if (!std::isfinite(beta) || beta <= 0)
      throw InvalidArgument("split_monotone_runs: " + checkpoint_name(i) + " has beta=" + std::to_string(beta) +
                            "; beta must be finite and > 0");
  }
}

void check_values(const std::vector<BetaCheckpoint>& checkpoints) {
  for (size_t i = 0; i < checkpoints.size(); ++i) {
    const BetaCheckpoint& c = checkpoints[i];
    const auto fail = [&](const char* what, double value, const char* rule) {
      throw InvalidArgument("dimensionalities: " + checkpoint_name(i) + " has " + what + "=" + std::to_string(value) +
                            "; it must be " + rule);
    };
    if (!std::isfinite(c.kl)) fail("kl", c.kl, "finite");
    if (!std::isfinite(c.distortion)) fail("distortion", c.distortion, "finite");
    if (!(c.kl_error >= 0) || !std::isfinite(c.kl_error)) fail("kl_error", c.kl_error, "finite and >= 0");
    if (!(c.distortion_error >= 0) || !std::isfinite(c.distortion_error))
      fail("distortion_error", c.distortion_error, "finite and >= 0");
  }
}

int sign(double x) { return (x > 0) - (x < 0); }

// Whether checkpoints i and i+1 may be differenced at all.
bool joinable(const BetaCheckpoint& a, const BetaCheckpoint& b, const RunSplitting& splitting) {
  if (a.phase != b.phase || a.beta == b.beta) return false;
  const double limit = splitting.max_log_beta_step();
  return limit == 0 || std::abs(std::log(b.beta / a.beta)) <= limit;
}

}  // namespace

void RunSplitting::validate() const {
  if (!std::isfinite(max_log_beta_step_) || max_log_beta_step_ < 0)
    throw InvalidArgument("RunSplitting: max_log_beta_step must be finite and >= 0 (0: no limit), received " +
                          std::to_string(max_log_beta_step_));
}

std::vector<MonotoneRun> split_monotone_runs(const std::vector<BetaCheckpoint>& checkpoints,
                                             const RunSplitting& splitting) {
  splitting.validate();
  check_beta(checkpoints);
  std::vector<MonotoneRun> runs;
  const auto n = static_cast<int64_t>(checkpoints.size());
  int64_t i = 0;
  while (i + 1 < n) {
    const BetaCheckpoint& start = checkpoints[static_cast<size_t>(i)];
    if (!joinable(start, checkpoints[static_cast<size_t>(i + 1)], splitting)) {
      ++i;
      continue;
    }
    const int direction = sign(checkpoints[static_cast<size_t>(i + 1)].beta - start.beta);
    int64_t last = i + 1;
    while (last + 1 < n) {
      const BetaCheckpoint& here = checkpoints[static_cast<size_t>(last)];
      const BetaCheckpoint& next = checkpoints[static_cast<size_t>(last + 1)];
      if (!joinable(here, next, splitting) || sign(next.beta - here.beta) != direction) break;
      ++last;
    }
    runs.push_back({i, last, direction, start.phase});
    // A turning point is shared: the next leg was trained starting from it.
    i = last;
  }
  return runs;
}

Dimensionalities dimensionalities(const std::vector<BetaCheckpoint>& checkpoints, const RunSplitting& splitting) {
  Dimensionalities result;
  result.runs = split_monotone_runs(checkpoints, splitting);
  check_values(checkpoints);
  for (size_t r = 0; r < result.runs.size(); ++r) {
    const MonotoneRun& run = result.runs[r];
    for (int64_t i = run.first; i < run.last; ++i) {
      const BetaCheckpoint& a = checkpoints[static_cast<size_t>(i)];
      const BetaCheckpoint& b = checkpoints[static_cast<size_t>(i + 1)];
      const double d_log_beta = std::log(b.beta / a.beta);
      const double d_beta_squared = (b.beta - a.beta) * (b.beta + a.beta);
      DimensionalityPoint p;
      p.run = static_cast<int64_t>(r);
      p.from = i;
      p.to = i + 1;
      p.beta = std::sqrt(a.beta * b.beta);
      p.d1 = -(b.kl - a.kl) / d_log_beta;
      p.d1_error = std::hypot(a.kl_error, b.kl_error) / std::abs(d_log_beta);
      p.d2 = (b.distortion - a.distortion) / d_beta_squared;
      p.d2_error = std::hypot(a.distortion_error, b.distortion_error) / std::abs(d_beta_squared);
      result.points.push_back(p);
    }
  }
  return result;
}

nlohmann::json to_json(const Dimensionalities& result) {
  nlohmann::json runs = nlohmann::json::array(), points = nlohmann::json::array();
  for (const MonotoneRun& r : result.runs)
    runs.push_back({{"first", r.first}, {"last", r.last}, {"direction", r.direction}, {"phase", r.phase}});
  for (const DimensionalityPoint& p : result.points)
    points.push_back({{"run", p.run},
                      {"from", p.from},
                      {"to", p.to},
                      {"beta", p.beta},
                      {"d1", p.d1},
                      {"d1_error", p.d1_error},
                      {"d2", p.d2},
                      {"d2_error", p.d2_error}});
  return {{"runs", runs}, {"points", points}};
}

}  // namespace otae::analysis
