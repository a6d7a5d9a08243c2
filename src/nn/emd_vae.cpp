#include "otae/nn/emd_vae.hpp"

#include <string>

#include "otae/base/error.hpp"

namespace otae::nn {

void EmdVaeOptions::validate() const {
  encoder_.validate();
  decoder_.validate();
  if (encoder_.latent_dim() != decoder_.latent_dim())
    throw InvalidArgument("EmdVae: the encoder's latent_dim " + std::to_string(encoder_.latent_dim()) +
                          " differs from the decoder's " + std::to_string(decoder_.latent_dim()));
}

EmdVaeImpl::EmdVaeImpl(const EmdVaeOptions& options) : options_(options) {
  options_.validate();
  encoder_ = register_module("encoder", ParticleFlowEncoder(options_.encoder()));
  decoder_ = register_module("decoder", DenseJetDecoder(options_.decoder()));
}

GaussianPosterior EmdVaeImpl::encode(const torch::Tensor& features) { return encoder_->forward(features); }

DecodedJets EmdVaeImpl::decode(const torch::Tensor& z) { return decoder_->forward(z); }

}  // namespace otae::nn
