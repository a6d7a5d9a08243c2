#include "otae/physics/kinematics.hpp"

#include <cmath>

namespace otae::physics {

double delta_r(double eta1, double phi1, double eta2, double phi2, bool wrap) {
  const double deta = eta1 - eta2;
  const double dphi = wrap ? wrap_phi(phi1 - phi2) : phi1 - phi2;
  return std::sqrt(deta * deta + dphi * dphi);
}

FourMomentum from_pt_eta_phi_m(double pt, double eta, double phi, double mass) {
  const double px = pt * std::cos(phi), py = pt * std::sin(phi), pz = pt * std::sinh(eta);
  return {px, py, pz, std::sqrt(px * px + py * py + pz * pz + mass * mass)};
}

double pt(const FourMomentum& p) { return std::hypot(p.px, p.py); }

double eta(const FourMomentum& p) {
  const double t = pt(p);
  if (t == 0.0) return p.pz == 0.0 ? 0.0 : std::copysign(INFINITY, p.pz);
  return std::asinh(p.pz / t);
}

double rapidity(const FourMomentum& p) { return 0.5 * std::log((p.e + p.pz) / (p.e - p.pz)); }

double phi(const FourMomentum& p) { return std::atan2(p.py, p.px); }

double invariant_mass(const FourMomentum& p) {
  const double m2 = p.e * p.e - p.px * p.px - p.py * p.py - p.pz * p.pz;
  return m2 > 0 ? std::sqrt(m2) : 0.0;
}

}  // namespace otae::physics
