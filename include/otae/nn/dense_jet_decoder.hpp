// The EMD-VAE's decoder: a dense network from the latent point to N particles, each with a pT
// fraction (a softmax over the particles, so that the decoded jet's weights sum to one like the
// input's pT/HT) and a position (η, φ), φ = atan2(sin, cos) of two outputs (Collins 2021, Sec. 2).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "otae/base/arg.hpp"
#include "otae/nn/dense_stack.hpp"

namespace otae::nn {

/// Defaults are the paper's: 256 latent directions, 5 × 1024 hidden, LeakyReLU(0.1), 50 particles.
struct DenseJetDecoderOptions {
  OTAE_ARG(int64_t, latent_dim, 256);
  OTAE_ARG(std::vector<int64_t>, widths, (std::vector<int64_t>{1024, 1024, 1024, 1024, 1024}));
  OTAE_ARG(int64_t, particles, 50);
  OTAE_ARG(double, leaky_slope, 0.1);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument naming the option unless latent_dim, particles and every width are ≥ 1.
  void validate() const;
};

/// A batch of decoded jets.
struct DecodedJets {
  torch::Tensor weights;    ///< [B, N] float32: pT/HT of each particle, positive, Σ = 1 per jet.
  torch::Tensor positions;  ///< [B, N, 2] float32: (η, φ), φ in [−π, π].
};

class DenseJetDecoderImpl : public torch::nn::Module {
 public:
  explicit DenseJetDecoderImpl(const DenseJetDecoderOptions& options);

  /// z [B, latent_dim] float32 → jets of `particles` particles.
  DecodedJets forward(const torch::Tensor& z);

  const DenseJetDecoderOptions& options() const { return options_; }

 private:
  DenseJetDecoderOptions options_;
  DenseStack trunk_{nullptr};
  /// 4 numbers per particle: pT logit, η, cos-like, sin-like.
  torch::nn::Linear particle_outputs_{nullptr};
};
TORCH_MODULE(DenseJetDecoder);

}  // namespace otae::nn
