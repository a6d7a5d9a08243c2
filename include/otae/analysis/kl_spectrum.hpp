// The KL spectrum of a Gaussian VAE: how many nats each latent direction carries about the jets
// (Collins 2021, Fig. 7). Directions that carry none have collapsed onto the prior; the
// informative ones are those a traversal or a latent ↔ physics table is worth drawing for.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace otae::analysis {

/// A direction carrying more than this many nats is informative. Collapsed directions of a
/// trained EMD-VAE sit at 10⁻³–10⁻² nats; in the linear picture KLᵢ = max(0, ln(σᵢ/β)), so 0.1
/// nats counts the directions whose scale σᵢ exceeds β by 10 %, those D1 already counts as resolved.
inline constexpr double kInformativeKlThreshold = 0.1;

/// Mean KL per latent direction over jets, with its standard error.
struct KlSpectrum {
  at::Tensor kl;        ///< [K] float64 [nats]: ⟨KLₖ⟩ over the jets
  at::Tensor kl_error;  ///< [K] float64: sample standard deviation / √N
};

/// KLₖ = ½(μₖ² + σₖ² − 1 − ln σₖ²) of N(μ, σ²) against the prior N(0, 1), averaged over jets.
///   mu, log_variance [N, K], any floating dtype and device; computed in float64.
/// Throws InvalidArgument when the shapes differ or are not [N, K] with N ≥ 2, or a value is not
/// finite.
KlSpectrum kl_spectrum(const at::Tensor& mu, const at::Tensor& log_variance);

/// Directions by decreasing KL (ties by index). kl [K] floating (a KlSpectrum's, or the
/// `kl_per_dim` of a training log). Throws InvalidArgument unless kl is 1-D, finite.
std::vector<int64_t> rank_directions(const at::Tensor& kl);

/// The directions with KL > threshold [nats], by decreasing KL. Throws as `rank_directions`, and
/// InvalidArgument when the threshold is negative or not finite.
std::vector<int64_t> informative_directions(const at::Tensor& kl, double threshold = kInformativeKlThreshold);

/// How many directions have KL > threshold; throws as `informative_directions`.
int64_t count_informative(const at::Tensor& kl, double threshold = kInformativeKlThreshold);

/// {"kl": [K], "kl_error": [K], "ranking": [K], "informative": [...], "threshold": t}.
nlohmann::json to_json(const KlSpectrum& spectrum, double threshold = kInformativeKlThreshold);

}  // namespace otae::analysis
