#include "otae/physics/jet_preprocessing.hpp"

#include <cmath>
#include <string>

#include "otae/base/error.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::physics {

namespace {

constexpr int64_t kColumns = 3;  // pT, η, φ

double positive_ht(const float* rows, int64_t n_particles, const char* caller) {
  const double ht = scalar_ht(rows, n_particles);
  if (!(ht > 0.0))
    throw InvalidArgument(std::string(caller) + ": the jet has HT = " + std::to_string(ht) +
                          " (no particle with pT > 0); drop empty jets first");
  return ht;
}

}  // namespace

double scalar_ht(const float* rows, int64_t n_particles) {
  double ht = 0.0;
  for (int64_t i = 0; i < n_particles; ++i) ht += rows[kColumns * i];
  return ht;
}

EtaPhi pt_weighted_centroid(const float* rows, int64_t n_particles) {
  const double ht = positive_ht(rows, n_particles, "pt_weighted_centroid");
  double eta_sum = 0.0, cos_sum = 0.0, sin_sum = 0.0;
  for (int64_t i = 0; i < n_particles; ++i) {
    const float* p = rows + kColumns * i;
    eta_sum += p[0] * double(p[1]);
    cos_sum += p[0] * std::cos(double(p[2]));
    sin_sum += p[0] * std::sin(double(p[2]));
  }
  // The circular mean only fixes which branch of φ is "near"; the centroid itself is the linear
  // pT-weighted mean of the offsets, so that centring zeroes Σ pT φ exactly.
  const double reference = std::atan2(sin_sum, cos_sum);
  double offset_sum = 0.0;
  for (int64_t i = 0; i < n_particles; ++i) {
    const float* p = rows + kColumns * i;
    offset_sum += p[0] * wrap_phi(p[2] - reference);
  }
  return {eta_sum / ht, wrap_phi(reference + offset_sum / ht)};
}

EtaPhi centre_jet(float* rows, int64_t n_particles) {
  const EtaPhi centroid = pt_weighted_centroid(rows, n_particles);
  for (int64_t i = 0; i < n_particles; ++i) {
    float* p = rows + kColumns * i;
    if (p[0] == 0.0f) continue;
    p[1] = float(p[1] - centroid.eta);
    p[2] = phi_to_float(wrap_phi(p[2] - centroid.phi));
  }
  return centroid;
}

double normalise_jet_pt(float* rows, int64_t n_particles) {
  const double ht = positive_ht(rows, n_particles, "normalise_jet_pt");
  for (int64_t i = 0; i < n_particles; ++i) rows[kColumns * i] = float(rows[kColumns * i] / ht);
  return ht;
}

float phi_to_float(double phi) {
  const float f = float(phi);
  if (double(f) >= kPi) return std::nextafter(float(kPi), 0.0f);
  if (double(f) < -kPi) return std::nextafter(-float(kPi), 0.0f);
  return f;
}

}  // namespace otae::physics
