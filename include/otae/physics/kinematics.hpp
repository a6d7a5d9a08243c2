// Kinematics of massless and massive four-vectors in collider coordinates (pT, η, φ).
#pragma once

#include <array>
#include <cmath>

#include "otae/physics/units.hpp"

namespace otae::physics {

/// Four-momentum (px, py, pz, E) in GeV.
struct FourMomentum {
  double px = 0, py = 0, pz = 0, e = 0;

  FourMomentum& operator+=(const FourMomentum& o) {
    px += o.px; py += o.py; pz += o.pz; e += o.e;
    return *this;
  }
  friend FourMomentum operator+(FourMomentum a, const FourMomentum& b) { return a += b; }
};

/// Wraps an azimuthal difference into [−π, π): Δφ − 2π·⌊(Δφ + π)/2π⌋, which stays in range for
/// any finite input, several turns included. The one Δφ wrap of otae: inline for the EMD
/// kernels' inner loops, and `Angle` may be a double or a LibTorch tensor (elementwise; its
/// floor is found by argument-dependent lookup), so that the scalar and the tensor kernels wrap
/// with the very same operations and agree to the last bit.
template <typename Angle>
inline Angle wrap_phi(const Angle& delta_phi) {
  using std::floor;
  return delta_phi - kTwoPi * floor((delta_phi + kPi) / kTwoPi);
}

/// ΔR = √(Δη² + Δφ²) with Δφ wrapped into [−π, π) when `wrap_phi` is true.
double delta_r(double eta1, double phi1, double eta2, double phi2, bool wrap_phi = true);

/// (pT [GeV], η, φ [rad], m [GeV]) → (px, py, pz, E).
FourMomentum from_pt_eta_phi_m(double pt, double eta, double phi, double mass = 0.0);

/// Transverse momentum √(px² + py²) [GeV].
double pt(const FourMomentum& p);
/// Pseudorapidity η = asinh(pz/pT); ±inf along the beam.
double eta(const FourMomentum& p);
/// Rapidity y = ½ ln((E + pz)/(E − pz)).
double rapidity(const FourMomentum& p);
/// Azimuth φ = atan2(py, px) in [−π, π].
double phi(const FourMomentum& p);
/// Invariant mass √max(E² − |p|², 0) [GeV]; the sign of a negative m² is dropped.
double invariant_mass(const FourMomentum& p);

}  // namespace otae::physics
