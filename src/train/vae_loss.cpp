#include "otae/train/vae_loss.hpp"

namespace otae::train {

VaeLossTerms vae_loss(const at::Tensor& distortion, const at::Tensor& kl_per_dim, double beta_hat) {
  const at::Tensor mean_distortion = distortion.to(at::kDouble).mean();
  const at::Tensor mean_kl = kl_per_dim.to(at::kDouble).sum(1).mean();
  return {mean_distortion / (2.0 * beta_hat * beta_hat) + mean_kl, mean_distortion.detach(), mean_kl.detach()};
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
