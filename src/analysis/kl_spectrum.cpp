// Per-direction KL of a diagonal Gaussian posterior and the ranking of latent directions.
#include "otae/analysis/kl_spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "otae/base/error.hpp"

namespace otae::analysis {
namespace {

std::string describe(const at::Tensor& t) {
  return t.defined() ? c10::str(t.sizes(), " ", t.scalar_type()) : std::string("an undefined tensor");
}

std::vector<double> kl_values(const at::Tensor& kl, const char* function) {
  if (!kl.defined() || kl.dim() != 1 || !at::isFloatingType(kl.scalar_type()))
    throw InvalidArgument(std::string(function) + ": kl must be a floating [K] tensor, received " + describe(kl));
  const at::Tensor values = kl.to(at::kCPU, at::kDouble).contiguous();
  std::vector<double> out(values.data_ptr<double>(), values.data_ptr<double>() + values.numel());
  for (size_t k = 0; k < out.size(); ++k)
    if (!std::isfinite(out[k]))
      throw InvalidArgument(std::string(function) + ": kl[" + std::to_string(k) + "]=" + c10::str(out[k]) +
                            " is not finite");
  return out;
}

void check_threshold(double threshold) {
  if (!std::isfinite(threshold) || threshold < 0)
    throw InvalidArgument("informative_directions: threshold must be finite and >= 0 nats, received " +
                          c10::str(threshold));
}

}  // namespace

KlSpectrum kl_spectrum(const at::Tensor& mu, const at::Tensor& log_variance) {
  const bool shaped = mu.defined() && log_variance.defined() && mu.dim() == 2 && mu.sizes() == log_variance.sizes() &&
                      at::isFloatingType(mu.scalar_type()) && at::isFloatingType(log_variance.scalar_type());
  if (!shaped || mu.size(0) < 2)
    throw InvalidArgument(
        "kl_spectrum: mu and log_variance must be floating [N, K] tensors of one shape with N >= 2, "
        "received mu " +
        describe(mu) + " and log_variance " + describe(log_variance));
  const at::Tensor m = mu.to(at::kDouble), log_v = log_variance.to(at::kDouble);
  if (!at::isfinite(m).all().item<bool>() || !at::isfinite(log_v).all().item<bool>())
    throw InvalidArgument("kl_spectrum: mu and log_variance must be finite");
  const at::Tensor per_jet = 0.5 * (m * m + at::exp(log_v) - 1.0 - log_v);
  const double n = static_cast<double>(mu.size(0));
  return {per_jet.mean(0).cpu(), (per_jet.std(0, /*unbiased=*/true) / std::sqrt(n)).cpu()};
}

std::vector<int64_t> rank_directions(const at::Tensor& kl) {
  const std::vector<double> values = kl_values(kl, "rank_directions");
  std::vector<int64_t> order(values.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return values[static_cast<size_t>(a)] > values[static_cast<size_t>(b)];
  });
  return order;
}

std::vector<int64_t> informative_directions(const at::Tensor& kl, double threshold) {
  check_threshold(threshold);
  const std::vector<double> values = kl_values(kl, "informative_directions");
  std::vector<int64_t> ranked = rank_directions(kl);
  ranked.erase(std::find_if(ranked.begin(), ranked.end(),
                            [&](int64_t k) { return !(values[static_cast<size_t>(k)] > threshold); }),
               ranked.end());
  return ranked;
}

int64_t count_informative(const at::Tensor& kl, double threshold) {
  return static_cast<int64_t>(informative_directions(kl, threshold).size());
}

nlohmann::json to_json(const KlSpectrum& spectrum, double threshold) {
  return {{"kl", kl_values(spectrum.kl, "to_json")},
          {"kl_error", kl_values(spectrum.kl_error, "to_json")},
          {"ranking", rank_directions(spectrum.kl)},
          {"informative", informative_directions(spectrum.kl, threshold)},
          {"threshold", threshold}};
}

}  // namespace otae::analysis
