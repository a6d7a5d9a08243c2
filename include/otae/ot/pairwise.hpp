// Exact EMDs over many jets: paired batches d(a[i], b[i]), cross matrices A × B and symmetric
// matrices A × A, spread over threads, each thread with its own reusable network-simplex solver.
#pragma once

#include <cstdint>
#include <functional>

#include <ATen/ATen.h>

#include "otae/base/arg.hpp"
#include "otae/ot/exact_emd.hpp"

namespace otae::ot {

/// Told (pairs solved so far, pairs in total). Called from the calling thread only, about every
/// 1 % of the pairs and once more with pairs_done = pairs_total at the end. It may throw to
/// cancel: the workers stop after their current pair and the exception leaves the call.
using ProgressCallback = std::function<void(int64_t pairs_done, int64_t pairs_total)>;

/// How a batch or matrix of exact EMDs runs.
struct PairwiseOptions {
  /// What each distance is (ground cost, norm). `emd().return_flow()` applies to
  /// `exact_emd_paired` only; the matrices hold values.
  OTAE_ARG(ExactEmdOptions, emd, ExactEmdOptions());
  /// Worker threads; 0 uses every hardware thread. The calling thread is one of them.
  OTAE_ARG(int64_t, threads, 0);
  /// Optional progress report (e.g. for the CLI's progress line).
  OTAE_ARG(ProgressCallback, progress, nullptr);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument (echoing the bad value) unless the options are usable.
  void validate() const;
};

/// What `exact_emd_paired` returns.
struct PairedEmdResult {
  at::Tensor values;  ///< [N] float64: EMD(jets_a[i], jets_b[i]), units as ExactEmdResult::value.
  at::Tensor flows;   ///< [N, M_a, M_b] float64 when emd().return_flow(), else undefined.
};

/// EMD(jets_a[i], jets_b[i]) for every i.
///   jets_a [N, M_a, 3], jets_b [N, M_b, 3]: (pT [GeV], η, φ), float32 or float64 on any device;
///   rows with pT = 0 are padding.
/// Throws InvalidArgument on a wrong shape or dtype, a different N, and on a bad jet (NaN/inf,
/// negative pT, no particle), naming it as jets_a[i] or jets_b[i]; NumericalError when a solve
/// fails, naming the pair.
PairedEmdResult exact_emd_paired(const at::Tensor& jets_a, const at::Tensor& jets_b,
                                 const PairwiseOptions& options = {});

/// D[i, j] = EMD(jets_a[i], jets_b[j]): [N_a, N_b] float64.
///   jets_a [N_a, M_a, 3], jets_b [N_b, M_b, 3] as in `exact_emd_paired`. Throws as it does.
at::Tensor exact_emd_matrix(const at::Tensor& jets_a, const at::Tensor& jets_b,
                            const PairwiseOptions& options = {});

/// D[i, j] = EMD(jets[i], jets[j]): [N, N] float64, symmetric with a zero diagonal. Only the
/// N(N−1)/2 pairs i < j are solved. jets [N, M, 3] as in `exact_emd_paired`; throws as it does
/// (naming jets[i]).
at::Tensor exact_emd_symmetric(const at::Tensor& jets, const PairwiseOptions& options = {});

/// Some entries of a distance matrix: D[rows[p], columns[p]] = values[p].
struct MatrixEntries {
  at::Tensor rows, columns;  ///< [P] int64
  at::Tensor values;         ///< [P] float64
};

/// Shard `shard` (0 ≤ shard < shards) of `exact_emd_symmetric(jets)`: about 1/shards of its work
/// (a pair counted as n_i·n_j, the arcs of its transport problem), each pair solved in the
/// orientation the whole matrix solves it, so that the values
/// are the matrix's bit for bit; the shards of one N cover every pair i < j once (an entry is
/// reported once, as (i, j) or (j, i)). For work split over processes that share nothing (batch
/// jobs); throws InvalidArgument on a shard outside [0, shards) and as `exact_emd_symmetric`.
MatrixEntries exact_emd_symmetric_shard(const at::Tensor& jets, int64_t shard, int64_t shards,
                                        const PairwiseOptions& options = {});

}  // namespace otae::ot
