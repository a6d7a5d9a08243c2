// Sliced Wasserstein distance between two sample sets, the distribution-matching loss and the
// headline metric of OTUS (Howard et al.): project both sets on random directions of the unit
// sphere, sort each projection, compare quantiles.
//
// Convention, as the OTUS paper and code: the reported number is SW₂² = (1/L) Σ_l W₂²(θ_l#X, θ_l#Y),
// the mean over slices of the squared 1-D W₂ between the projected empirical measures, in the
// squared units of the samples (GeV² for OTUS events). POT's sliced_wasserstein_distance returns
// its square root, SW₂, also given here.
#pragma once

#include <cstdint>

#include <ATen/ATen.h>

#include "otae/base/arg.hpp"

namespace otae::ot {

/// `slices` directions uniform on the unit sphere S^{D−1}: standard normal vectors [L, D] drawn
/// from LibTorch's CPU generator (mt19937) seeded with `seed`, each divided by its norm.
/// Returns [L, D] float64 on the CPU, the same for a given (slices, dimension, seed) on every
/// machine and thread count. Throws InvalidArgument unless slices ≥ 1 and dimension ≥ 1.
at::Tensor random_directions(int64_t slices, int64_t dimension, uint64_t seed);

/// Which implementation runs. kAuto: the fused kernel for CPU tensors, the tensor version otherwise.
enum class SlicedWassersteinBackend {
  kAuto,
  /// CPU only. Per chunk of slices: projections by one matrix product, then, in parallel over
  /// slices, a sort and the quantile comparison, which also writes ∂W₂²/∂(projection); a second
  /// matrix product turns these into ∂SW₂²/∂X and ∂/∂Y during the forward pass. Memory O((B + B′)·D)
  /// kept for backward, whatever L. First derivatives only: backward throws if a graph of the
  /// gradient is requested (create_graph); use kTensor for that.
  kFused,
  /// Matrix product, at::sort and gathers, differentiated by LibTorch's autograd, on any device
  /// (also to higher orders). Autograd keeps the int64 sort indices of every slice for backward,
  /// at least 8·(B + B′)·L bytes (320 MB at B = B′ = 20,000, L = 1,000), whatever the chunking.
  kTensor,
};

/// Options of `sliced_wasserstein`. Defaults are the OTUS evaluation's: L = 1,000 slices and a
/// fixed seed. A training loop that wants fresh directions every step (as OTUS does) passes a
/// new seed each step, e.g. the step number; a fixed seed reuses the same L directions.
struct SlicedWassersteinOptions {
  /// L, the number of random directions; ignored when `directions` is given.
  OTAE_ARG(int64_t, slices, 1000);
  OTAE_ARG(uint64_t, seed, 0);
  /// Fixed directions [L, D], any floating dtype and device, rows of unit norm (within 1e-4);
  /// e.g. the `directions` of an earlier result, so that several evaluations share slices.
  /// When defined, `slices` and `seed` are ignored.
  OTAE_ARG(at::Tensor, directions, at::Tensor());
  /// Slices projected and sorted at a time, bounding the working memory to about
  /// 16·(B + B′)·slices_per_chunk bytes; 0 picks ⌈2²² / max(B, B′)⌉ (≈ 210 at B = 20,000).
  OTAE_ARG(int64_t, slices_per_chunk, 0);
  OTAE_ARG(SlicedWassersteinBackend, backend, SlicedWassersteinBackend::kAuto);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument (echoing the bad value) unless slices ≥ 1 and slices_per_chunk ≥ 0.
  void validate() const;
};

/// What `sliced_wasserstein` returns.
struct SlicedWassersteinResult {
  /// [] dtype of X: SW₂², differentiable with respect to X and Y.
  at::Tensor sw2_squared;
  /// [] dtype of X: √SW₂². Its gradient is infinite where SW₂² = 0; train on sw2_squared.
  at::Tensor sw2;
  /// [L, D] dtype and device of X: the unit directions used, to pass back as options.directions.
  at::Tensor directions;
};

/// Sliced Wasserstein distance between the empirical measures of samples x [B, D] and y [B′, D]
/// (float32 or float64, both the same, on one device; B ≠ B′ allowed).
///   SW₂² = (1/L) Σ_l Σ_k w_k (x_(l, a_k) − y_(l, b_k))²,
/// with x_(l, i) the i-th smallest of the projections x·θ_l and (a_k, b_k, w_k) the
/// `quantile_coupling` of (B, B′): for B = B′ the mean over slices and samples of the squared
/// differences of sorted projections; for B ≠ B′ the exact 1-D W₂² between the projected measures,
/// each slice's quantile functions compared piece by piece (no interpolation). Per slice
/// accumulated in float64 by the fused backend, in the input dtype by the tensor backend.
/// Differentiable with respect to x and y (almost everywhere: where no two projections tie).
/// Throws InvalidArgument, naming the bad value, if x or y is not 2-D, empty, not float32/float64,
/// holds NaN/inf, if the dimensions, dtypes or devices differ, or if the options or the given
/// directions are unusable (wrong D, non-unit rows, NaN).
SlicedWassersteinResult sliced_wasserstein(const at::Tensor& x, const at::Tensor& y,
                                           const SlicedWassersteinOptions& options = {});

}  // namespace otae::ot
