#include "otae/train/vae_loss.hpp"

#include <cmath>
#include <string>

#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"

namespace otae::train {

VaeLossTerms vae_loss(const at::Tensor& distortion, const at::Tensor& kl_per_dim, double beta_hat) {
  const at::Tensor mean_distortion = distortion.to(at::kDouble).mean();
  const at::Tensor mean_kl = kl_per_dim.to(at::kDouble).sum(1).mean();
  return {mean_distortion / (2.0 * beta_hat * beta_hat) + mean_kl, mean_distortion.detach(), mean_kl.detach()};
}

VaeLossTerms vae_loss(const at::Tensor& distortion, const nn::LatentKl& kl, double beta_hat, double binary_kl_weight) {
  VaeLossTerms terms = vae_loss(distortion, kl.weighted_sum(binary_kl_weight).unsqueeze(1), beta_hat);
  if (kl.binary.defined()) terms.kl = kl.weighted_sum(1.0).mean().detach();
  return terms;
}

double BinaryKlWeightOptions::at_step(int64_t k) const {
  if (k >= anneal_steps_) return weight_;
  return initial_weight_ + (weight_ - initial_weight_) * static_cast<double>(k) / static_cast<double>(anneal_steps_);
}

void BinaryKlWeightOptions::validate() const {
  for (const auto& [name, value] : {std::pair{"weight", weight_}, std::pair{"initial_weight", initial_weight_}})
    if (!(std::isfinite(value) && value >= 0.0))
      throw InvalidArgument(std::string(name) + " must be finite and >= 0, received " +
                            shortest_decimal(value));
  if (anneal_steps_ < 0) throw InvalidArgument("anneal_steps must be >= 0, received " + std::to_string(anneal_steps_));
}

at::Tensor emd_distortion(const at::Tensor& jets, const nn::DecodedJets& decoded, const ot::SinkhornOptions& options) {
  auto normalised = [](const at::Tensor& weights) {
    const at::Tensor w = weights.to(at::kDouble);
    return w / w.sum(1, true);
  };
  const at::Tensor emd = ot::sinkhorn_emd(normalised(jets.select(2, 0)), jets.narrow(2, 1, 2).to(at::kDouble),
                                          normalised(decoded.weights), decoded.positions.to(at::kDouble), options)
                             .cost;
  return emd.square();
}

at::Tensor squared_error_distortion(const at::Tensor& x, const at::Tensor& reconstruction) {
  return (x.to(at::kDouble) - reconstruction.to(at::kDouble)).square().sum(1);
}

}  // namespace otae::train
