// Units and coordinate conventions used throughout otae, stated once.
//
// - Momenta and energies: GeV. Angles: radians. Azimuth φ in [−π, π).
// - A jet is a weighted point cloud: rows (pT [GeV], η, φ); padding rows have pT = 0.
// - Normalised jets carry pT/HT (HT = Σ pT of the jet), so their weights sum to 1.
// - An event for OTUS is a row of (px, py, pz, E) [GeV] per object.
// - β (EMD-VAE) in GeV = ⟨HT⟩ · β̂, with β̂ in units of HT·ΔR.
#pragma once

namespace otae::physics {

inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kTwoPi = 2.0 * kPi;

}  // namespace otae::physics
