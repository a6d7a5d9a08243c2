// Circular latent directions: a coordinate θ on the circle S¹ with the von Mises posterior
// vM(μ, κ), density e^{κ cos(θ − μ)}/(2π I₀(κ)), against the uniform prior 1/(2π). A latent space
// whose topology matches a periodic quantity (a jet's azimuth φ) encodes it on one circle instead
// of a ring in two Gaussian directions.
//
// KL(vM(κ) ‖ U) = κ A(κ) − ln I₀(κ), A = I₁/I₀ (independent of μ). It is computed in float64 from
// the exponentially scaled Bessel functions (ln I₀ = ln i0e(κ) + κ, so e^κ never overflows), and
// above κ = kVonMisesAsymptoticAbove from the asymptotic series
//   ln i0e(κ) = −½ ln(2πκ) + ln(1 + 1/(8κ) + 9/(128κ²) + 225/(3072κ³) + 11025/(98304κ⁴)),
//   1 − A(κ)  = (1/(2κ) + 3/(16κ²) + 45/(256κ³) + 525/(2048κ⁴)) / (1 + 1/(8κ) + …),
// whose first omitted terms are below 10⁻¹⁵ there. Its gradient is dKL/dκ = κ(1 − A²) − A.
//
// Sampling is reparameterised implicitly (Figurnov et al. 2018): θ₀ ~ vM(0, κ) is drawn by the
// rejection method of Best & Fisher (1979), and its derivative at fixed CDF value u = F(θ₀; κ) is
//   dθ₀/dκ = −(∂F/∂κ)/(∂F/∂θ),  ∂F/∂θ = e^{κ cos θ₀}/(2π I₀),
//   ∂F/∂κ = ∫_{−π}^{θ₀} (cos t − A) e^{κ cos t}/(2π I₀) dt = ∫_0^{θ₀} (…) dt   (F(0; κ) = ½ for all κ),
// so that dθ₀/dκ = −∫_0^{θ₀} (cos t − A) e^{κ(cos t − cos θ₀)} dt, the 2π I₀ cancelling. The
// integrand changes sign where cos t = A; beyond that point the same value is +∫_{θ₀}^{π} (…) dt
// (the integral over [0, π] vanishes), so each θ₀ integrates a one-signed function, without
// cancellation, by adaptive Gauss–Legendre quadrature in float64. LibTorch has no such gradient;
// von_mises_sample is an autograd function whose backward applies this one.
#pragma once

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/types.h>

namespace otae::nn {

/// κ above which von_mises_kl uses the asymptotic series.
inline constexpr double kVonMisesAsymptoticAbove = 1000.0;

/// KL(vM(κ) ‖ uniform) [nats] of each concentration κ > 0 (any shape, floating): same shape and
/// dtype, differentiable in κ. Throws InvalidArgument when a κ is not positive and finite.
torch::Tensor von_mises_kl(const torch::Tensor& concentration);

/// θ₀ ~ vM(0, κ) in (−π, π] for each κ > 0 (any shape, floating), drawn in float64 from
/// `generator` (the global one when empty) and returned in κ's dtype, differentiable in κ through
/// the implicit reparameterisation gradient above. Throws InvalidArgument when a κ is not
/// positive and finite.
torch::Tensor von_mises_sample(const torch::Tensor& concentration,
                               c10::optional<at::Generator> generator = c10::nullopt);

/// dθ₀/dκ at fixed CDF value for samples θ₀ ∈ [−π, π] of vM(0, κ) (same shapes, floating), in
/// float64 — the backward of von_mises_sample, exposed for tests. Throws InvalidArgument when the
/// shapes differ or κ is not positive and finite.
torch::Tensor von_mises_sample_derivative(const torch::Tensor& theta, const torch::Tensor& concentration);

}  // namespace otae::nn
