#include "otae/nn/dense_jet_decoder.hpp"

#include <string>

#include "otae/base/error.hpp"

namespace otae::nn {

void DenseJetDecoderOptions::validate() const {
  if (latent_dim_ < 1)
    throw InvalidArgument("DenseJetDecoder: latent_dim must be >= 1, received " + std::to_string(latent_dim_));
  if (particles_ < 1)
    throw InvalidArgument("DenseJetDecoder: particles must be >= 1, received " + std::to_string(particles_));
  DenseStackOptions(latent_dim_, widths_).leaky_slope(leaky_slope_).validate();
}

DenseJetDecoderImpl::DenseJetDecoderImpl(const DenseJetDecoderOptions& options) : options_(options) {
  options_.validate();
  trunk_ = register_module(
      "trunk",
      DenseStack(DenseStackOptions(options_.latent_dim(), options_.widths()).leaky_slope(options_.leaky_slope())));
  particle_outputs_ =
      register_module("particle_outputs", glorot_linear(trunk_->output_width(), 4 * options_.particles()));
}

DecodedJets DenseJetDecoderImpl::forward(const torch::Tensor& z) {
  const torch::Tensor out =
      particle_outputs_->forward(trunk_->forward(z)).reshape({z.size(0), options_.particles(), 4});
  const torch::Tensor weights = torch::softmax(out.select(2, 0), 1);
  const torch::Tensor phi = torch::atan2(out.select(2, 3), out.select(2, 2));
  return {weights, torch::stack({out.select(2, 1), phi}, 2)};
}

}  // namespace otae::nn
