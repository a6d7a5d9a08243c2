// The Gaussian latent space of a VAE: the encoder's linear heads for the posterior
// q(z|x) = N(μ, diag σ²), the reparameterised draw z = μ + σ ε, and the KL divergence of each
// latent direction against the prior N(0, 1) — the per-dimension KL spectrum of Collins 2021.
#pragma once

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace otae::nn {

/// The posterior of a batch: both [B, L] float32.
struct GaussianPosterior {
  torch::Tensor mean;          ///< μ
  torch::Tensor log_variance;  ///< log σ²

  /// σ = exp(½ log σ²), [B, L].
  torch::Tensor standard_deviation() const;
};

/// Two linear maps from the encoder's last hidden layer to μ and log σ² (no activation).
class GaussianLatentHeadImpl : public torch::nn::Module {
 public:
  GaussianLatentHeadImpl(int64_t input_width, int64_t latent_dim);

  /// hidden [B, input_width] float32 → posterior [B, latent_dim].
  GaussianPosterior forward(const torch::Tensor& hidden);

 private:
  torch::nn::Linear mean_{nullptr};
  torch::nn::Linear log_variance_{nullptr};
};
TORCH_MODULE(GaussianLatentHead);

/// z = μ + σ ε with ε ~ N(0, 1) drawn from `generator` (the global one when empty):
/// [B, L] float32, differentiable with respect to μ and log σ².
torch::Tensor sample_latent(const GaussianPosterior& posterior, c10::optional<at::Generator> generator = c10::nullopt);

/// KLᵢ = ½ (μᵢ² + σᵢ² − log σᵢ² − 1) of each jet and latent direction against N(0, 1):
/// [B, L], in nats, differentiable. Summed over i it is the VAE's rate term.
torch::Tensor latent_kl_per_dim(const GaussianPosterior& posterior);

}  // namespace otae::nn
