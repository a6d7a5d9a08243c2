#include "otae/nn/particle_flow_classifier.hpp"

namespace otae::nn {

ParticleFlowClassifierImpl::ParticleFlowClassifierImpl(const ParticleFlowEncoderOptions& options)
    : trunk_(*this, options) {
  logit_ = register_module("logit", glorot_linear(trunk_.output_width(), 1));
}

torch::Tensor ParticleFlowClassifierImpl::forward(const torch::Tensor& features) {
  return logit_->forward(trunk_.forward(features)).squeeze(1);
}

}  // namespace otae::nn
