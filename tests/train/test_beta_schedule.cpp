// The β schedule as plain data: the paper's grid, its three phases and their learning rates,
// the reference's sawtooth zig-zag and the variant with real descending legs.
#include <gtest/gtest.h>

#include <cmath>

#include "otae/base/error.hpp"
#include "otae/train/beta_schedule.hpp"

namespace otae::train {
namespace {

std::vector<double> betas_of(const std::vector<BetaStep>& steps, BetaPhase phase) {
  std::vector<double> betas;
  for (const auto& s : steps)
    if (s.phase == phase) betas.push_back(s.beta_hat);
  return betas;
}

/// Grid indices of the β̂ values (the grid is 10^(−5 + k/4)).
std::vector<int> indices_of(const std::vector<double>& betas) {
  std::vector<int> indices;
  for (double b : betas) indices.push_back(static_cast<int>(std::lround((std::log10(b) + 5.0) * 4.0)));
  return indices;
}

TEST(BetaSchedule, PaperGridIsNumpysLogspaceWithoutItsLastThree) {
  // numpy.logspace(-5, 1, 25)[:22], as printed by numpy 1.24; numpy's power is off by an ulp here
  // and there (9.999999999999999e-06 for 1e-5), within EXPECT_DOUBLE_EQ's 4 ulps.
  const std::vector<double> numpy = {9.999999999999999e-06,
                                     1.7782794100389226e-05,
                                     3.1622776601683795e-05,
                                     5.623413251903491e-05,
                                     9.999999999999999e-05,
                                     0.0001778279410038923,
                                     0.00031622776601683794,
                                     0.000562341325190349,
                                     0.001,
                                     0.0017782794100389228,
                                     0.0031622776601683794,
                                     0.005623413251903491,
                                     0.01,
                                     0.01778279410038923,
                                     0.03162277660168379,
                                     0.056234132519034905,
                                     0.09999999999999999,
                                     0.1778279410038923,
                                     0.31622776601683794,
                                     0.5623413251903491,
                                     1.0,
                                     1.7782794100389228};
  const std::vector<double> grid = beta_hat_grid(BetaScheduleOptions());
  ASSERT_EQ(grid.size(), numpy.size());
  for (size_t k = 0; k < grid.size(); ++k) EXPECT_DOUBLE_EQ(grid[k], numpy[k]) << "k = " << k;
}

TEST(BetaSchedule, PaperScheduleHasPrimingZigZagAndProduction) {
  const std::vector<BetaStep> schedule = beta_schedule(BetaScheduleOptions());
  ASSERT_EQ(schedule.size(), 100u);
  const std::vector<double> grid = beta_hat_grid(BetaScheduleOptions());
  EXPECT_EQ(betas_of(schedule, BetaPhase::kPriming), grid);
  EXPECT_EQ(betas_of(schedule, BetaPhase::kProduction), grid);
  // the reference: for i = 0, 2, …, 14 the 7 values starting at index 14 − i, ascending
  std::vector<int> expected;
  for (int i = 0; i <= 14; i += 2)
    for (int j = 0; j < 7; ++j) expected.push_back(14 - i + j);
  EXPECT_EQ(indices_of(betas_of(schedule, BetaPhase::kZigZag)), expected);
  // the phases come in order, with the paper's learning rates
  for (size_t k = 0; k < schedule.size(); ++k) {
    const BetaPhase phase = k < 22 ? BetaPhase::kPriming : k < 78 ? BetaPhase::kZigZag : BetaPhase::kProduction;
    EXPECT_EQ(schedule[k].phase, phase) << "step " << k;
    EXPECT_DOUBLE_EQ(schedule[k].learning_rate, phase == BetaPhase::kProduction ? 1e-5 : 3e-5) << "step " << k;
  }
}

TEST(BetaSchedule, DescendingLegsWalkOneGridStepAtATime) {
  const auto schedule =
      beta_schedule(BetaScheduleOptions().priming(false).production(false).zigzag_descending_legs(true));
  const std::vector<int> indices = indices_of(betas_of(schedule, BetaPhase::kZigZag));
  EXPECT_EQ(indices.front(), 14);
  EXPECT_EQ(indices.back(), 6);
  for (size_t k = 1; k < indices.size(); ++k) EXPECT_EQ(std::abs(indices[k] - indices[k - 1]), 1) << "position " << k;
  // the first turn: up 14…20, down 19…13, up again from 12
  const std::vector<int> first_turn(indices.begin(), indices.begin() + 15);
  EXPECT_EQ(first_turn, (std::vector<int>{14, 15, 16, 17, 18, 19, 20, 19, 18, 17, 16, 15, 14, 13, 12}));
}

TEST(BetaSchedule, CustomGridAndPhases) {
  const auto options = BetaScheduleOptions().log10_first(-3).log10_step(0.5).points(5).zigzag_legs(0).priming(false);
  const auto schedule = beta_schedule(options);
  ASSERT_EQ(schedule.size(), 5u);
  EXPECT_DOUBLE_EQ(schedule[2].beta_hat, 1e-2);
  EXPECT_EQ(schedule[4].phase, BetaPhase::kProduction);
}

TEST(BetaSchedule, RejectsLegsOutsideTheGridAndEmptySchedules) {
  EXPECT_THROW(beta_schedule(BetaScheduleOptions().points(10)), ConfigError);      // legs reach index 20
  EXPECT_THROW(beta_schedule(BetaScheduleOptions().zigzag_legs(9)), ConfigError);  // the 9th leg would start at −2
  EXPECT_THROW(beta_schedule(BetaScheduleOptions().priming(false).zigzag_legs(0).production(false)), ConfigError);
  EXPECT_THROW(beta_schedule(BetaScheduleOptions().log10_step(0)), ConfigError);
  EXPECT_THROW(beta_schedule(BetaScheduleOptions().production_learning_rate(-1)), ConfigError);
}

TEST(BetaSchedule, CsvListsEveryStepWithBetaInGeV) {
  const auto schedule = beta_schedule(BetaScheduleOptions().points(2).zigzag_legs(0).priming(false));
  EXPECT_EQ(beta_schedule_csv(schedule, 500.0),
            "step,phase,beta_hat,beta_GeV,learning_rate\n"
            "0,production,1e-05,0.005,1e-05\n"
            "1,production,1.778279410038923e-05,0.008891397050194615,1e-05\n");
}

TEST(BetaSchedule, PhaseNamesRoundTrip) {
  for (BetaPhase phase : {BetaPhase::kPriming, BetaPhase::kZigZag, BetaPhase::kProduction})
    EXPECT_EQ(beta_phase_from_string(to_string(phase)), phase);
  EXPECT_THROW(beta_phase_from_string("warmup"), ConfigError);
}

}  // namespace
}  // namespace otae::train
