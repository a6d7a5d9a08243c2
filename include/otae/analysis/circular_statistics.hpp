// Circular statistics for circular latent directions: how well a latent angle follows a physical
// angle (a jet's azimuth φ, a toy's polar angle), by the circular correlation coefficient of
// Jammalamadaka & SenGupta (Topics in Circular Statistics, 2001, Sec. 8.2), which is ±1 exactly
// when one angle is the other shifted (+1) or reflected and shifted (−1).
#pragma once

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace otae::analysis {

/// The circular mean atan2(Σ sin a, Σ cos a) [rad] of angles a [N] (radians, floating).
/// Throws InvalidArgument when a is not [N] with N ≥ 1 or not finite.
double circular_mean(const at::Tensor& angles);

/// ρ = Σ sin(aᵢ − ā) sin(bᵢ − b̄) / √(Σ sin²(aᵢ − ā) · Σ sin²(bᵢ − b̄)) of angles a, b [N]
/// (radians, floating, any period-2π representation), ā and b̄ their circular means; in [−1, 1],
/// NaN when either angle is constant. Throws InvalidArgument when the shapes are not [N] and [N]
/// with N ≥ 2 or a value is not finite.
double circular_correlation(const at::Tensor& a, const at::Tensor& b);

/// The rank correlation of Fisher & Lee (Biometrika 70 (1983) 327) of angles a, b [N]: with
/// uniform scores αᵢ = 2π rank(aᵢ)/N and βᵢ = 2π rank(bᵢ)/N, max(|⟨e^{i(α−β)}⟩|², |⟨e^{i(α+β)}⟩|²)
/// in [0, 1]. It is 1 exactly when b is a monotone re-parameterisation of the circle a (either
/// orientation, any rotation, any warp), which is what "the latent recovers the angle" means;
/// ≈ 1/N for independent angles. Ties share the mean rank. Throws as circular_correlation.
double circular_rank_correlation(const at::Tensor& a, const at::Tensor& b);

/// The circular directions of one kept β step against a reference angle.
struct CircularLatentCorrelation {
  int64_t step = 0;
  double beta_hat = 0.0;
  std::string phase;
  std::vector<double> correlation;         ///< [C]: ρ of each direction's posterior mean μ with the angle
  std::vector<double> rank_correlation;    ///< [C]: circular_rank_correlation of the same
  std::vector<double> mean_concentration;  ///< [C]: ⟨κ⟩ over the rows
};

/// The angle each row of a run's data is compared with: for jets the `jet` dataset's φ column
/// (index 2) of `data_source`, for the 2-D toys atan2(x₂, x₁); the first `rows` rows. Throws
/// IoError when a jet file has no `jet` dataset, InvalidArgument for vectors not of dimension 2.
at::Tensor reference_angle(const std::string& data_source, int64_t rows);

/// For every production checkpoint of the run in `run_dir` (the last checkpoint when none is
/// kept): the circular correlation of each circular direction's posterior mean with
/// reference_angle, over the run's test rows (all rows when its split keeps none) of
/// `data_source` (empty: the run's own), read with the run's data options. Throws ConfigError
/// when the run has no circular direction, as reference_angle and as load_trained_vae.
std::vector<CircularLatentCorrelation> circular_latent_correlations(const std::string& run_dir,
                                                                    const std::string& data_source);

/// {"step", "beta_hat", "phase", "correlation": [C], "rank_correlation": [C], "mean_concentration": [C]}.
nlohmann::json to_json(const CircularLatentCorrelation& result);

}  // namespace otae::analysis
