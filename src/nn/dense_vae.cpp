#include "otae/nn/dense_vae.hpp"

#include <string>

#include "otae/base/error.hpp"

namespace otae::nn {

void DenseVaeOptions::validate() const {
  if (input_dim_ < 1) throw InvalidArgument("DenseVae: input_dim must be >= 1, received " + std::to_string(input_dim_));
  if (latent_dim_ < 1)
    throw InvalidArgument("DenseVae: latent_dim must be >= 1, received " + std::to_string(latent_dim_));
  DenseStackOptions(input_dim_, encoder_widths_).leaky_slope(leaky_slope_).validate();
  mixed_latents_.validate();
  DenseStackOptions(mixed_latents_.decoder_input_dim(latent_dim_), decoder_widths_)
      .leaky_slope(leaky_slope_)
      .validate();
}

DenseVaeImpl::DenseVaeImpl(const DenseVaeOptions& options) : options_(options) {
  options_.validate();
  encoder_trunk_ = register_module(
      "encoder_trunk",
      DenseStack(
          DenseStackOptions(options_.input_dim(), options_.encoder_widths()).leaky_slope(options_.leaky_slope())));
  head_ = register_module("head",
                          LatentHead(encoder_trunk_->output_width(), options_.latent_dim(), options_.mixed_latents()));
  decoder_trunk_ = register_module(
      "decoder_trunk", DenseStack(DenseStackOptions(options_.mixed_latents().decoder_input_dim(options_.latent_dim()),
                                                    options_.decoder_widths())
                                      .leaky_slope(options_.leaky_slope())));
  output_ = register_module("output", glorot_linear(decoder_trunk_->output_width(), options_.input_dim()));
}

LatentPosterior DenseVaeImpl::encode(const torch::Tensor& x, c10::optional<at::Generator> binary_noise) {
  return head_->forward(encoder_trunk_->forward(x), binary_noise);
}

torch::Tensor DenseVaeImpl::decode(const torch::Tensor& z) { return output_->forward(decoder_trunk_->forward(z)); }

}  // namespace otae::nn
