#include "otae/train/beta_schedule.hpp"

#include <cmath>
#include <sstream>

#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"

namespace otae::train {

namespace {


[[noreturn]] void reject(const std::string& key, const std::string& problem) {
  throw ConfigError("beta schedule: " + key + " " + problem);
}

void check_learning_rate(const std::string& key, double value) {
  if (!(std::isfinite(value) && value > 0))
    reject(key, "must be a positive learning rate, received " + shortest_decimal(value));
}

/// The grid indices of the zig-zag phase, in visiting order.
std::vector<int64_t> zigzag_indices(const BetaScheduleOptions& o) {
  std::vector<int64_t> indices;
  for (int64_t leg = 0; leg < o.zigzag_legs(); ++leg) {
    const int64_t start = o.zigzag_first_start() - leg * o.zigzag_restart_drop();
    if (o.zigzag_descending_legs() && leg > 0)
      for (int64_t i = indices.back() - 1; i > start; --i) indices.push_back(i);
    for (int64_t i = start; i < start + o.zigzag_leg_length(); ++i) indices.push_back(i);
  }
  return indices;
}

}  // namespace

std::string to_string(BetaPhase phase) {
  switch (phase) {
    case BetaPhase::kPriming:
      return "priming";
    case BetaPhase::kZigZag:
      return "zigzag";
    case BetaPhase::kProduction:
      return "production";
  }
  return "unknown";
}

BetaPhase beta_phase_from_string(const std::string& name) {
  for (BetaPhase phase : {BetaPhase::kPriming, BetaPhase::kZigZag, BetaPhase::kProduction})
    if (to_string(phase) == name) return phase;
  throw ConfigError("unknown beta phase '" + name + "' (known: priming, zigzag, production)");
}

void BetaScheduleOptions::validate() const {
  if (points_ < 1) reject("grid.points", "must be >= 1, received " + std::to_string(points_));
  if (!(std::isfinite(log10_first_) && std::isfinite(log10_step_) && log10_step_ > 0))
    reject("grid", "needs finite log10_first and log10_step > 0, received log10_first=" +
                       shortest_decimal(log10_first_) + " log10_step=" + shortest_decimal(log10_step_));
  if (!priming_ && zigzag_legs_ == 0 && !production_) reject("", "has no phase: enable priming, zigzag or production");
  if (priming_) check_learning_rate("priming.learning_rate", priming_learning_rate_);
  if (production_) check_learning_rate("production.learning_rate", production_learning_rate_);
  if (zigzag_legs_ < 0) reject("zigzag.legs", "must be >= 0, received " + std::to_string(zigzag_legs_));
  if (zigzag_legs_ == 0) return;
  check_learning_rate("zigzag.learning_rate", zigzag_learning_rate_);
  if (zigzag_leg_length_ < 1)
    reject("zigzag.leg_length", "must be >= 1, received " + std::to_string(zigzag_leg_length_));
  if (zigzag_restart_drop_ < 0)
    reject("zigzag.restart_drop", "must be >= 0, received " + std::to_string(zigzag_restart_drop_));
  const int64_t lowest_start = zigzag_first_start_ - (zigzag_legs_ - 1) * zigzag_restart_drop_;
  const int64_t highest_end = zigzag_first_start_ + zigzag_leg_length_ - 1;
  if (lowest_start < 0 || highest_end >= points_) {
    std::ostringstream msg;
    msg << "legs span grid indices " << lowest_start << "…" << highest_end << " but the grid has indices 0…"
        << points_ - 1 << " (first_start=" << zigzag_first_start_ << ", legs=" << zigzag_legs_
        << ", leg_length=" << zigzag_leg_length_ << ", restart_drop=" << zigzag_restart_drop_ << ")";
    reject("zigzag", msg.str());
  }
}

std::vector<double> beta_hat_grid(const BetaScheduleOptions& options) {
  options.validate();
  std::vector<double> grid(options.points());
  for (int64_t k = 0; k < options.points(); ++k)
    grid[k] = std::pow(10.0, options.log10_first() + static_cast<double>(k) * options.log10_step());
  return grid;
}

std::vector<BetaStep> beta_schedule(const BetaScheduleOptions& options) {
  const std::vector<double> grid = beta_hat_grid(options);
  std::vector<BetaStep> schedule;
  if (options.priming())
    for (double beta_hat : grid) schedule.push_back({BetaPhase::kPriming, beta_hat, options.priming_learning_rate()});
  for (int64_t index : zigzag_indices(options))
    schedule.push_back({BetaPhase::kZigZag, grid[index], options.zigzag_learning_rate()});
  if (options.production())
    for (double beta_hat : grid)
      schedule.push_back({BetaPhase::kProduction, beta_hat, options.production_learning_rate()});
  return schedule;
}

std::string beta_schedule_csv(const std::vector<BetaStep>& schedule, double energy_scale) {
  std::ostringstream csv;
  csv << "step,phase,beta_hat,beta_GeV,learning_rate\n";
  for (size_t k = 0; k < schedule.size(); ++k)
    csv << k << ',' << to_string(schedule[k].phase) << ',' << shortest_decimal(schedule[k].beta_hat) << ','
        << shortest_decimal(energy_scale * schedule[k].beta_hat) << ',' << shortest_decimal(schedule[k].learning_rate)
        << '\n';
  return csv.str();
}

}  // namespace otae::train
