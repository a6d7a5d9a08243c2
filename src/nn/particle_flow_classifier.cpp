#include "otae/nn/particle_flow_classifier.hpp"

namespace otae::nn {

ParticleFlowClassifierImpl::ParticleFlowClassifierImpl(const ParticleFlowEncoderOptions& options) : options_(options) {
  options_.validate();
  particle_network_ = register_module(
      "particle_network", DenseStack(DenseStackOptions(options_.particle_features(), options_.particle_widths())
                                         .leaky_slope(options_.leaky_slope())));
  jet_network_ = register_module("jet_network",
                                 DenseStack(DenseStackOptions(particle_network_->output_width(), options_.jet_widths())
                                                .leaky_slope(options_.leaky_slope())));
  logit_ = register_module("logit", glorot_linear(jet_network_->output_width(), 1));
}

torch::Tensor ParticleFlowClassifierImpl::forward(const torch::Tensor& features) {
  const torch::Tensor jet = particle_flow_sum(particle_network_->forward(features), features, options_);
  return logit_->forward(jet_network_->forward(jet)).squeeze(1);
}

}  // namespace otae::nn
