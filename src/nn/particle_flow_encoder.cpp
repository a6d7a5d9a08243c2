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

ParticleFlowEncoderImpl::ParticleFlowEncoderImpl(const ParticleFlowEncoderOptions& options) : options_(options) {
  options_.validate();
  particle_network_ = register_module(
      "particle_network", DenseStack(DenseStackOptions(options_.particle_features(), options_.particle_widths())
                                         .leaky_slope(options_.leaky_slope())));
  jet_network_ = register_module("jet_network",
                                 DenseStack(DenseStackOptions(particle_network_->output_width(), options_.jet_widths())
                                                .leaky_slope(options_.leaky_slope())));
  head_ = register_module("head",
                          LatentHead(jet_network_->output_width(), options_.latent_dim(), options_.mixed_latents()));
}

LatentPosterior ParticleFlowEncoderImpl::forward(const torch::Tensor& features,
                                                 c10::optional<at::Generator> binary_noise) {
  const torch::Tensor jet = particle_flow_sum(particle_network_->forward(features), features, options_);
  return head_->forward(jet_network_->forward(jet), binary_noise);
}

torch::Tensor particle_flow_sum(const torch::Tensor& per_particle, const torch::Tensor& features,
                                const ParticleFlowEncoderOptions& options) {
  torch::Tensor kept = per_particle;
  if (options.mask_padding()) kept = kept * (features.select(2, 0) > 0).unsqueeze(2).to(kept.dtype());
  torch::Tensor jet = kept.sum(1);
  if (options.scale_sum()) jet = jet / std::sqrt(static_cast<double>(per_particle.size(2)));
  return jet;
}

}  // namespace otae::nn
