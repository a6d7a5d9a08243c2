#include "otae/nn/gaussian_latent.hpp"

#include "otae/nn/noise.hpp"

namespace otae::nn {

torch::Tensor GaussianPosterior::standard_deviation() const { return torch::exp(0.5 * log_variance); }

torch::Tensor sample_latent(const GaussianPosterior& posterior, c10::optional<at::Generator> generator) {
  const torch::Tensor noise = normal_noise(posterior.mean.sizes(), generator, posterior.mean.options());
  return posterior.mean + posterior.standard_deviation() * noise;
}

torch::Tensor latent_kl_per_dim(const GaussianPosterior& posterior) {
  return 0.5 * (posterior.mean.square() + posterior.log_variance.exp() - posterior.log_variance - 1.0);
}

}  // namespace otae::nn
