#include "otae/data/preprocessing.hpp"

#include <cmath>
#include <sstream>

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include "otae/base/error.hpp"
#include "otae/physics/jet_preprocessing.hpp"

namespace otae::data {

namespace {

// Jets per parallel task: a few thousand rows amortise the task overhead.
constexpr int64_t kJetsPerTask = 256;

void check_jet_shape(const at::Tensor& particles, const std::string& what) {
  if (!particles.defined() || particles.dim() != 3 || particles.size(2) != 3 || particles.size(0) < 1 ||
      particles.size(1) < 1 || !at::isFloatingType(particles.scalar_type()) || !particles.device().is_cpu()) {
    std::ostringstream message;
    message << what << ": expected a CPU floating tensor [N ≥ 1, M ≥ 1, 3] of (pT, eta, phi), received ";
    if (particles.defined())
      message << particles.toString() << " of shape " << particles.sizes() << " on " << particles.device();
    else
      message << "an undefined tensor";
    throw InvalidArgument(message.str());
  }
}

[[noreturn]] void throw_bad_particle(const std::string& what, int64_t jet, int64_t particle,
                                     const std::string& problem, double value) {
  std::ostringstream message;
  message << what << ": jet " << jet << ", particle " << particle << " has " << problem << " (" << value << ")";
  throw InvalidArgument(message.str());
}

template <typename T>
void check_jet_values(const T* rows, int64_t n_jets, int64_t n_particles, const std::string& what) {
  static const char* const kColumnNames[] = {"pT", "eta", "phi"};
  for (int64_t jet = 0; jet < n_jets; ++jet) {
    double ht = 0.0;
    for (int64_t i = 0; i < n_particles; ++i) {
      const T* p = rows + 3 * (jet * n_particles + i);
      for (int c = 0; c < 3; ++c)
        if (!std::isfinite(double(p[c])))
          throw_bad_particle(what, jet, i, std::string("a non-finite ") + kColumnNames[c], double(p[c]));
      if (p[0] < 0) throw_bad_particle(what, jet, i, "a negative pT", double(p[0]));
      ht += double(p[0]);
    }
    if (!(ht > 0.0)) {
      std::ostringstream message;
      message << what << ": jet " << jet << " is empty (all " << n_particles
              << " particles have pT = 0); drop empty jets before preprocessing";
      throw InvalidArgument(message.str());
    }
  }
}

}  // namespace

void check_jets(const at::Tensor& particles, const std::string& what) {
  check_jet_shape(particles, what);
  const at::Tensor rows = particles.contiguous();
  AT_DISPATCH_FLOATING_TYPES(rows.scalar_type(), "check_jets", [&] {
    check_jet_values(rows.data_ptr<scalar_t>(), rows.size(0), rows.size(1), what);
  });
}

at::Tensor jet_ht(const at::Tensor& particles) {
  check_jet_shape(particles, "jet_ht");
  return particles.select(2, 0).to(at::kDouble).sum(1);
}

at::Tensor preprocess_jets_(at::Tensor& particles, const JetPreprocessing& options) {
  check_jets(particles, "preprocess_jets_");
  if (particles.scalar_type() != at::kFloat || !particles.is_contiguous())
    throw InvalidArgument("preprocess_jets_: works in place on a contiguous float32 tensor, received " +
                          std::string(particles.toString()) + (particles.is_contiguous() ? "" : " (not contiguous)") +
                          "; use preprocess_jets for a copy");
  const int64_t n_jets = particles.size(0), n_particles = particles.size(1);
  at::Tensor ht = at::empty({n_jets}, at::kFloat);
  float* rows = particles.data_ptr<float>();
  float* ht_out = ht.data_ptr<float>();
  at::parallel_for(0, n_jets, kJetsPerTask, [&](int64_t begin, int64_t end) {
    for (int64_t jet = begin; jet < end; ++jet) {
      float* jet_rows = rows + 3 * jet * n_particles;
      ht_out[jet] = float(physics::scalar_ht(jet_rows, n_particles));
      if (options.centre()) physics::centre_jet(jet_rows, n_particles);
      if (options.normalise_pt()) physics::normalise_jet_pt(jet_rows, n_particles);
    }
  });
  return ht;
}

PreprocessedJets preprocess_jets(const at::Tensor& particles, const JetPreprocessing& options) {
  check_jet_shape(particles, "preprocess_jets");
  at::Tensor copy = particles.to(at::kFloat, /*non_blocking=*/false, /*copy=*/true).contiguous();
  at::Tensor ht = preprocess_jets_(copy, options);
  return {copy, ht};
}

at::Tensor network_features(const at::Tensor& particles) {
  check_jet_shape(particles, "network_features");
  const at::Tensor rows = particles.to(at::kFloat);
  const at::Tensor pt = rows.select(2, 0);
  const at::Tensor ht = pt.sum(1, /*keepdim=*/true);
  if (!(ht > 0).all().item<bool>()) {
    const int64_t jet = (ht.squeeze(1) <= 0).nonzero().select(1, 0)[0].item<int64_t>();
    throw InvalidArgument("network_features: jet " + std::to_string(jet) + " is empty (HT = 0)");
  }
  // cos φ of a padding row would be 1; the mask keeps padding all zero so it cannot leak into
  // a network that does not look at the weights.
  const at::Tensor real = (pt > 0).to(at::kFloat);
  const at::Tensor eta = rows.select(2, 1), phi = rows.select(2, 2);
  return at::stack({pt / ht, eta * real, at::cos(phi) * real, at::sin(phi) * real}, 2);
}

}  // namespace otae::data
