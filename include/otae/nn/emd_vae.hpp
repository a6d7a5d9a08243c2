// The EMD-VAE of Collins 2021: the Particle Flow encoder and the dense jet decoder around a
// Gaussian latent space. The loss (Sinkhorn EMD and KL) and the training live in otae::train.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "otae/nn/dense_jet_decoder.hpp"
#include "otae/nn/particle_flow_encoder.hpp"

namespace otae::nn {

/// Encoder and decoder options; the decoder reads what the encoder's latent space gives it.
struct EmdVaeOptions {
  OTAE_ARG(ParticleFlowEncoderOptions, encoder, ParticleFlowEncoderOptions());
  OTAE_ARG(DenseJetDecoderOptions, decoder, DenseJetDecoderOptions());
  OTAE_ARG_PUBLIC

  /// Validates both parts; throws InvalidArgument unless the decoder's latent_dim is the encoder's
  /// decoder input width, L + K + 2C.
  void validate() const;
};

class EmdVaeImpl : public torch::nn::Module {
 public:
  explicit EmdVaeImpl(const EmdVaeOptions& options);

  /// features [B, N, 4] float32 (pT/HT, η, cos φ, sin φ) → posterior; `binary_noise` as
  /// LatentHead::forward.
  LatentPosterior encode(const torch::Tensor& features, c10::optional<at::Generator> binary_noise = c10::nullopt);
  /// z [B, L + K + 2C] float32 (sample_latent's layout) → decoded jets.
  DecodedJets decode(const torch::Tensor& z);

  const EmdVaeOptions& options() const { return options_; }

 private:
  EmdVaeOptions options_;
  ParticleFlowEncoder encoder_{nullptr};
  DenseJetDecoder decoder_{nullptr};
};
TORCH_MODULE(EmdVae);

}  // namespace otae::nn
