#include "otae/nn/emd_vae.hpp"

#include <string>

#include "otae/base/error.hpp"

namespace otae::nn {

void EmdVaeOptions::validate() const {
  encoder_.validate();
  decoder_.validate();
  const int64_t width = encoder_.mixed_latents().decoder_input_dim(encoder_.latent_dim());
  if (width != decoder_.latent_dim())
    throw InvalidArgument("EmdVae: the encoder's latent space gives the decoder " + std::to_string(width) +
                          " numbers per jet but the decoder's latent_dim is " + std::to_string(decoder_.latent_dim()));
}

EmdVaeImpl::EmdVaeImpl(const EmdVaeOptions& options) : options_(options) {
  options_.validate();
  encoder_ = register_module("encoder", ParticleFlowEncoder(options_.encoder()));
  decoder_ = register_module("decoder", DenseJetDecoder(options_.decoder()));
}

LatentPosterior EmdVaeImpl::encode(const torch::Tensor& features, c10::optional<at::Generator> binary_noise) {
  return encoder_->forward(features, binary_noise);
}

DecodedJets EmdVaeImpl::decode(const torch::Tensor& z) { return decoder_->forward(z); }

}  // namespace otae::nn
