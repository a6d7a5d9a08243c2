// Reduce-on-plateau and early stopping, fed validation losses by hand: Keras's semantics, which
// the reference training relies on.
#include <gtest/gtest.h>

#include <cmath>

#include "otae/base/error.hpp"
#include "otae/train/plateau.hpp"

namespace otae::train {
namespace {

TEST(ReduceLrOnPlateau, ReducesAfterPatienceEpochsWithoutImprovement) {
  ReduceLrOnPlateau plateau(1e-3, ReduceLrOnPlateauOptions().patience(2).factor(0.5).min_delta(0.01));
  EXPECT_DOUBLE_EQ(plateau.update(10.0), 1e-3);   // first value: an improvement
  EXPECT_DOUBLE_EQ(plateau.update(9.995), 1e-3);  // better, but by less than min_delta: 1 epoch
  EXPECT_DOUBLE_EQ(plateau.update(10.5), 5e-4);   // 2 epochs: reduce, count from 0 again
  EXPECT_DOUBLE_EQ(plateau.update(10.2), 5e-4);
  EXPECT_DOUBLE_EQ(plateau.update(9.0), 5e-4);  // an improvement resets the count
  EXPECT_DOUBLE_EQ(plateau.update(9.5), 5e-4);
  EXPECT_DOUBLE_EQ(plateau.update(9.5), 2.5e-4);
}

TEST(ReduceLrOnPlateau, NeverGoesBelowTheMinimum) {
  ReduceLrOnPlateau plateau(1e-7, ReduceLrOnPlateauOptions().patience(1));
  plateau.update(1.0);
  for (int i = 0; i < 5; ++i) plateau.update(2.0);
  EXPECT_DOUBLE_EQ(plateau.learning_rate(), 1e-8);
}

TEST(ReduceLrOnPlateau, PaperDefaults) {
  const ReduceLrOnPlateauOptions o;
  EXPECT_DOUBLE_EQ(o.factor(), std::sqrt(0.1));
  EXPECT_EQ(o.patience(), 5);
  EXPECT_DOUBLE_EQ(o.min_delta(), 1e-4);
  EXPECT_DOUBLE_EQ(o.min_learning_rate(), 1e-8);
  EXPECT_THROW(ReduceLrOnPlateau(1e-3, ReduceLrOnPlateauOptions().factor(1.5)), ConfigError);
}

TEST(EarlyStopping, StopsAfterPatienceEpochsWithoutImprovement) {
  EarlyStopping stopping(EarlyStoppingOptions().patience(3));
  EXPECT_FALSE(stopping.update(5.0));
  EXPECT_FALSE(stopping.update(5.0));  // equal is no improvement: 1
  EXPECT_FALSE(stopping.update(4.0));  // improvement: 0
  EXPECT_FALSE(stopping.update(4.5));  // 1
  EXPECT_FALSE(stopping.update(4.1));  // 2
  EXPECT_TRUE(stopping.update(4.0));   // 3: stop
  EXPECT_EQ(EarlyStoppingOptions().patience(), 10);
}

TEST(EarlyStopping, CountsOnlyDropsLargerThanTheStandardErrorsAsked) {
  EarlyStopping stopping(EarlyStoppingOptions().patience(2).min_delta_standard_errors(1.0));
  EXPECT_FALSE(stopping.update(10.0, 0.5));
  EXPECT_FALSE(stopping.update(9.6, 0.5));   // 0.4 < 1 × 0.5: no improvement, 1
  EXPECT_FALSE(stopping.update(9.4, 0.5));   // 0.6 below the best (10): improvement, 0
  EXPECT_FALSE(stopping.update(9.0, 0.5));   // 0.4: 1
  EXPECT_TRUE(stopping.update(8.95, 0.5));   // 0.45: 2, stop
  EarlyStopping paper_rule(EarlyStoppingOptions().patience(1));
  EXPECT_FALSE(paper_rule.update(10.0, 0.5));
  EXPECT_FALSE(paper_rule.update(9.9, 0.5));  // any drop counts without the option
  EXPECT_THROW(EarlyStopping(EarlyStoppingOptions().min_delta_standard_errors(-1)), ConfigError);
}

TEST(ReduceLrOnPlateau, CountsOnlyDropsLargerThanTheStandardErrorsAsked) {
  ReduceLrOnPlateau plateau(1e-3, ReduceLrOnPlateauOptions().patience(1).factor(0.5).min_delta_standard_errors(2.0));
  EXPECT_DOUBLE_EQ(plateau.update(10.0, 0.1), 1e-3);
  EXPECT_DOUBLE_EQ(plateau.update(9.85, 0.1), 5e-4);  // 0.15 < 2 × 0.1: reduced
  EXPECT_DOUBLE_EQ(plateau.update(9.7, 0.1), 5e-4);   // 0.3 below the best: improvement
}

}  // namespace
}  // namespace otae::train
