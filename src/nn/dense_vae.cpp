#include "otae/nn/dense_vae.hpp"

#include <string>

#include "otae/base/error.hpp"

namespace otae::nn {

void DenseVaeOptions::validate() const {
  if (input_dim_ < 1) throw InvalidArgument("DenseVae: input_dim must be >= 1, received " + std::to_string(input_dim_));
  if (latent_dim_ < 1)
    throw InvalidArgument("DenseVae: latent_dim must be >= 1, received " + std::to_string(latent_dim_));
  DenseStackOptions(input_dim_, encoder_widths_).leaky_slope(leaky_slope_).validate();
  DenseStackOptions(latent_dim_, decoder_widths_).leaky_slope(leaky_slope_).validate();
}

DenseVaeImpl::DenseVaeImpl(const DenseVaeOptions& options) : options_(options) {
  options_.validate();
  encoder_trunk_ = register_module(
      "encoder_trunk",
      DenseStack(
          DenseStackOptions(options_.input_dim(), options_.encoder_widths()).leaky_slope(options_.leaky_slope())));
  head_ = register_module("head", GaussianLatentHead(encoder_trunk_->output_width(), options_.latent_dim()));
  decoder_trunk_ = register_module(
      "decoder_trunk",
      DenseStack(
          DenseStackOptions(options_.latent_dim(), options_.decoder_widths()).leaky_slope(options_.leaky_slope())));
  output_ = register_module("output", glorot_linear(decoder_trunk_->output_width(), options_.input_dim()));
}

GaussianPosterior DenseVaeImpl::encode(const torch::Tensor& x) { return head_->forward(encoder_trunk_->forward(x)); }

torch::Tensor DenseVaeImpl::decode(const torch::Tensor& z) { return output_->forward(decoder_trunk_->forward(z)); }

}  // namespace otae::nn
