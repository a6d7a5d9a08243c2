// Reacting to a validation loss that stops improving, as Keras's ReduceLROnPlateau and
// EarlyStopping do in the reference training: plain state machines fed one value per epoch, so
// that their decisions can be tested without training anything.
#pragma once

#include <cstdint>
#include <limits>

#include "otae/base/arg.hpp"

namespace otae::train {

/// Defaults are the paper's: ×√0.1 after 5 epochs without an improvement of at least 10⁻⁴,
/// never below 10⁻⁸.
struct ReduceLrOnPlateauOptions {
  OTAE_ARG(double, factor, 0.31622776601683794);
  OTAE_ARG(int64_t, patience, 5);
  /// An epoch improves when its loss is below the best so far by more than this (absolute).
  OTAE_ARG(double, min_delta, 1e-4);
  OTAE_ARG(double, min_learning_rate, 1e-8);
  OTAE_ARG_PUBLIC

  /// Throws ConfigError unless 0 < factor < 1, patience ≥ 1, min_delta ≥ 0 and min_learning_rate ≥ 0.
  void validate() const;
};

class ReduceLrOnPlateau {
 public:
  ReduceLrOnPlateau(double learning_rate, const ReduceLrOnPlateauOptions& options = {});

  /// Records one epoch's validation loss; returns the learning rate for the next epoch, reduced
  /// (not below the minimum) after `patience` epochs in a row without improvement.
  double update(double validation_loss);

  double learning_rate() const { return learning_rate_; }

 private:
  ReduceLrOnPlateauOptions options_;
  double learning_rate_;
  double best_ = std::numeric_limits<double>::infinity();
  int64_t epochs_without_improvement_ = 0;
};

/// Defaults are the paper's: stop after 10 epochs without any improvement.
struct EarlyStoppingOptions {
  OTAE_ARG(int64_t, patience, 10);
  OTAE_ARG(double, min_delta, 0.0);
  OTAE_ARG_PUBLIC

  /// Throws ConfigError unless patience ≥ 1 and min_delta ≥ 0.
  void validate() const;
};

class EarlyStopping {
 public:
  explicit EarlyStopping(const EarlyStoppingOptions& options = {});

  /// Records one epoch's validation loss; true once `patience` epochs in a row have not
  /// improved on the best by more than min_delta.
  bool update(double validation_loss);

 private:
  EarlyStoppingOptions options_;
  double best_ = std::numeric_limits<double>::infinity();
  int64_t epochs_without_improvement_ = 0;
};

}  // namespace otae::train
