// Toy datasets with known structure, for checking that an autoencoder finds what is there
// (the EMD-VAE paper's appendix: Gaussians whose learnt KL spectrum should follow σ̄ᵢ).
// A toy is named by a spec string wherever a data file could be named:
//
//   toy:NAME[:p1,p2,…][?n=COUNT&seed=SEED]
//
//   toy:gaussian:σ1,…,σd   d-dim centred Gaussian, independent coordinates, xⱼ = σⱼ·εⱼ.
//                          Needs at least one σ > 0. Default n = 100000.
//   toy:gaussian11         11-dim: ten coordinates with σ = 1, then one with σ = 0.1.
//                          No parameters. Default n = 500000.
//   toy:bananas[:a,s]      2-D banana: t ~ N(0, 1), ε ~ N(0, 1),
//                          x = (t, a·(t² − 1) + s·ε). Defaults a = 0.5, s = 0.1; the −1 centres
//                          the mean at (0, 0). Default n = 100000.
//   toy:circle[:R,s]       2-D ring: θ ~ U[−π, π), ε ~ N(0, 1), r = R + s·ε,
//                          x = (r cos θ, r sin θ). Defaults R = 1, s = 0.05 (a circular latent).
//                          Default n = 100000.
//
// n is the number of points (≥ 1), seed any unsigned 64-bit integer (default 0). The points
// are a function of the spec alone, the same on every platform.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace otae::data {

/// A parsed toy spec.
struct ToySpec {
  std::string name;                ///< One of `toy_names()`.
  std::vector<double> parameters;  ///< As written, or the toy's defaults when none were given.
  int64_t count = 0;               ///< Number of points.
  uint64_t seed = 0;
};

/// The known toy names: gaussian, gaussian11, bananas, circle.
std::vector<std::string> toy_names();

/// True when `source` is meant as a toy spec (starts with "toy:"), so that a caller can tell a
/// toy from a file name before parsing.
bool is_toy_spec(const std::string& source);

/// Parses a spec as documented above, filling in default parameters and count.
/// Throws ConfigError echoing the spec for an unknown name (listing the known ones), a malformed
/// number, a wrong number of parameters, a non-positive σ, R or count, or an unknown query key.
ToySpec parse_toy_spec(const std::string& spec);

/// Draws the points of a toy: [count, d] float32 (d = number of σ for gaussian, 11 for
/// gaussian11, 2 for bananas and circle). Throws ConfigError as `parse_toy_spec` does when
/// `spec` was not made by it and is invalid.
at::Tensor make_toy(const ToySpec& spec);

/// parse_toy_spec then make_toy.
at::Tensor make_toy(const std::string& spec);

}  // namespace otae::data
