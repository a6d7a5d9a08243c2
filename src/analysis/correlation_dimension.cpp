// Streaming pair-distance histograms and the correlation dimension read off their cumulative
// counts. Samples are walked in blocks of rows, block pair by block pair (upper triangle only).
#include "otae/analysis/correlation_dimension.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "otae/base/error.hpp"

namespace otae::analysis {
namespace {

std::string number(double x) { return c10::str(x); }

// Counts the block's distances; on a diagonal block (rows and columns the same points) only the
// pairs above the diagonal.
void add_block(PairDistanceHistogram& histogram, const at::Tensor& block, bool diagonal) {
  if (!diagonal) {
    histogram.add(block);
    return;
  }
  const at::Tensor d = block.to(at::kCPU, at::kDouble).contiguous();
  const int64_t n = d.size(0);
  const double* values = d.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) histogram.add(values[i * n + j]);
}

int64_t pair_count(int64_t n) { return n * (n - 1) / 2; }

// Walks the block pairs (I, J ≥ I) of n rows; distances(I_start, I_end, J_start, J_end, done)
// returns the block's distances, `done` being the pairs finished before this block.
template <typename BlockDistances>
PairDistanceHistogram accumulate_blocks(int64_t n, const PairDistanceOptions& options,
                                        const BlockDistances& distances) {
  PairDistanceHistogram histogram(options.q_min(), options.q_max(), options.bins());
  const int64_t block = options.block_size();
  int64_t done = 0;
  for (int64_t i0 = 0; i0 < n; i0 += block) {
    const int64_t i1 = std::min(n, i0 + block);
    for (int64_t j0 = i0; j0 < n; j0 += block) {
      const int64_t j1 = std::min(n, j0 + block);
      const bool diagonal = i0 == j0;
      add_block(histogram, distances(i0, i1, j0, j1, done) * options.distance_scale(), diagonal);
      done += diagonal ? pair_count(i1 - i0) : (i1 - i0) * (j1 - j0);
      if (options.pairwise().progress()) options.pairwise().progress()(done, pair_count(n));
    }
  }
  return histogram;
}

int64_t rows_used(int64_t available, const PairDistanceOptions& options, const char* function) {
  const int64_t n = options.max_points() > 0 ? std::min(available, options.max_points()) : available;
  if (n < 2)
    throw InvalidArgument(std::string(function) + ": needs at least 2 rows, received " + std::to_string(n) + " (of " +
                          std::to_string(available) + ", max_points=" + std::to_string(options.max_points()) + ")");
  return n;
}

}  // namespace

PairDistanceHistogram::PairDistanceHistogram(double q_min, double q_max, int64_t bins) {
  if (!std::isfinite(q_min) || !std::isfinite(q_max) || !(q_min > 0) || !(q_max > q_min) || bins < 1)
    throw InvalidArgument("PairDistanceHistogram: needs finite 0 < q_min < q_max and bins >= 1, received q_min=" +
                          number(q_min) + ", q_max=" + number(q_max) + ", bins=" + std::to_string(bins));
  log_q_min_ = std::log(q_min);
  log_bin_width_ = std::log(q_max / q_min) / static_cast<double>(bins);
  edges_.resize(static_cast<size_t>(bins + 1));
  for (int64_t b = 0; b <= bins; ++b) edges_[static_cast<size_t>(b)] = std::exp(log_q_min_ + b * log_bin_width_);
  edges_.front() = q_min;
  edges_.back() = q_max;
  counts_.assign(static_cast<size_t>(bins), 0);
}

// The bin from the logarithm, then corrected against the stored edges, so that a distance equal
// to an edge lands in the bin that starts there whatever the rounding of log and exp.
int64_t PairDistanceHistogram::bin_of(double distance) const {
  const auto bins = static_cast<int64_t>(counts_.size());
  auto b = static_cast<int64_t>(std::floor((std::log(distance) - log_q_min_) / log_bin_width_));
  b = std::clamp<int64_t>(b, 0, bins - 1);
  while (b > 0 && distance < edges_[static_cast<size_t>(b)]) --b;
  while (b < bins - 1 && distance >= edges_[static_cast<size_t>(b + 1)]) ++b;
  return b;
}

void PairDistanceHistogram::add(double distance) {
  if (!(distance >= 0))
    throw InvalidArgument("PairDistanceHistogram::add: a distance must be >= 0, received " + number(distance));
  if (distance < edges_.front()) {
    ++underflow_;
  } else if (distance >= edges_.back()) {
    ++overflow_;
  } else {
    ++counts_[static_cast<size_t>(bin_of(distance))];
  }
}

void PairDistanceHistogram::add(const at::Tensor& distances) {
  const at::Tensor d = distances.to(at::kCPU, at::kDouble).contiguous();
  const double* values = d.data_ptr<double>();
  for (int64_t k = 0; k < d.numel(); ++k) add(values[k]);
}

void PairDistanceHistogram::merge(const PairDistanceHistogram& other) {
  if (other.edges_ != edges_)
    throw InvalidArgument("PairDistanceHistogram::merge: binnings differ (" + std::to_string(counts_.size()) +
                          " bins from " + number(edges_.front()) + " to " + number(edges_.back()) + " against " +
                          std::to_string(other.counts_.size()) + " bins from " + number(other.edges_.front()) + " to " +
                          number(other.edges_.back()) + ")");
  for (size_t b = 0; b < counts_.size(); ++b) counts_[b] += other.counts_[b];
  underflow_ += other.underflow_;
  overflow_ += other.overflow_;
}

int64_t PairDistanceHistogram::pairs() const noexcept {
  int64_t total = underflow_ + overflow_;
  for (int64_t c : counts_) total += c;
  return total;
}

std::vector<int64_t> PairDistanceHistogram::cumulative() const {
  std::vector<int64_t> below(edges_.size());
  below[0] = underflow_;
  for (size_t b = 0; b < counts_.size(); ++b) below[b + 1] = below[b] + counts_[b];
  return below;
}

CorrelationDimensionCurve correlation_dimension(const PairDistanceHistogram& histogram, int64_t span) {
  const auto bins = static_cast<int64_t>(histogram.counts().size());
  if (span < 1 || span > bins)
    throw InvalidArgument("correlation_dimension: span must be in [1, bins=" + std::to_string(bins) + "], received " +
                          std::to_string(span));
  const std::vector<int64_t> below = histogram.cumulative();
  const std::vector<double>& q = histogram.edges();
  CorrelationDimensionCurve curve;
  for (int64_t k = 0; k + span <= bins; ++k) {
    const auto lower = static_cast<double>(below[static_cast<size_t>(k)]);
    const auto upper = static_cast<double>(below[static_cast<size_t>(k + span)]);
    if (lower <= 0) continue;
    const double d_log_q = std::log(q[static_cast<size_t>(k + span)] / q[static_cast<size_t>(k)]);
    curve.q.push_back(std::sqrt(q[static_cast<size_t>(k)] * q[static_cast<size_t>(k + span)]));
    curve.dimension.push_back(std::log(upper / lower) / d_log_q);
    curve.error.push_back(std::sqrt((upper - lower) / (lower * upper)) / d_log_q);
    curve.pairs_below.push_back(below[static_cast<size_t>(k)]);
  }
  return curve;
}

void PairDistanceOptions::validate() const {
  // The histogram's constructor checks the binning and echoes it.
  static_cast<void>(PairDistanceHistogram(q_min_, q_max_, bins_));
  if (!std::isfinite(distance_scale_) || distance_scale_ <= 0)
    throw InvalidArgument("PairDistanceOptions: distance_scale must be finite and > 0, received " +
                          number(distance_scale_));
  if (max_points_ < 0)
    throw InvalidArgument("PairDistanceOptions: max_points must be >= 0 (0: all), received " +
                          std::to_string(max_points_));
  if (block_size_ < 1)
    throw InvalidArgument("PairDistanceOptions: block_size must be >= 1, received " + std::to_string(block_size_));
}

PairDistanceHistogram jet_pair_distances(const at::Tensor& jets, const PairDistanceOptions& options) {
  options.validate();
  if (!jets.defined() || jets.dim() != 3)
    throw InvalidArgument("jet_pair_distances: jets must be [N, M, 3] (pT, eta, phi), received " +
                          (jets.defined() ? c10::str(jets.sizes()) : std::string("an undefined tensor")));
  const int64_t n = rows_used(jets.size(0), options, "jet_pair_distances");
  const at::Tensor sample = jets.slice(0, 0, n);
  const int64_t total = pair_count(n);
  return accumulate_blocks(n, options, [&](int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t done) {
    ot::PairwiseOptions block_options = options.pairwise();
    if (options.pairwise().progress())
      block_options.progress(
          [&, done](int64_t block_done, int64_t) { options.pairwise().progress()(done + block_done, total); });
    const at::Tensor rows = sample.slice(0, i0, i1);
    if (i0 == j0) return ot::exact_emd_symmetric(rows, block_options);
    return ot::exact_emd_matrix(rows, sample.slice(0, j0, j1), block_options);
  });
}

PairDistanceHistogram point_pair_distances(const at::Tensor& points, const PairDistanceOptions& options) {
  options.validate();
  if (!points.defined() || points.dim() != 2 || !at::isFloatingType(points.scalar_type()))
    throw InvalidArgument(
        "point_pair_distances: points must be a floating [N, D] tensor, received " +
        (points.defined() ? c10::str(points.sizes(), " ", points.scalar_type()) : std::string("an undefined tensor")));
  const int64_t n = rows_used(points.size(0), options, "point_pair_distances");
  const at::Tensor sample = points.slice(0, 0, n).to(at::kDouble);
  if (!at::isfinite(sample).all().item<bool>())
    throw InvalidArgument("point_pair_distances: points must be finite; row " +
                          std::to_string(at::nonzero(~at::isfinite(sample).all(1))[0].item<int64_t>()) + " is not");
  // compute_mode 2: differences, not the |x|² + |y|² − 2x·y shortcut, whose cancellation would
  // blur the smallest distances, the ones the scaling region is read from.
  constexpr int64_t kNoMatrixProduct = 2;
  return accumulate_blocks(n, options, [&](int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t) {
    return at::cdist(sample.slice(0, i0, i1), sample.slice(0, j0, j1), 2.0, kNoMatrixProduct);
  });
}

nlohmann::json to_json(const PairDistanceHistogram& histogram, const CorrelationDimensionCurve& curve) {
  return {{"edges", histogram.edges()},       {"counts", histogram.counts()}, {"underflow", histogram.underflow()},
          {"overflow", histogram.overflow()}, {"pairs", histogram.pairs()},   {"q", curve.q},
          {"dimension", curve.dimension},     {"error", curve.error},         {"pairs_below", curve.pairs_below}};
}

}  // namespace otae::analysis
