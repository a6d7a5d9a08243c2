// Binary latent variables relaxed to (0, 1): the binary concrete (relaxed Bernoulli) distribution
// of Maddison et al. 2017, used by the categorical EMD-VAE to sort jets of a mixed sample into two
// classes without labels. A variable with log-odds log α and temperature τ is drawn as
//   y = (logit u + log α)/τ,  u ~ U(0, 1),  z = sigmoid(y),
// so y is logistic with location log α/τ and scale 1/τ. The KL term compares y's distribution
// with that of the prior's y (log-odds log a = logit p, the same τ); both are logistic of one
// scale, so their KL depends only on x = log a − log α and not on τ:
//   KL = ∫ q log(q/p) dy = (1 + r) ln r/(r − 1) − 2 = x coth(x/2) − 2,   r = a/α = eˣ.
// Near x = 0 the closed form cancels (2.0017 − 2 at x = 0.1), so there the series
//   x coth(x/2) − 2 = x²/6 − x⁴/360 + x⁶/15120 − x⁸/604800 + …  (used to x⁸)
// is used; its derivative x/3 − x³/90 + x⁵/2520 has the sign of x, as a KL that is smallest at
// x = 0 must (the reference code's series gets this sign wrong).
#pragma once

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/types.h>

namespace otae::nn {

/// |x| below which relaxed_bernoulli_kl uses the series: at 0.5 the series (to x⁸) is off by
/// 4·10⁻¹¹ (relative 10⁻⁹) and the closed form loses 3·10⁻⁶ relative to cancellation in float32,
/// so both sides agree to float32 precision there.
inline constexpr double kRelaxedBernoulliSeriesBelow = 0.5;

/// KL(q ‖ p) [nats] between the relaxed posterior of log-odds `log_alpha` and the relaxed prior of
/// log-odds `prior_log_odds`, elementwise with broadcasting (e.g. [B, K] and [K]); floating,
/// differentiable in both, finite for all finite inputs. Independent of the temperature.
torch::Tensor relaxed_bernoulli_kl(const torch::Tensor& log_alpha, const torch::Tensor& prior_log_odds);

/// z = sigmoid((logit u + log α)/τ) with u ~ U(0, 1) drawn from `generator` (the global one when
/// empty): same shape and dtype as log_alpha, differentiable in log_alpha. u is kept in
/// [10⁻⁷, 1 − 10⁻⁷] so that logit u is finite. Throws InvalidArgument unless temperature > 0.
torch::Tensor sample_relaxed_bernoulli(const torch::Tensor& log_alpha, double temperature,
                                       c10::optional<at::Generator> generator = c10::nullopt);

/// The median of the relaxed variable, sigmoid(log α/τ): the noise-free value a deterministic
/// encoding conditions on. Throws InvalidArgument unless temperature > 0.
torch::Tensor relaxed_bernoulli_median(const torch::Tensor& log_alpha, double temperature);

}  // namespace otae::nn
