// Sinkhorn EMDs over many jets in batches of pairs; see sinkhorn_pairwise.hpp.
#include "otae/ot/sinkhorn_pairwise.hpp"

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "otae/base/error.hpp"

namespace otae::ot {

namespace {

/// Which distances are computed: d(A[i], B[i]); every d(A[i], B[j]); or, for A against itself,
/// each unordered pair i < j once, mirrored (the diagonal is 0).
enum class Layout { kPaired, kMatrix, kSymmetric };

int64_t pair_count(Layout layout, int64_t rows, int64_t cols) {
  switch (layout) {
    case Layout::kPaired: return rows;
    case Layout::kMatrix: return rows * cols;
    case Layout::kSymmetric: return rows * (rows - 1) / 2;
  }
  return 0;
}

void check_jets(const at::Tensor& jets, const char* name) {
  if (!jets.defined() || jets.dim() != 3 || jets.size(2) != 3 || !at::isFloatingType(jets.scalar_type())) {
    std::ostringstream msg;
    msg << "sinkhorn EMDs: " << name << " must be floating [N, M, 3] (pT, eta, phi), received ";
    if (jets.defined()) msg << jets.sizes() << " " << jets.scalar_type(); else msg << "an undefined tensor";
    throw InvalidArgument(msg.str());
  }
}

/// Up to `count` pairs (i, j) of the layout from `next` on, in row-major order; advances `next`.
std::pair<at::Tensor, at::Tensor> next_pairs(Layout layout, int64_t rows, int64_t cols,
                                             std::pair<int64_t, int64_t>& next, int64_t count) {
  std::vector<int64_t> is, js;
  auto& [i, j] = next;
  while (i < rows && static_cast<int64_t>(is.size()) < count) {
    const int64_t end = layout == Layout::kPaired ? i + 1 : cols;
    if (layout == Layout::kPaired) j = i;
    if (layout == Layout::kSymmetric && j <= i) j = i + 1;
    for (; j < end && static_cast<int64_t>(is.size()) < count; ++j) {
      is.push_back(i);
      js.push_back(j);
    }
    if (j >= end) {
      ++i;
      j = 0;
    }
  }
  return {at::tensor(is, at::kLong), at::tensor(js, at::kLong)};
}

/// (pT fractions [N, M], (η, φ) [N, M, 2]) in float64.
std::pair<at::Tensor, at::Tensor> normalised(const at::Tensor& jets) {
  const at::Tensor pt = jets.select(2, 0).to(at::kDouble);
  return {pt / pt.sum(1, true), jets.narrow(2, 1, 2).to(at::kDouble)};
}

at::Tensor sinkhorn_distances(const at::Tensor& jets_a, const at::Tensor& jets_b, Layout layout,
                              const SinkhornPairwiseOptions& options) {
  options.validate();
  const auto [wa, xa] = normalised(jets_a);
  const auto [wb, xb] = normalised(jets_b);
  const int64_t rows = wa.size(0), cols = wb.size(0), total = pair_count(layout, rows, cols);
  at::Tensor distances = layout == Layout::kPaired ? at::zeros({rows}, at::kDouble) : at::zeros({rows, cols}, at::kDouble);
  std::pair<int64_t, int64_t> next{0, 0};
  for (int64_t done = 0; done < total;) {
    const auto [i, j] = next_pairs(layout, rows, cols, next, options.pairs_per_batch());
    const at::Tensor cost = sinkhorn_emd(wa.index_select(0, i), xa.index_select(0, i), wb.index_select(0, j),
                                         xb.index_select(0, j), options.sinkhorn())
                                .cost;
    if (layout == Layout::kPaired) {
      distances.index_put_({i}, cost);
    } else {
      distances.index_put_({i, j}, cost);
      if (layout == Layout::kSymmetric) distances.index_put_({j, i}, cost);
    }
    done += i.size(0);
    if (options.progress()) options.progress()(done, total);
  }
  return distances;
}

}  // namespace

void SinkhornPairwiseOptions::validate() const {
  if (pairs_per_batch_ < 1)
    throw InvalidArgument("SinkhornPairwiseOptions: pairs_per_batch must be >= 1, received " +
                          std::to_string(pairs_per_batch_));
  sinkhorn_.validate();
}

at::Tensor sinkhorn_emd_paired(const at::Tensor& jets_a, const at::Tensor& jets_b,
                               const SinkhornPairwiseOptions& options) {
  check_jets(jets_a, "jets_a");
  check_jets(jets_b, "jets_b");
  if (jets_a.size(0) != jets_b.size(0))
    throw InvalidArgument("sinkhorn_emd_paired: jets_a has " + std::to_string(jets_a.size(0)) + " jets but jets_b " +
                          std::to_string(jets_b.size(0)));
  return sinkhorn_distances(jets_a, jets_b, Layout::kPaired, options);
}

at::Tensor sinkhorn_emd_matrix(const at::Tensor& jets_a, const at::Tensor& jets_b,
                               const SinkhornPairwiseOptions& options) {
  check_jets(jets_a, "jets_a");
  check_jets(jets_b, "jets_b");
  return sinkhorn_distances(jets_a, jets_b, Layout::kMatrix, options);
}

at::Tensor sinkhorn_emd_symmetric(const at::Tensor& jets, const SinkhornPairwiseOptions& options) {
  check_jets(jets, "jets");
  return sinkhorn_distances(jets, jets, Layout::kSymmetric, options);
}

}  // namespace otae::ot
