// The EMD-VAE objective (Collins 2021, eq. 2): ⟨D⟩/(2β̂²) + ⟨Σᵢ KLᵢ⟩ over a batch (with binary
// latents: ⟨D⟩/(2β̂²) + ⟨Σ KL_gauss + α Σ KL_bern⟩, as the categorical EMD-VAE), with the
// distortion D of each row the squared sharp Sinkhorn EMD Ŝ² between the input jet and its
// reconstruction, or, for toy vectors, the squared error ‖x − x̂‖² — the convention under which a
// linear VAE on a Gaussian has D = β² per active direction (the paper's appendix A.3).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

#include "otae/base/arg.hpp"
#include "otae/nn/dense_jet_decoder.hpp"
#include "otae/nn/latent_space.hpp"
#include "otae/ot/sinkhorn.hpp"

namespace otae::train {

/// The loss of one batch and its two parts; scalars, float64.
struct VaeLossTerms {
  at::Tensor loss;        ///< ⟨D⟩/(2β̂²) + ⟨Σᵢ KLᵢ⟩, differentiable.
  at::Tensor distortion;  ///< ⟨D⟩, detached.
  at::Tensor kl;          ///< ⟨Σᵢ KLᵢ⟩ [nats], detached.
};

/// distortion [B] (any floating dtype, differentiable), kl_per_dim [B, L] (from
/// nn::latent_kl_per_dim), β̂ > 0 in the distortion's units (HT·ΔR for jets).
VaeLossTerms vae_loss(const at::Tensor& distortion, const at::Tensor& kl_per_dim, double beta_hat);

/// The same with every latent variable's KL: loss = ⟨D⟩/(2β̂²) + ⟨kl.weighted_sum(binary_kl_weight)⟩;
/// the returned `kl` is the unweighted ⟨Σ KL⟩ [nats].
VaeLossTerms vae_loss(const at::Tensor& distortion, const nn::LatentKl& kl, double beta_hat, double binary_kl_weight);

/// YAML `loss.binary_kl`: the weight α of the binary variables' KL, optionally annealed over the
/// first β steps (a weight below 1 lets the binary variables take information before they pay for
/// it in full).
struct BinaryKlWeightOptions {
  /// α from β step anneal_steps on.
  OTAE_ARG(double, weight, 1.0);
  /// α of β step 0 when anneal_steps > 0.
  OTAE_ARG(double, initial_weight, 1.0);
  /// β steps over which α goes linearly from initial_weight to weight (0: no annealing).
  OTAE_ARG(int64_t, anneal_steps, 0);
  OTAE_ARG_PUBLIC

  /// α of β step k ≥ 0: initial_weight + (weight − initial_weight)·k/anneal_steps before
  /// anneal_steps, weight from then on.
  double at_step(int64_t k) const;
  /// Throws InvalidArgument (echoing the value) unless both weights are ≥ 0 and finite and
  /// anneal_steps ≥ 0.
  void validate() const;
};

/// Ŝ² of each jet: jets [B, M, 3] (pT/HT, η, φ; padding rows have weight 0) against the decoded
/// jets, float64 [B], differentiable with respect to the decoded jets through sinkhorn_emd's
/// explicit gradient. Both sides' weights are renormalised in float64 so that each pair is
/// balanced to rounding. Throws InvalidArgument as sinkhorn_emd does (NaN, empty jets).
at::Tensor emd_distortion(const at::Tensor& jets, const nn::DecodedJets& decoded, const ot::SinkhornOptions& options);

/// ‖x − x̂‖² of each row: x, reconstruction [B, d] → float64 [B], differentiable.
at::Tensor squared_error_distortion(const at::Tensor& x, const at::Tensor& reconstruction);

}  // namespace otae::train
