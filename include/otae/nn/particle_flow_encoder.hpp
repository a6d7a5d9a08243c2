// The EMD-VAE's encoder, a Particle Flow Network (Komiske et al. 2019): a dense network applied
// to every particle alone, a sum over the particles of the jet, a dense network on the sum, and
// the latent heads: Gaussian μ, log σ² (Collins 2021, Sec. 2), and binary log-odds when configured.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "otae/base/arg.hpp"
#include "otae/nn/dense_stack.hpp"
#include "otae/nn/latent_space.hpp"

namespace otae::nn {

/// Defaults are the paper's: 4 input features, 4 × 1024 per particle, 4 × 1024 per jet,
/// LeakyReLU(0.1), 256 latent directions.
struct ParticleFlowEncoderOptions {
  /// Features per particle: (pT/HT, η, cos φ, sin φ).
  OTAE_ARG(int64_t, particle_features, 4);
  OTAE_ARG(std::vector<int64_t>, particle_widths, (std::vector<int64_t>{1024, 1024, 1024, 1024}));
  OTAE_ARG(std::vector<int64_t>, jet_widths, (std::vector<int64_t>{1024, 1024, 1024, 1024}));
  /// Gaussian latent directions L.
  OTAE_ARG(int64_t, latent_dim, 256);
  /// Binary and circular latent variables besides the Gaussian ones (none by default).
  OTAE_ARG(MixedLatentOptions, mixed_latents, MixedLatentOptions());
  OTAE_ARG(double, leaky_slope, 0.1);
  /// Leave padding particles (pT/HT = 0) out of the sum. The reference sums every row, so the
  /// network's response to a padding row (its biases after the first layer) leaks into the jet
  /// in proportion to the number of missing particles; false reproduces that.
  OTAE_ARG(bool, mask_padding, true);
  /// Divide the sum by √(last particle width), as the reference divides by √1024, so that the
  /// jet network sees inputs of order one whatever the width.
  OTAE_ARG(bool, scale_sum, true);
  /// Append each particle's offset from its jet's axis, (Δη, Δφ [rad]), to the features (see
  /// `with_axis_offsets`). Off in the paper. On uncentred jets a narrow per-particle network sees
  /// only absolute (η, cos φ, sin φ) and cannot resolve a two-prong structure of ΔR ~ 0.3
  /// anywhere on the (η, φ) plane; with the offsets it sees that structure directly, while η
  /// and φ stay in the features for the jet's position. Needs particle_features = 4.
  OTAE_ARG(bool, axis_offsets, false);
  OTAE_ARG_PUBLIC

  /// Inputs of the per-particle network: particle_features, plus 2 with axis_offsets.
  int64_t network_inputs() const { return particle_features_ + (axis_offsets_ ? 2 : 0); }
  /// Throws InvalidArgument naming the option unless every width and the latent dimension are
  /// ≥ 1, the per-particle network has at least one layer, mixed_latents is valid and
  /// axis_offsets comes with the 4 features (pT/HT, η, cos φ, sin φ).
  void validate() const;
};

/// features [B, N, 4] (pT/HT, η, cos φ, sin φ), padding rows pT/HT = 0 → [B, N, 6] with
/// (Δη, Δφ) of each particle from its jet's axis appended: Δη = η − Σ w η / Σ w and Δφ the
/// angle from the circular mean φ_axis = atan2(Σ w sin φ, Σ w cos φ), in [−π, π] (w = pT/HT).
/// Padding rows get (0, 0). Throws InvalidArgument on another shape.
torch::Tensor with_axis_offsets(const torch::Tensor& features);

/// The Particle Flow Network's trunk: the per-particle network, the sum over the particles of each
/// jet and the jet network, registered on the module that owns them as "particle_network" and
/// "jet_network" (the names checkpoints store). Shared by the encoder and the supervised classifier.
class ParticleFlowTrunk {
 public:
  /// Throws InvalidArgument as ParticleFlowEncoderOptions::validate.
  ParticleFlowTrunk(torch::nn::Module& owner, const ParticleFlowEncoderOptions& options);

  /// features [B, N, particle_features] float32 (padding rows have pT/HT = 0 in column 0) →
  /// [B, output_width()]: padding left out of the sum when options.mask_padding(), the sum divided
  /// by √W (W the per-particle width) when options.scale_sum(). With the mask, rows with
  /// pT/HT ≤ 0 are never fed to the per-particle network, so their other features do not matter.
  torch::Tensor forward(const torch::Tensor& features);
  int64_t output_width() const { return jet_network_->output_width(); }

 private:
  /// The per-jet sum, divided by √W when options.scale_sum().
  torch::Tensor scaled(const torch::Tensor& sum) const;

  ParticleFlowEncoderOptions options_;
  DenseStack particle_network_{nullptr};
  DenseStack jet_network_{nullptr};
};

class ParticleFlowEncoderImpl : public torch::nn::Module {
 public:
  explicit ParticleFlowEncoderImpl(const ParticleFlowEncoderOptions& options);

  /// features [B, N, particle_features] float32 (padding rows have pT/HT = 0 in column 0)
  /// → posterior, Gaussian part [B, latent_dim]; `binary_noise` as LatentHead::forward.
  LatentPosterior forward(const torch::Tensor& features, c10::optional<at::Generator> binary_noise = c10::nullopt);

  const ParticleFlowEncoderOptions& options() const { return options_; }

 private:
  ParticleFlowEncoderOptions options_;
  ParticleFlowTrunk trunk_;
  LatentHead head_{nullptr};
};
TORCH_MODULE(ParticleFlowEncoder);

}  // namespace otae::nn
