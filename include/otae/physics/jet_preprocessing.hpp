// Per-jet preprocessing on raw arrays: HT, pT/HT normalisation and centring on the pT-weighted
// (η, φ) centroid. Plain C++ so that every layer (and the jet pipeline) can call it; the data
// layer runs it over [N, M, 3] tensors jet by jet.
//
// A jet is `n_particles` contiguous rows (pT [GeV], η, φ [rad]) of float32, row i at
// rows[3i], rows[3i + 1], rows[3i + 2]. Rows with pT = 0 are padding: they carry no weight and
// are never moved.
#pragma once

#include <cstdint>

namespace otae::physics {

/// A point of the (η, φ) plane; φ in [−π, π).
struct EtaPhi {
  double eta = 0.0;
  double phi = 0.0;
};

/// HT = Σᵢ pTᵢ [GeV] of one jet; padding rows add nothing. Summed in float64.
double scalar_ht(const float* rows, int64_t n_particles);

/// The pT-weighted centroid (Σ pT η / HT, Σ pT φ / HT) of one jet, with φ measured on the
/// circle: the circular mean atan2(Σ pT sin φ, Σ pT cos φ) is the reference, every φ is taken
/// as its offset from the reference wrapped into [−π, π), and the centroid is the reference
/// plus the pT-weighted mean offset, wrapped into [−π, π). A jet straddling φ = ±π therefore
/// centres near ±π, not near 0, and after `centre_jet` the pT-weighted mean of φ is exactly 0
/// (which a circular mean alone would not give).
/// REQUIRES: HT > 0 (throws otae::InvalidArgument otherwise).
EtaPhi pt_weighted_centroid(const float* rows, int64_t n_particles);

/// Moves the jet's pT-weighted centroid to (0, 0): η ← η − η_c, φ ← wrap(φ − φ_c) in [−π, π).
/// Padding rows are left as they are. Returns the centroid that was removed.
/// REQUIRES: HT > 0 (throws otae::InvalidArgument otherwise).
EtaPhi centre_jet(float* rows, int64_t n_particles);

/// Replaces pT by pT/HT, so that the weights of the jet sum to 1; padding rows stay 0.
/// Returns the jet's HT [GeV] before normalisation.
/// REQUIRES: HT > 0 (throws otae::InvalidArgument otherwise).
double normalise_jet_pt(float* rows, int64_t n_particles);

/// φ [rad] in [−π, π) as float32 still inside [−π, π): float32(±π) lies outside (|float32(π)| > π),
/// so a value that would round to it is stored as the nearest float32 inside (1.5·10⁻⁷ rad away).
float phi_to_float(double phi);

}  // namespace otae::physics
