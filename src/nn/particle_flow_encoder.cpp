#include "otae/nn/particle_flow_encoder.hpp"

#include <cmath>
#include <string>

#include "otae/base/error.hpp"

namespace otae::nn {

void ParticleFlowEncoderOptions::validate() const {
  if (particle_widths_.empty()) throw InvalidArgument("ParticleFlowEncoder: particle_widths needs at least one layer");
  if (latent_dim_ < 1)
    throw InvalidArgument("ParticleFlowEncoder: latent_dim must be >= 1, received " + std::to_string(latent_dim_));
  DenseStackOptions(particle_features_, particle_widths_).leaky_slope(leaky_slope_).validate();
  DenseStackOptions(particle_widths_.back(), jet_widths_).leaky_slope(leaky_slope_).validate();
  mixed_latents_.validate();
}

ParticleFlowTrunk::ParticleFlowTrunk(torch::nn::Module& owner, const ParticleFlowEncoderOptions& options)
    : options_(options) {
  options_.validate();
  particle_network_ = owner.register_module(
      "particle_network", DenseStack(DenseStackOptions(options_.particle_features(), options_.particle_widths())
                                         .leaky_slope(options_.leaky_slope())));
  jet_network_ = owner.register_module(
      "jet_network", DenseStack(DenseStackOptions(particle_network_->output_width(), options_.jet_widths())
                                    .leaky_slope(options_.leaky_slope())));
}

torch::Tensor ParticleFlowTrunk::forward(const torch::Tensor& features) {
  torch::Tensor per_particle = particle_network_->forward(features);
  if (options_.mask_padding())
    per_particle = per_particle * (features.select(2, 0) > 0).unsqueeze(2).to(per_particle.dtype());
  torch::Tensor jet = per_particle.sum(1);
  if (options_.scale_sum()) jet = jet / std::sqrt(static_cast<double>(per_particle.size(2)));
  return jet_network_->forward(jet);
}

ParticleFlowEncoderImpl::ParticleFlowEncoderImpl(const ParticleFlowEncoderOptions& options)
    : options_(options), trunk_(*this, options) {
  head_ = register_module("head", LatentHead(trunk_.output_width(), options_.latent_dim(), options_.mixed_latents()));
}

LatentPosterior ParticleFlowEncoderImpl::forward(const torch::Tensor& features,
                                                 c10::optional<at::Generator> binary_noise) {
  return head_->forward(trunk_.forward(features), binary_noise);
}

}  // namespace otae::nn
