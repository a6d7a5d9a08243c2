#include "otae/nn/relaxed_bernoulli.hpp"

#include <string>

#include "otae/base/error.hpp"
#include "otae/nn/noise.hpp"

namespace otae::nn {

namespace {

constexpr double kUniformMargin = 1e-7;

void require_positive_temperature(double temperature) {
  if (!(temperature > 0))
    throw InvalidArgument("relaxed Bernoulli: temperature must be > 0, received " + std::to_string(temperature));
}

}  // namespace

torch::Tensor relaxed_bernoulli_kl(const torch::Tensor& log_alpha, const torch::Tensor& prior_log_odds) {
  const torch::Tensor x = prior_log_odds - log_alpha;
  const torch::Tensor near = x.abs() < kRelaxedBernoulliSeriesBelow;
  // Each branch sees only the x it is valid for, so that the branch torch::where discards cannot
  // send a NaN (0/0 in coth, at x = 0) into the gradient.
  const torch::Tensor x_far = torch::where(near, torch::ones_like(x), x);
  const torch::Tensor x_near = torch::where(near, x, torch::zeros_like(x));
  const torch::Tensor closed_form = x_far / torch::tanh(0.5 * x_far) - 2.0;
  const torch::Tensor x2 = x_near.square();
  const torch::Tensor series = x2 * (1.0 / 6.0 + x2 * (-1.0 / 360.0 + x2 * (1.0 / 15120.0 - x2 / 604800.0)));
  return torch::where(near, series, closed_form);
}

torch::Tensor sample_relaxed_bernoulli(const torch::Tensor& log_alpha, double temperature,
                                       c10::optional<at::Generator> generator) {
  require_positive_temperature(temperature);
  const torch::Tensor u =
      uniform_noise(log_alpha.sizes(), generator, log_alpha.options()).clamp(kUniformMargin, 1.0 - kUniformMargin);
  return torch::sigmoid((torch::log(u) - torch::log1p(-u) + log_alpha) / temperature);
}

torch::Tensor relaxed_bernoulli_median(const torch::Tensor& log_alpha, double temperature) {
  require_positive_temperature(temperature);
  return torch::sigmoid(log_alpha / temperature);
}

}  // namespace otae::nn
