// A supervised jet classifier of the EMD-VAE encoder's shape: the Particle Flow Network trunk
// (per-particle dense network, masked sum, jet-level dense network) and one logistic output. It is
// the baseline that gives the unsupervised binary latent's separation a scale.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "otae/nn/dense_stack.hpp"
#include "otae/nn/particle_flow_encoder.hpp"

namespace otae::nn {

class ParticleFlowClassifierImpl : public torch::nn::Module {
 public:
  /// The trunk of `options` (its latent settings are not used). Throws InvalidArgument as
  /// ParticleFlowEncoderOptions::validate.
  explicit ParticleFlowClassifierImpl(const ParticleFlowEncoderOptions& options);

  /// features [B, N, particle_features] float32 (padding rows have pT/HT = 0) → logit [B] of
  /// P(label 1); padding is masked and the sum scaled as the options say.
  torch::Tensor forward(const torch::Tensor& features);

 private:
  ParticleFlowTrunk trunk_;
  torch::nn::Linear logit_{nullptr};
};
TORCH_MODULE(ParticleFlowClassifier);

}  // namespace otae::nn
