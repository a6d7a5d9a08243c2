#include "otae/nn/latent_space.hpp"

#include <cmath>
#include <string>

#include "otae/base/error.hpp"
#include "otae/nn/dense_stack.hpp"
#include "otae/nn/relaxed_bernoulli.hpp"
#include "otae/nn/von_mises.hpp"

namespace otae::nn {

int64_t MixedLatentOptions::decoder_input_dim(int64_t gaussian_dim) const {
  return gaussian_dim + binary_dim() + 2 * circular_dim_;
}

void MixedLatentOptions::validate() const {
  for (size_t i = 0; i < binary_priors_.size(); ++i)
    if (!(binary_priors_[i] > 0.0 && binary_priors_[i] < 1.0))
      throw InvalidArgument("binary_priors[" + std::to_string(i) + "] must be a probability in (0, 1), received " +
                            std::to_string(binary_priors_[i]));
  if (!(temperature_ > 0.0)) throw InvalidArgument("temperature must be > 0, received " + std::to_string(temperature_));
  if (circular_dim_ < 0)
    throw InvalidArgument("circular dimension must be >= 0, received " + std::to_string(circular_dim_));
}

LatentHeadImpl::LatentHeadImpl(int64_t input_width, int64_t gaussian_dim, const MixedLatentOptions& options)
    : options_(options) {
  options_.validate();
  if (input_width < 1 || gaussian_dim < 1)
    throw InvalidArgument("LatentHead: input width and Gaussian dimension must be >= 1, received " +
                          std::to_string(input_width) + " and " + std::to_string(gaussian_dim));
  const int64_t k = options_.binary_dim();
  mean_ = register_module("mean", glorot_linear(input_width + k, gaussian_dim));
  log_variance_ = register_module("log_variance", glorot_linear(input_width + k, gaussian_dim));
  if (k > 0) binary_log_alpha_ = register_module("binary_log_alpha", glorot_linear(input_width, k));
  if (options_.circular_dim() > 0)
    circular_ = register_module("circular", glorot_linear(input_width, 3 * options_.circular_dim()));
}

LatentPosterior LatentHeadImpl::forward(const torch::Tensor& hidden, c10::optional<at::Generator> binary_noise) {
  LatentPosterior posterior;
  torch::Tensor gaussian_input = hidden;
  if (options_.binary_dim() > 0) {
    posterior.binary_log_alpha = binary_log_alpha_->forward(hidden);
    posterior.binary_sample =
        binary_noise ? sample_relaxed_bernoulli(posterior.binary_log_alpha, options_.temperature(), binary_noise)
                     : relaxed_bernoulli_median(posterior.binary_log_alpha, options_.temperature());
    gaussian_input = torch::cat({hidden, posterior.binary_sample}, 1);
  }
  posterior.gaussian = {mean_->forward(gaussian_input), log_variance_->forward(gaussian_input)};
  if (options_.circular_dim() > 0) {
    const torch::Tensor out = circular_->forward(hidden).view({hidden.size(0), options_.circular_dim(), 3});
    posterior.circular_mean = torch::atan2(out.select(2, 1), out.select(2, 0));
    posterior.circular_concentration = torch::exp(out.select(2, 2).clamp(kMinLogConcentration, kMaxLogConcentration));
  }
  return posterior;
}

torch::Tensor LatentKl::weighted_sum(double binary_weight) const {
  torch::Tensor total = gaussian.to(torch::kDouble).sum(1);
  if (binary.defined()) total = total + binary_weight * binary.to(torch::kDouble).sum(1);
  if (circular.defined()) total = total + circular.to(torch::kDouble).sum(1);
  return total;
}

LatentKl latent_kl_per_dim(const LatentPosterior& posterior, const MixedLatentOptions& options) {
  const int64_t k = posterior.binary_log_alpha.defined() ? posterior.binary_log_alpha.size(1) : 0;
  if (k != options.binary_dim())
    throw InvalidArgument("latent_kl_per_dim: the posterior has " + std::to_string(k) +
                          " binary variables but the options' priors " + std::to_string(options.binary_dim()));
  const int64_t c = posterior.circular_concentration.defined() ? posterior.circular_concentration.size(1) : 0;
  if (c != options.circular_dim())
    throw InvalidArgument("latent_kl_per_dim: the posterior has " + std::to_string(c) +
                          " circular directions but the options " + std::to_string(options.circular_dim()));
  LatentKl kl{latent_kl_per_dim(posterior.gaussian), {}, {}};
  if (c > 0) kl.circular = von_mises_kl(posterior.circular_concentration);
  if (k > 0) {
    const torch::Tensor prior_log_odds =
        torch::tensor(options.binary_priors(), torch::kDouble).logit().to(posterior.binary_log_alpha.options());
    kl.binary = relaxed_bernoulli_kl(posterior.binary_log_alpha, prior_log_odds);
  }
  return kl;
}

torch::Tensor sample_latent(const LatentPosterior& posterior, c10::optional<at::Generator> generator) {
  const torch::Tensor z_gaussian = sample_latent(posterior.gaussian, generator);
  if (!posterior.binary_sample.defined() && !posterior.circular_mean.defined()) return z_gaussian;
  std::vector<torch::Tensor> parts{z_gaussian};
  if (posterior.binary_sample.defined()) parts.push_back(posterior.binary_sample);
  if (posterior.circular_mean.defined()) {
    const torch::Tensor theta = posterior.circular_mean + von_mises_sample(posterior.circular_concentration, generator);
    parts.push_back(torch::cos(theta));
    parts.push_back(torch::sin(theta));
  }
  return torch::cat(parts, 1);
}

torch::Tensor sample_prior(int64_t rows, int64_t gaussian_dim, const MixedLatentOptions& options,
                           c10::optional<at::Generator> generator) {
  options.validate();
  if (rows < 0 || gaussian_dim < 1)
    throw InvalidArgument("sample_prior: rows must be >= 0 and the Gaussian dimension >= 1, received " +
                          std::to_string(rows) + " and " + std::to_string(gaussian_dim));
  std::vector<torch::Tensor> parts{at::randn({rows, gaussian_dim}, generator, at::kFloat)};
  if (options.binary_dim() > 0) {
    const torch::Tensor prior_log_odds = torch::tensor(options.binary_priors(), torch::kDouble).logit().to(torch::kFloat);
    parts.push_back(sample_relaxed_bernoulli(prior_log_odds.expand({rows, options.binary_dim()}), options.temperature(),
                                             generator));
  }
  if (options.circular_dim() > 0) {
    const torch::Tensor theta = at::rand({rows, options.circular_dim()}, generator, at::kFloat) * (2 * M_PI) - M_PI;
    parts.push_back(torch::cos(theta));
    parts.push_back(torch::sin(theta));
  }
  return parts.size() == 1 ? parts.front() : torch::cat(parts, 1);
}

}  // namespace otae::nn
