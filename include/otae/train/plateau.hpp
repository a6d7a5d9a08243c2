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
  /// ... or by more than this many standard errors of the loss, when larger (0: the paper's rule).
  OTAE_ARG(double, min_delta_standard_errors, 0.0);
  OTAE_ARG(double, min_learning_rate, 1e-8);
  OTAE_ARG_PUBLIC

  /// Throws ConfigError unless 0 < factor < 1, patience ≥ 1, both min_deltas ≥ 0 and min_learning_rate ≥ 0.
  void validate() const;
};

class ReduceLrOnPlateau {
 public:
  ReduceLrOnPlateau(double learning_rate, const ReduceLrOnPlateauOptions& options = {});

  /// Records one epoch's validation loss and its standard error over the validation rows; returns
  /// the learning rate for the next epoch, reduced (not below the minimum) after `patience` epochs
  /// in a row without improvement.
  double update(double validation_loss, double standard_error = 0.0);

  double learning_rate() const { return learning_rate_; }

 private:
  ReduceLrOnPlateauOptions options_;
  double learning_rate_;
  double best_ = std::numeric_limits<double>::infinity();
  int64_t epochs_without_improvement_ = 0;
};

/// Defaults are the paper's: stop after 10 epochs without any improvement. The reference scores an
/// epoch by its last validation batch, so noise alone ends its steps once they have converged; on
/// the whole validation set a converged loss keeps creeping down by amounts far below its
/// statistical precision, which min_delta_standard_errors ≈ 1 discounts.
struct EarlyStoppingOptions {
  OTAE_ARG(int64_t, patience, 10);
  OTAE_ARG(double, min_delta, 0.0);
  /// An epoch improves only by more than this many standard errors of the loss, when larger than min_delta.
  OTAE_ARG(double, min_delta_standard_errors, 0.0);
  OTAE_ARG_PUBLIC

  /// Throws ConfigError unless patience ≥ 1 and both min_deltas ≥ 0.
  void validate() const;
};

class EarlyStopping {
 public:
  explicit EarlyStopping(const EarlyStoppingOptions& options = {});

  /// Records one epoch's validation loss and its standard error; true once `patience` epochs in a
  /// row have not improved on the best by more than max(min_delta, min_delta_standard_errors × standard_error).
  bool update(double validation_loss, double standard_error = 0.0);

 private:
  EarlyStoppingOptions options_;
  double best_ = std::numeric_limits<double>::infinity();
  int64_t epochs_without_improvement_ = 0;
};

}  // namespace otae::train
