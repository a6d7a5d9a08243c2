// The latent space of a VAE by configuration: L Gaussian directions (always), K binary
// relaxed-Bernoulli variables for unsupervised classification of mixed samples, hierarchical as
// in the author's categorical EMD-VAE — the encoder's last hidden layer gives the binary log-odds
// log α, and the Gaussian μ, log σ² are read from [hidden, z_b] with z_b the relaxed binary draw —
// and C circular directions with von Mises posteriors (von_mises.hpp), whose mean direction is
// atan2 of two outputs and concentration κ = exp(·); the decoder reads [z_g, z_b, cos θ, sin θ].
// With K = C = 0 it is exactly the Gaussian latent space of gaussian_latent.hpp, parameter for
// parameter and random draw for random draw.
#pragma once

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "otae/base/arg.hpp"
#include "otae/nn/gaussian_latent.hpp"

namespace otae::nn {

/// ln κ of the circular posteriors is clamped to [kMinLogConcentration, kMaxLogConcentration]:
/// κ from 10⁻³ (practically uniform) to 10⁵ (an angular spread 1/√κ of 3 mrad).
inline constexpr double kMinLogConcentration = -6.9;
inline constexpr double kMaxLogConcentration = 11.5;

/// The latent variables that join the Gaussian directions. The defaults add none.
struct MixedLatentOptions {
  /// Prior probability pᵢ ∈ (0, 1) of each binary variable being 1 (its prior log-odds logit pᵢ);
  /// their number is K, e.g. {5e-4, 5e-3, 5e-2, 0.5}.
  OTAE_ARG(std::vector<double>, binary_priors, {});
  /// Temperature τ of the relaxation (the reference's 0.3).
  OTAE_ARG(double, temperature, 0.3);
  /// Circular directions C, each a von Mises angle against the uniform prior.
  OTAE_ARG(int64_t, circular_dim, 0);
  OTAE_ARG_PUBLIC

  /// K.
  int64_t binary_dim() const { return static_cast<int64_t>(binary_priors_.size()); }
  /// Width of the decoder's input for `gaussian_dim` Gaussian directions: L + K + 2C.
  int64_t decoder_input_dim(int64_t gaussian_dim) const;
  /// Throws InvalidArgument (echoing the value) unless every prior is in (0, 1), τ > 0 and C ≥ 0.
  void validate() const;
};

/// The posterior of a batch.
struct LatentPosterior {
  GaussianPosterior gaussian;            ///< μ, log σ² [B, L] float32, conditioned on binary_sample
  torch::Tensor binary_log_alpha;        ///< [B, K] float32 log α; undefined when K = 0
  torch::Tensor binary_sample;           ///< [B, K] float32 in (0, 1): the z_b the Gaussian part read
  torch::Tensor circular_mean;           ///< [B, C] float32 [rad]: mean direction μ; undefined when C = 0
  torch::Tensor circular_concentration;  ///< [B, C] float32: κ
};

/// The linear heads from the encoder's last hidden layer: log α [K] from the hidden layer, then μ
/// and log σ² [L] from [hidden, z_b]; 3 numbers per circular direction from the hidden layer
/// (μ = atan2(second, first), ln κ = third, clamped). Parameters are named "mean" and
/// "log_variance" as the earlier Gaussian-only head's, plus "binary_log_alpha" when K > 0 and
/// "circular" when C > 0, and the Gaussian heads are created first, so a pure-Gaussian head draws
/// the same initial weights and reads the same checkpoints.
class LatentHeadImpl : public torch::nn::Module {
 public:
  /// Throws InvalidArgument for invalid options or a non-positive width or dimension.
  LatentHeadImpl(int64_t input_width, int64_t gaussian_dim, const MixedLatentOptions& options);

  /// hidden [B, input_width] float32 → posterior. With `binary_noise` the binary variables are
  /// drawn from it (training); without, the Gaussian part reads their median sigmoid(log α/τ), so
  /// that encoding is deterministic. Nothing is drawn when K = 0.
  LatentPosterior forward(const torch::Tensor& hidden, c10::optional<at::Generator> binary_noise = c10::nullopt);

  const MixedLatentOptions& options() const { return options_; }

 private:
  MixedLatentOptions options_;
  torch::nn::Linear mean_{nullptr};
  torch::nn::Linear log_variance_{nullptr};
  torch::nn::Linear binary_log_alpha_{nullptr};
  torch::nn::Linear circular_{nullptr};
};
TORCH_MODULE(LatentHead);

/// The KL of each latent variable against its prior, in nats, differentiable:
/// Gaussian ½(μ² + σ² − log σ² − 1) against N(0, 1), binary the relaxed-Bernoulli KL against the
/// prior pᵢ (relaxed_bernoulli.hpp), circular KL(vM(κ) ‖ uniform) (von_mises.hpp).
struct LatentKl {
  torch::Tensor gaussian;  ///< [B, L]
  torch::Tensor binary;    ///< [B, K]; undefined when K = 0
  torch::Tensor circular;  ///< [B, C]; undefined when C = 0

  /// Σ over every variable of each row, the binary ones weighted by `binary_weight`: [B] float64.
  torch::Tensor weighted_sum(double binary_weight = 1.0) const;
};

/// The KL of every latent variable of `posterior`, whose binary part has the priors of `options`.
/// Throws InvalidArgument when the posterior's K differs from the options'.
LatentKl latent_kl_per_dim(const LatentPosterior& posterior, const MixedLatentOptions& options);

/// The decoder's input [B, L + K + 2C] float32: z_g = μ + σ ε, the binary_sample the Gaussian part
/// was conditioned on, then cos θ for every circular direction and sin θ for every one, θ = μ + θ₀
/// with θ₀ ~ vM(0, κ). ε, then θ₀, are drawn from `generator` (the global one when empty).
/// Differentiable, in κ through the implicit reparameterisation gradient.
torch::Tensor sample_latent(const LatentPosterior& posterior, c10::optional<at::Generator> generator = c10::nullopt);

/// `rows` draws from the prior of every latent variable, in the decoder's layout of
/// sample_latent, [rows, L + K + 2C] float32: z_g ~ N(0, 1) for the `gaussian_dim` = L
/// directions; z_b the relaxed Bernoulli of each prior pᵢ — log-odds logit pᵢ at the options'
/// temperature, the distribution latent_kl_per_dim compares the posterior with — so that
/// P(z_b > ½) = pᵢ; then cos θ and sin θ of θ ~ U(−π, π), the uniform prior on the circle. z_g,
/// then z_b's noise, then θ are drawn from `generator` (the global one when empty); with K = C = 0
/// this is at::randn({rows, L}). Throws InvalidArgument for rows < 0, L < 1 or invalid options.
torch::Tensor sample_prior(int64_t rows, int64_t gaussian_dim, const MixedLatentOptions& options,
                           c10::optional<at::Generator> generator = c10::nullopt);

}  // namespace otae::nn
