// The Gaussian latent space of a VAE: the posterior q(z|x) = N(μ, diag σ²) (its heads are in
// latent_space.hpp), the reparameterised draw z = μ + σ ε, and the KL divergence of each
// latent direction against the prior N(0, 1) — the per-dimension KL spectrum of Collins 2021.
#pragma once

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/types.h>

namespace otae::nn {

/// The posterior of a batch: both [B, L] float32.
struct GaussianPosterior {
  torch::Tensor mean;          ///< μ
  torch::Tensor log_variance;  ///< log σ²

  /// σ = exp(½ log σ²), [B, L].
  torch::Tensor standard_deviation() const;
};

/// z = μ + σ ε with ε ~ N(0, 1) drawn from `generator` (the global one when empty):
/// [B, L] float32, differentiable with respect to μ and log σ².
torch::Tensor sample_latent(const GaussianPosterior& posterior, c10::optional<at::Generator> generator = c10::nullopt);

/// KLᵢ = ½ (μᵢ² + σᵢ² − log σᵢ² − 1) of each jet and latent direction against N(0, 1):
/// [B, L], in nats, differentiable. Summed over i it is the VAE's rate term.
torch::Tensor latent_kl_per_dim(const GaussianPosterior& posterior);

}  // namespace otae::nn
