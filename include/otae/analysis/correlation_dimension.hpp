// The correlation dimension of a sample (Grassberger & Procaccia 1983; for jets, Komiske,
// Metodiev, Thaler, PRL 123 (2019) 041801, Fig. 4): D_corr(Q) = d ln N(Q)/d ln Q, with N(Q) the
// number of pairs closer than Q. Pairwise distances are streamed into log-spaced bins, so the
// N(N−1)/2 distances of 10⁴ jets are never held at once.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "otae/base/arg.hpp"
#include "otae/ot/pairwise.hpp"

namespace otae::analysis {

/// Counts of pair distances in `bins` log-spaced bins [Q_b, Q_{b+1}) between q_min and q_max,
/// Q_b = q_min·(q_max/q_min)^(b/bins), plus the pairs below q_min (zero distances included) and
/// at or above q_max. Distances are in the caller's units (GeV for EMDs between jets in pT [GeV],
/// a fraction of HT for pT/HT jets). Accumulators of the same binning can be merged, so blocks
/// may be counted on different threads or machines.
class PairDistanceHistogram {
 public:
  /// Throws InvalidArgument unless 0 < q_min < q_max are finite and bins ≥ 1.
  PairDistanceHistogram(double q_min, double q_max, int64_t bins);

  /// Counts every element of `distances` (any shape, any floating dtype, any device) as one pair.
  /// Throws InvalidArgument when a distance is negative or NaN (+inf counts as overflow).
  void add(const at::Tensor& distances);
  /// Counts one pair at distance d (as `add`).
  void add(double distance);
  /// Adds the counts of `other`. Throws InvalidArgument when its binning differs.
  void merge(const PairDistanceHistogram& other);

  /// [bins + 1] ascending; the first is q_min and the last q_max exactly.
  const std::vector<double>& edges() const noexcept { return edges_; }
  /// [bins]: pairs with Q_b ≤ d < Q_{b+1}.
  const std::vector<int64_t>& counts() const noexcept { return counts_; }
  int64_t underflow() const noexcept { return underflow_; }  ///< pairs with d < q_min
  int64_t overflow() const noexcept { return overflow_; }    ///< pairs with d ≥ q_max
  int64_t pairs() const noexcept;                            ///< every pair added

  /// N(Q_b) for every edge: the pairs with d < Q_b, [bins + 1].
  std::vector<int64_t> cumulative() const;

 private:
  int64_t bin_of(double distance) const;

  std::vector<double> edges_;
  std::vector<int64_t> counts_;
  double log_q_min_ = 0.0, log_bin_width_ = 1.0;
  int64_t underflow_ = 0, overflow_ = 0;
};

/// D_corr(Q) sampled between edges k and k + span of a histogram.
struct CorrelationDimensionCurve {
  std::vector<double> q;             ///< √(Q_k Q_{k+span}), the midpoint in ln Q
  std::vector<double> dimension;     ///< (ln N(Q_{k+span}) − ln N(Q_k)) / ln(Q_{k+span}/Q_k)
  std::vector<double> error;         ///< one-σ statistical error, see `correlation_dimension`
  std::vector<int64_t> pairs_below;  ///< N(Q_k), the pairs below the lower edge
};

/// The finite-difference correlation dimension between edges k and k + span, for every k with
/// N(Q_k) > 0 (where ln N is defined). With n = N(Q_{k+span}) − N(Q_k) and N(Q_k) treated as
/// independent Poisson counts, σ(ln N(Q_{k+span}) − ln N(Q_k)) = √(n / (N(Q_k) N(Q_{k+span}))),
/// divided by ln(Q_{k+span}/Q_k). Pairs sharing a point are not independent, so this band is a
/// lower bound on the scatter between samples; it is what the band of a single sample shows.
/// Points with span > 1 overlap and are correlated. Throws InvalidArgument unless
/// 1 ≤ span ≤ bins.
CorrelationDimensionCurve correlation_dimension(const PairDistanceHistogram& histogram, int64_t span = 1);

/// How pair distances of a sample are gathered into a histogram.
struct PairDistanceOptions {
  /// Binning [q_min, q_max) in `bins` log-spaced bins. The defaults (10⁻² … 10³, 20 bins per
  /// decade) cover EMDs between jets in GeV; for pT/HT jets or unit-scale toys use e.g.
  /// q_min 10⁻⁴, q_max 10.
  OTAE_ARG(double, q_min, 1e-2);
  OTAE_ARG(double, q_max, 1e3);
  OTAE_ARG(int64_t, bins, 100);
  /// Every distance is multiplied by this before binning: ⟨HT⟩ [GeV] turns EMDs between pT/HT
  /// jets (the network's inputs, in units of HT·ΔR) into GeV, on the axis of β [GeV] = ⟨HT⟩·β̂,
  /// so that D_corr(Q) compares with D1 at Q = 2β. Raw pT jets instead pay |ΔHT| on top of the
  /// transport, which dominates their EMDs.
  OTAE_ARG(double, distance_scale, 1.0);
  /// N: only the first max_points rows enter (shuffle held-out data first); 0 takes all.
  OTAE_ARG(int64_t, max_points, 10000);
  /// Rows per block: one block pair's distances (block² values) are held at a time.
  OTAE_ARG(int64_t, block_size, 512);
  /// Exact EMD options, threads and progress (told pairs done of N(N−1)/2) for jets; for points
  /// only `progress` is used.
  OTAE_ARG(ot::PairwiseOptions, pairwise, ot::PairwiseOptions());
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument (echoing the value) unless the binning is valid, distance_scale is
  /// finite and > 0, max_points ≥ 0 and block_size ≥ 1.
  void validate() const;
};

/// Exact EMDs (otae::ot::exact_emd_matrix, in blocks) between all pairs i < j of the first N jets,
/// times distance_scale. For D_corr against Q = 2β [GeV], pass pT/HT jets (data::preprocess_jets)
/// and distance_scale ⟨HT⟩.
///   jets [N, M, 3] (pT [GeV] or pT/HT, η, φ), float32 or float64; rows with pT = 0 are padding.
/// Throws InvalidArgument on bad options or fewer than 2 jets, and as exact_emd_matrix on bad jets.
PairDistanceHistogram jet_pair_distances(const at::Tensor& jets, const PairDistanceOptions& options = {});

/// Euclidean distances between all pairs i < j of the first N points, computed in float64.
///   points [N, D], any floating dtype, on any device.
/// Throws InvalidArgument on bad options, another shape, fewer than 2 points or a non-finite value.
PairDistanceHistogram point_pair_distances(const at::Tensor& points, const PairDistanceOptions& options = {});

/// {"edges", "counts", "underflow", "overflow", "pairs", "q", "dimension", "error", "pairs_below"}:
/// the histogram and its curve, the layout python/otae_report draws D_corr(Q) from.
nlohmann::json to_json(const PairDistanceHistogram& histogram, const CorrelationDimensionCurve& curve);

}  // namespace otae::analysis
