// The field's standard scores of generated jets, as JetNet (Kansal et al., NeurIPS 2021 and
// arXiv:2211.10295) defines them, so that otae's numbers can stand beside published ones:
// W1M (jet mass), W1P (particle features), W1EFP (energy-flow polynomials), FPD and KPD (on the
// 36 EFPs with d ≤ 4), each with its error, and the floor that two samples of the truth reach.
//
// JetNet's features are relative to the jet: (η_rel, φ_rel, pT_rel) = (η − y_J, φ − φ_J wrapped,
// pT / pT_J) with (pT_J, y_J, φ_J, m_J) the sum of the massless particle four-vectors, and the jet
// mass enters as m_J / pT_J. otae's jets ([N, M, 3] of (pT, η, φ)) are mapped to them here, so
// raw jets in GeV and decoded pT/HT jets, centred or not, give the same numbers. (JetNet's files
// take η_rel from the jet's pseudorapidity η_J; the jet's rapidity y_J is what makes η_rel
// unchanged by a shift of every η, and differs from η_J by O(m_J²/pT_J²): 0.01 for W jets.)
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "otae/base/arg.hpp"
#include "otae/physics/energy_flow_polynomials.hpp"

namespace otae::analysis {

/// What the metrics compare, computed once per sample of jets.
struct JetNetFeatures {
  at::Tensor particles;  ///< [N, M, 3] float64 (η − y_J, φ − φ_J, pT / pT_J); padding rows stay 0.
  at::Tensor mask;       ///< [N, M] bool, true for particles (pT > 0).
  at::Tensor mass;       ///< [N] float64, m_J / pT_J (dimensionless).
  at::Tensor efps;       ///< [N, 36] float64, physics::energy_flow_polynomials, order of efp_graphs().

  int64_t jets() const { return mass.size(0); }
  /// The rows `indices` [K] (long) of every feature: a subsample that needs no recomputing.
  JetNetFeatures rows(const at::Tensor& indices) const;
};

/// The features of jets [N, M, 3] (pT [GeV or pT/HT], η, φ [rad]), any real dtype (read as
/// float32, the precision of otae's files); EFPs in
/// parallel over jets (LibTorch's threads). `name` (a file and dataset, "a.h5:particles") starts
/// every error message. Throws InvalidArgument on a wrong shape, NaN or inf, negative pT, a jet
/// without particles (naming the jet), or fewer than 2 jets.
JetNetFeatures jetnet_features(const at::Tensor& jets, const std::string& name);

/// Sample sizes and seeds of the metrics; the defaults are JetNet's.
struct GenerativeMetricsOptions {
  /// Jets drawn with replacement from each sample per batch of W1M, W1P and W1EFP.
  OTAE_ARG(int64_t, samples, 50000);
  /// Batches of the W1 metrics: the value is their mean, the error their standard deviation (ddof 0).
  OTAE_ARG(int64_t, batches, 5);
  /// FPD is measured at `fpd_points` sample sizes evenly spaced in 1/N from fpd_min_samples to
  /// fpd_max_samples, `fpd_batches` draws each, and extrapolated linearly in 1/N to N → ∞.
  OTAE_ARG(int64_t, fpd_min_samples, 20000);
  OTAE_ARG(int64_t, fpd_max_samples, 50000);
  OTAE_ARG(int64_t, fpd_points, 10);
  OTAE_ARG(int64_t, fpd_batches, 20);
  /// KPD: `kpd_batches` unbiased MMD² estimates on `kpd_samples` jets each; the value is their
  /// median, the error half their 16.275–83.725 percentile range.
  OTAE_ARG(int64_t, kpd_samples, 5000);
  OTAE_ARG(int64_t, kpd_batches, 10);
  /// Every draw comes from a stream of this seed (otae::derive_seed): same seed, same numbers.
  OTAE_ARG(uint64_t, seed, 42);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument (echoing the value) unless every count is ≥ 1, 2 ≤ fpd_min_samples <
  /// fpd_max_samples, fpd_points ≥ 3 (a line and its error) and kpd_samples ≥ 2.
  void validate() const;

  /// The defaults scaled to samples of K jets, the held-out jets or events of an analysis rather
  /// than JetNet's 50,000: W1 batches of all K jets, FPD at sizes from 2K/5 to K, KPD batches of
  /// K/2 (at most 5,000). Throws InvalidArgument for K < 4.
  static GenerativeMetricsOptions scaled_to(int64_t jets);
};

/// A metric and its error, in the metric's units.
struct MetricValue {
  double value = 0;
  double error = 0;
};

/// One comparison of two samples of jets; the first is the reference ("real").
struct GenerativeMetrics {
  MetricValue w1m;                  ///< W1 of m_J / pT_J.
  std::array<MetricValue, 3> w1p;   ///< W1 of η_rel, φ_rel, pT_rel over all particles (padding excluded).
  MetricValue w1p_mean;             ///< the mean of the three W1P values and of their errors.
  std::array<MetricValue, 5> w1efp; ///< W1 of the EFPs of physics::w1efp_graph_indices() (N = 4, d = 4 connected).
  MetricValue w1efp_mean;           ///< the mean of the five W1EFP values and of their errors.
  MetricValue fpd;                  ///< Fréchet distance of the normalised 36 EFPs, extrapolated to N → ∞.
  MetricValue kpd;                  ///< unbiased MMD² with the kernel (x·y/36 + 1)⁴ on the normalised 36 EFPs.
  std::map<std::string, double> seconds;  ///< wall time of each metric ("w1m", …, "kpd").
};

/// W1 between the jet masses (m_J / pT_J) of batches drawn with replacement from a and b.
MetricValue w1m(const JetNetFeatures& a, const JetNetFeatures& b, const GenerativeMetricsOptions& options = {});

/// W1 between each particle feature (η_rel, φ_rel, pT_rel) of the particles of the drawn jets.
std::array<MetricValue, 3> w1p(const JetNetFeatures& a, const JetNetFeatures& b,
                               const GenerativeMetricsOptions& options = {});

/// W1 between each of the five W1EFP EFPs of the drawn jets.
std::array<MetricValue, 5> w1efp(const JetNetFeatures& a, const JetNetFeatures& b,
                                 const GenerativeMetricsOptions& options = {});

/// Fréchet physics distance between feature samples real [N, D] and generated [N', D]: both are
/// divided by the largest |value| of each feature in `real` (1 where that is 0), then the mean
/// Fréchet distance over fpd_batches draws is found at each sample size, and a line in 1/N (its
/// intercept and slope ≥ 0, least squares) is fitted; the value is the intercept, the error its
/// standard error from the fit's residuals.
MetricValue fpd(const at::Tensor& real, const at::Tensor& generated, const GenerativeMetricsOptions& options = {});

/// The unbiased estimate of MMD² between samples x [n, D] and y [n', D] with the polynomial
/// kernel k(u, v) = (u·v / D + 1)⁴: Σ_{i≠j} k(xᵢ, xⱼ) / n(n−1) + Σ_{i≠j} k(yᵢ, yⱼ) / n'(n'−1)
/// − 2 Σ_{i,j} k(xᵢ, yⱼ) / nn' (Gretton et al. 2012, eq. 3). float64; n, n' ≥ 2.
double polynomial_kernel_mmd(const at::Tensor& x, const at::Tensor& y);

/// Kernel physics distance between feature samples real [N, D] and generated [N', D], normalised
/// as for `fpd`: `polynomial_kernel_mmd` of kpd_batches draws of kpd_samples rows each.
MetricValue kpd(const at::Tensor& real, const at::Tensor& generated, const GenerativeMetricsOptions& options = {});

/// Every metric of `generated` against `real`, timed.
GenerativeMetrics generative_metrics(const JetNetFeatures& real, const JetNetFeatures& generated,
                                     const GenerativeMetricsOptions& options = {});

/// The floor: every metric between two halves of `real`, split by a random permutation of the seed
/// (the first ⌊N/2⌋ rows of it against the rest). Generated samples of the size of `real` cannot be
/// told from the truth better than this.
GenerativeMetrics truth_floor(const JetNetFeatures& real, const GenerativeMetricsOptions& options = {});

/// {"w1m": {"value", "error"}, "w1p": [...3], "w1p_mean", "w1efp": [...5], "w1efp_mean", "fpd",
///  "kpd", "seconds": {...}}.
nlohmann::json to_json(const GenerativeMetrics& metrics);

}  // namespace otae::analysis
