// The ground distance between two particles of a jet, shared by every jet distance in otae.
#pragma once

#include <cmath>

#include "otae/base/arg.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::ot {

/// Cost of moving unit pT from (η₁, φ₁) to (η₂, φ₂): (ΔR / R)^β, with Δφ wrapped into [−π, π)
/// unless `wrap_phi(false)`. R and β follow EnergyFlow's `emd.emd` (R in radians, β > 0).
struct GroundDistance {
  OTAE_ARG(double, R, 1.0);
  OTAE_ARG(double, beta, 1.0);
  OTAE_ARG(bool, wrap_phi, true);
  OTAE_ARG_PUBLIC

  /// The cost between two (η, φ) points.
  double operator()(double eta1, double phi1, double eta2, double phi2) const {
    const double dr = physics::delta_r(eta1, phi1, eta2, phi2, wrap_phi_) / R_;
    return beta_ == 1.0 ? dr : std::pow(dr, beta_);
  }

  /// Throws InvalidArgument unless R > 0 and β > 0 are finite.
  void validate() const;
};

}  // namespace otae::ot
