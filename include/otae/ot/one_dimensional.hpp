// Comparisons of two one-dimensional samples, as the OTUS paper reports them per observable:
// Wasserstein W1 and W2², the two-sample Kolmogorov–Smirnov test and a binned χ² with its degrees
// of freedom, plus the monotone coupling that every 1-D W_p rests on.
//
// Samples are 1-D tensors [N] of any real dtype on any device; they are read once into float64
// on the CPU and every number returned is a plain double. These are evaluation metrics, not
// losses: nothing here is differentiable (the sliced Wasserstein loss is in sliced_wasserstein.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "otae/base/arg.hpp"

namespace otae::ot {

/// The monotone (quantile) coupling of two empirical measures with n_a and n_b equally weighted
/// points: the quantile level t ∈ [0, 1) is cut at every i/n_a and j/n_b, and on the k-th piece
/// the a-quantile is the point of rank index_a[k] (0-based, ascending order), the b-quantile the
/// point of rank index_b[k], over a length weight[k]. K ≤ n_a + n_b − 1 pieces, Σ weight = 1, and
/// for n_a = n_b the identity with weights 1/n. In 1-D this is the optimal plan for every convex
/// cost, so W_p^p = Σₖ weight[k] |a₍index_a[k]₎ − b₍index_b[k]₎|^p exactly. The pieces depend only
/// on (n_a, n_b); the cuts are merged in exact integer arithmetic (units of 1/(n_a n_b)).
/// REQUIRES: n_a ≥ 1, n_b ≥ 1, n_a·n_b < 2⁶³. Throws InvalidArgument otherwise.
struct QuantileCoupling {
  std::vector<int64_t> index_a;
  std::vector<int64_t> index_b;
  std::vector<double> weight;
};
QuantileCoupling quantile_coupling(int64_t n_a, int64_t n_b);

/// Wasserstein distances between the empirical measures of two samples, in the samples' units.
struct Wasserstein1dResult {
  double w1 = 0;          ///< W1 = ∫|F_a − F_b| dx, as scipy.stats.wasserstein_distance.
  double w2_squared = 0;  ///< W2² = ∫₀¹ (F_a⁻¹ − F_b⁻¹)² dt, exact for unequal sizes (OTUS's "W", GeV²).
  double w2 = 0;          ///< √W2².
};

/// W1 and W2² of samples a [N_a] and b [N_b] (N_a ≠ N_b allowed) through `quantile_coupling`.
/// Throws InvalidArgument if a sample is not 1-D, is empty, is not real-valued or holds NaN/inf
/// (naming the sample, the index and the value).
Wasserstein1dResult wasserstein_1d(const at::Tensor& a, const at::Tensor& b);

/// How the Kolmogorov–Smirnov p-value is computed.
enum class KsMethod {
  /// kExact when max(N_a, N_b) ≤ 10,000, else kAsymptotic: SciPy's `ks_2samp(method='auto')` rule.
  kAuto,
  /// The exact null distribution of D for the two sample sizes (no ties assumed), as
  /// `ks_2samp(method='exact')`: the probability that a uniformly random lattice path from (0, 0)
  /// to (N_a, N_b) leaves the band |i/N_a − j/N_b| < D, summed over first exits so that small
  /// p-values carry no cancellation. Cost O(N_a · N_b · min(1, 2D)) time, O(N_b) memory.
  kExact,
  /// Kolmogorov's limit Q_KS(√n_e · D), n_e = N_a N_b / (N_a + N_b): scipy.stats.kstwobign.sf,
  /// which is what ks_2samp(method='asymp') used before SciPy 1.5. SciPy ≥ 1.5 uses instead the
  /// finite-n one-sample law kstwo.sf(D, round(n_e)), which is smaller by a relative O(1/√n_e)
  /// (0.3 % at n_e = 40,000 and λ = 1; 3 % at n_e = 500).
  kAsymptotic,
};

/// Two-sided two-sample Kolmogorov–Smirnov test.
struct KolmogorovSmirnovResult {
  double statistic = 0;  ///< D = sup_x |F_a(x) − F_b(x)| ∈ [0, 1], ECDFs right-continuous (ties count together).
  double p_value = 1;    ///< P(D' ≥ D) under the null hypothesis that a and b share one law.
  KsMethod method = KsMethod::kExact;  ///< The method actually used (never kAuto).
};

/// KS test of samples a [N_a] and b [N_b]; statistic identical to scipy.stats.ks_2samp, p-value as
/// described at `KsMethod`. Throws InvalidArgument on an invalid sample (see `wasserstein_1d`).
KolmogorovSmirnovResult kolmogorov_smirnov(const at::Tensor& a, const at::Tensor& b,
                                           KsMethod method = KsMethod::kAuto);

/// Kolmogorov's survival function Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²} (= 1 for λ ≤ 0), the
/// limiting law of √n·D; scipy.special.kolmogorov. Accurate to ~1e-15 absolute.
double kolmogorov_survival(double lambda);

/// Options of `binned_chi_squared`.
struct ChiSquaredOptions {
  /// Equal-width bins over the pooled range [min, max] of both samples before merging.
  OTAE_ARG(int64_t, bins, 50);
  /// Adjacent bins are merged until each holds at least this many counts in each sample.
  OTAE_ARG(int64_t, min_count, 5);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument unless bins ≥ 2 and min_count ≥ 1.
  void validate() const;
};

/// A binned χ² comparison of two samples and the per-bin ratio of their normalised histograms.
struct ChiSquaredResult {
  double chi2 = 0;          ///< Σᵢ (√(N_b/N_a) Xᵢ − √(N_a/N_b) Yᵢ)² / (Xᵢ + Yᵢ); Σ (X−Y)²/(X+Y) for N_a = N_b.
  int64_t dof = 0;          ///< bins − 1 (see `binned_chi_squared`).
  double reduced_chi2 = 0;  ///< chi2 / dof.
  double p_value = 1;       ///< P(χ²_dof ≥ chi2), scipy.stats.chi2.sf.
  std::vector<double> edges;         ///< [bins + 1] ascending bin edges after merging (a subset of the initial ones).
  std::vector<int64_t> counts_a;     ///< [bins] Xᵢ, each ≥ min_count.
  std::vector<int64_t> counts_b;     ///< [bins] Yᵢ, each ≥ min_count.
  std::vector<double> ratio;         ///< [bins] rᵢ = (Xᵢ/N_a) / (Yᵢ/N_b), the ratio of unit-area histograms.
  std::vector<double> ratio_error;   ///< [bins] σ_r = r √(1/Xᵢ + 1/Yᵢ), Poisson errors of both counts.
};

/// χ² test that samples a [N_a] and b [N_b] share one law (Numerical Recipes §14.3, unequal
/// totals). Binning: `bins` equal-width bins over the pooled [min, max] (edges as numpy.linspace,
/// half-open, the last closed, so counts equal numpy.histogram's); then, from the left, adjacent
/// bins are merged until the merged bin holds ≥ min_count in both samples; a short remainder at the
/// right end joins the last merged bin. The totals N_a, N_b are taken from the data, which removes
/// one degree of freedom whatever the sizes: dof = bins − 1, the OTUS convention for N_a = N_b.
/// The p-value is Q(dof/2, chi2/2) (`regularized_gamma_q`).
/// Throws InvalidArgument on an invalid sample (see `wasserstein_1d`), invalid options, if every
/// value is the same, or if fewer than two merged bins reach min_count in both samples.
ChiSquaredResult binned_chi_squared(const at::Tensor& a, const at::Tensor& b,
                                    const ChiSquaredOptions& options = {});

/// Regularised lower incomplete gamma function P(s, x) = γ(s, x)/Γ(s), s > 0, x ≥ 0
/// (scipy.special.gammainc), by Boost.Math's gamma_p; relative accuracy ~1e-15. Throws
/// InvalidArgument outside the domain or on NaN, NumericalError if it does not converge.
double regularized_gamma_p(double s, double x);

/// Regularised upper incomplete gamma function Q(s, x) = 1 − P(s, x), computed directly so that
/// small tails keep their relative accuracy (scipy.special.gammaincc).
double regularized_gamma_q(double s, double x);

/// Survival function of the χ² law with `dof` > 0 degrees of freedom: Q(dof/2, chi2/2), by
/// Boost.Math's chi_squared distribution.
double chi_squared_survival(double chi2, double dof);

}  // namespace otae::ot
