// What the two Sinkhorn backends (fused CPU kernel, tensor ops on any device) take and give.
// Both implement the same iteration, stopping rule and explicit gradient, and agree to ~1e-12.
//
// Objects passed between stages, per pair b (n, m = particles with non-zero weight):
//   C [n, m]  ground cost (ΔR/R)^β
//   f [n], g [m]  dual potentials accumulated over ε steps (absorbed into the kernel)
//   K [n, m] = exp((fᵢ + gⱼ − Cᵢⱼ)/ε)  the absorbed kernel at the current ε
//   u [n], v [m]  scalings within one ε step; the plan is T = diag(u) K diag(v)
//   w_a [n], w_b [m]  adjoint solution; ∂S/∂a = w_a, ∂S/∂Cᵢⱼ = Tᵢⱼ (1 + (w_aᵢ + w_bⱼ − Cᵢⱼ)/ε)
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "otae/ot/sinkhorn.hpp"

namespace otae::ot::detail {

/// Everything a backend returns; gradients are d(cost_b)/d(input) per pair, defined only when
/// requested, with the input's shape in float64.
struct SinkhornOutputs {
  at::Tensor cost, iterations, marginal_error, plan;
  at::Tensor grad_weights_a, grad_positions_a, grad_weights_b, grad_positions_b;
};

/// Inputs are float64, contiguous, validated: weights [B, N], positions [B, N, 2], likewise b.
SinkhornOutputs sinkhorn_fused(const at::Tensor& weights_a, const at::Tensor& positions_a,
                               const at::Tensor& weights_b, const at::Tensor& positions_b,
                               const SinkhornOptions& options, bool with_gradient);

SinkhornOutputs sinkhorn_tensor(const at::Tensor& weights_a, const at::Tensor& positions_a,
                                const at::Tensor& weights_b, const at::Tensor& positions_b,
                                const SinkhornOptions& options, bool with_gradient);

/// K[i·stride + j] = exp(clamp((f[i] + g[j] − cost[i·stride + j]) / eps, −700, 700)) for i < n,
/// j < m. The clamp keeps glibc's vector exp on its fast path (it turns scalar outside ±708) and
/// makes entries that would underflow e^−700 ≈ 1e−304 instead of 0, which is harmless next to
/// weights ≥ 1e−300.
void absorbed_kernel(const double* f, const double* g, const double* cost, double eps, int64_t n,
                     int64_t m, int64_t stride, double* kernel);

/// potential[k] += eps · log(scaling[k]) for k < count: a finished ε step's scalings absorbed
/// into the dual potentials. Scalings are positive and finite (marginals over guarded sums).
void absorb_scalings(const double* scaling, int64_t count, double eps, double* potential);

}  // namespace otae::ot::detail
