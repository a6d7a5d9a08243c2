#include "otae/nn/particle_flow_encoder.hpp"

#include <cmath>
#include <sstream>
#include <string>

#include "otae/base/error.hpp"

namespace otae::nn {

void ParticleFlowEncoderOptions::validate() const {
  if (particle_widths_.empty()) throw InvalidArgument("ParticleFlowEncoder: particle_widths needs at least one layer");
  if (latent_dim_ < 1)
    throw InvalidArgument("ParticleFlowEncoder: latent_dim must be >= 1, received " + std::to_string(latent_dim_));
  if (axis_offsets_ && particle_features_ != 4)
    throw InvalidArgument("ParticleFlowEncoder: axis_offsets needs the 4 features (pT/HT, eta, cos phi, sin phi), "
                          "received particle_features = " + std::to_string(particle_features_));
  DenseStackOptions(network_inputs(), particle_widths_).leaky_slope(leaky_slope_).validate();
  DenseStackOptions(particle_widths_.back(), jet_widths_).leaky_slope(leaky_slope_).validate();
  mixed_latents_.validate();
}

torch::Tensor with_axis_offsets(const torch::Tensor& features) {
  if (features.dim() != 3 || features.size(2) != 4) {
    std::ostringstream msg;
    msg << "with_axis_offsets: features must be [B, N, 4] (pT/HT, eta, cos phi, sin phi), received " << features.sizes();
    throw InvalidArgument(msg.str());
  }
  const torch::Tensor weight = features.select(2, 0), eta = features.select(2, 1);
  const torch::Tensor cos_phi = features.select(2, 2), sin_phi = features.select(2, 3);
  const torch::Tensor real = (weight > 0).to(features.dtype());
  const torch::Tensor total = weight.sum(1, /*keepdim=*/true).clamp_min(1e-30);
  const torch::Tensor axis_eta = (weight * eta).sum(1, true) / total;
  const torch::Tensor axis_cos = (weight * cos_phi).sum(1, true), axis_sin = (weight * sin_phi).sum(1, true);
  const torch::Tensor axis_norm = (axis_cos.square() + axis_sin.square()).sqrt().clamp_min(1e-30);
  const torch::Tensor c = axis_cos / axis_norm, s = axis_sin / axis_norm;
  // sin and cos of φ − φ_axis by the angle-difference identities: no φ, so no wrap to mind
  const torch::Tensor delta_phi = torch::atan2(sin_phi * c - cos_phi * s, cos_phi * c + sin_phi * s);
  return torch::cat({features, ((eta - axis_eta) * real).unsqueeze(2), (delta_phi * real).unsqueeze(2)}, 2);
}

torch::Tensor ParticleFlowTrunk::scaled(const torch::Tensor& sum) const {
  return options_.scale_sum() ? sum / std::sqrt(static_cast<double>(particle_network_->output_width())) : sum;
}

ParticleFlowTrunk::ParticleFlowTrunk(torch::nn::Module& owner, const ParticleFlowEncoderOptions& options)
    : options_(options) {
  options_.validate();
  particle_network_ = owner.register_module(
      "particle_network", DenseStack(DenseStackOptions(options_.network_inputs(), options_.particle_widths())
                                         .leaky_slope(options_.leaky_slope())));
  jet_network_ = owner.register_module(
      "jet_network", DenseStack(DenseStackOptions(particle_network_->output_width(), options_.jet_widths())
                                    .leaky_slope(options_.leaky_slope())));
}

torch::Tensor ParticleFlowTrunk::forward(const torch::Tensor& given_features) {
  const torch::Tensor features = options_.axis_offsets() ? with_axis_offsets(given_features) : given_features;
  if (!options_.mask_padding()) {
    const torch::Tensor per_particle = particle_network_->forward(features);
    return jet_network_->forward(scaled(per_particle.sum(1)));
  }
  // W jets fill ~18 of 50 slots: the per-particle network runs on the real rows alone and their
  // outputs are summed per jet, the same sum as masking the padding rows, at a third of the work.
  const int64_t jets = features.size(0), slots = features.size(1);
  const torch::Tensor real_rows = (features.select(2, 0) > 0).reshape(-1).nonzero().squeeze(1);
  const torch::Tensor per_particle =
      particle_network_->forward(features.reshape({jets * slots, features.size(2)}).index_select(0, real_rows));
  const torch::Tensor jet = torch::zeros({jets, per_particle.size(1)}, per_particle.options())
                                .index_add(0, real_rows.div(slots, "floor"), per_particle);
  return jet_network_->forward(scaled(jet));
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
