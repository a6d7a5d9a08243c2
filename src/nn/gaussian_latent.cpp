#include "otae/nn/gaussian_latent.hpp"

#include "otae/nn/dense_stack.hpp"

namespace otae::nn {

torch::Tensor GaussianPosterior::standard_deviation() const { return torch::exp(0.5 * log_variance); }

GaussianLatentHeadImpl::GaussianLatentHeadImpl(int64_t input_width, int64_t latent_dim)
    : mean_(register_module("mean", glorot_linear(input_width, latent_dim))),
      log_variance_(register_module("log_variance", glorot_linear(input_width, latent_dim))) {}

GaussianPosterior GaussianLatentHeadImpl::forward(const torch::Tensor& hidden) {
  return {mean_->forward(hidden), log_variance_->forward(hidden)};
}

torch::Tensor sample_latent(const GaussianPosterior& posterior, c10::optional<at::Generator> generator) {
  const torch::Tensor noise = at::randn(posterior.mean.sizes(), generator, posterior.mean.options());
  return posterior.mean + posterior.standard_deviation() * noise;
}

torch::Tensor latent_kl_per_dim(const GaussianPosterior& posterior) {
  return 0.5 * (posterior.mean.square() + posterior.log_variance.exp() - posterior.log_variance - 1.0);
}

}  // namespace otae::nn
