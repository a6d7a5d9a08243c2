// The Fréchet distance between two Gaussians, which is their squared Wasserstein-2 distance in
// closed form (Dowson & Landau 1982): the statistic of FID and of the Fréchet physics distance
// (FPD, Kansal et al. 2023) once each sample is summarised by its mean and covariance.
#pragma once

#include <ATen/ATen.h>

namespace otae::ot {

/// d² = |μa − μb|² + Tr(Σa + Σb − 2 (Σa^½ Σb Σa^½)^½) in the squared units of the features,
/// = W2²(N(μa, Σa), N(μb, Σb)). Tr (Σa^½ Σb Σa^½)^½ equals Tr (Σa Σb)^½, the form with
/// scipy.linalg.sqrtm, but the symmetric form is taken by two eigendecompositions, so no complex
/// square root of a non-symmetric product appears; eigenvalues that rounding makes slightly
/// negative count as 0. Means [D], covariances [D, D] (symmetric positive semi-definite), any
/// real dtype, computed in float64 on the CPU.
/// Throws InvalidArgument on mismatched or wrong shapes, or on non-finite values.
double frechet_distance(const at::Tensor& mean_a, const at::Tensor& covariance_a, const at::Tensor& mean_b,
                        const at::Tensor& covariance_b);

}  // namespace otae::ot
