#include "otae/ot/ground_distance.hpp"

#include <string>

#include "otae/base/error.hpp"

namespace otae::ot {

void GroundDistance::validate() const {
  if (!(std::isfinite(R_) && R_ > 0))
    throw InvalidArgument("ground distance: R must be a positive radius, received R=" + std::to_string(R_));
  if (!(std::isfinite(beta_) && beta_ > 0))
    throw InvalidArgument("ground distance: beta must be positive, received beta=" + std::to_string(beta_));
}

}  // namespace otae::ot
