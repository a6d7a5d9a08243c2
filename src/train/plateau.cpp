#include "otae/train/plateau.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"

namespace otae::train {


namespace {

void check_min_delta(const char* key, double value) {
  if (!(value >= 0 && std::isfinite(value)))
    throw ConfigError(std::string(key) + " must be finite and >= 0, received " + shortest_decimal(value));
}

/// The smallest drop of the loss that counts as an improvement.
double required_drop(double min_delta, double standard_errors, double standard_error) {
  return std::max(min_delta, standard_errors * standard_error);
}

}  // namespace

void ReduceLrOnPlateauOptions::validate() const {
  if (!(factor_ > 0 && factor_ < 1))
    throw ConfigError("train.reduce_lr.factor must be in (0, 1), received " + shortest_decimal(factor_));
  if (patience_ < 1) throw ConfigError("train.reduce_lr.patience must be >= 1, received " + std::to_string(patience_));
  check_min_delta("train.reduce_lr.min_delta", min_delta_);
  check_min_delta("train.reduce_lr.min_delta_standard_errors", min_delta_standard_errors_);
  if (!(min_learning_rate_ >= 0))
    throw ConfigError("train.reduce_lr.min_learning_rate must be >= 0, received " +
                      shortest_decimal(min_learning_rate_));
}

ReduceLrOnPlateau::ReduceLrOnPlateau(double learning_rate, const ReduceLrOnPlateauOptions& options)
    : options_(options), learning_rate_(learning_rate) {
  options_.validate();
}

double ReduceLrOnPlateau::update(double validation_loss, double standard_error) {
  if (validation_loss <
      best_ - required_drop(options_.min_delta(), options_.min_delta_standard_errors(), standard_error)) {
    best_ = validation_loss;
    epochs_without_improvement_ = 0;
  } else if (++epochs_without_improvement_ >= options_.patience()) {
    learning_rate_ = std::max(learning_rate_ * options_.factor(), options_.min_learning_rate());
    epochs_without_improvement_ = 0;
  }
  return learning_rate_;
}

void EarlyStoppingOptions::validate() const {
  if (patience_ < 1)
    throw ConfigError("train.early_stopping.patience must be >= 1, received " + std::to_string(patience_));
  check_min_delta("train.early_stopping.min_delta", min_delta_);
  check_min_delta("train.early_stopping.min_delta_standard_errors", min_delta_standard_errors_);
}

EarlyStopping::EarlyStopping(const EarlyStoppingOptions& options) : options_(options) { options_.validate(); }

bool EarlyStopping::update(double validation_loss, double standard_error) {
  if (validation_loss <
      best_ - required_drop(options_.min_delta(), options_.min_delta_standard_errors(), standard_error)) {
    best_ = validation_loss;
    epochs_without_improvement_ = 0;
    return false;
  }
  return ++epochs_without_improvement_ >= options_.patience();
}

}  // namespace otae::train
