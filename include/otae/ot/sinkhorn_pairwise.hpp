// Sinkhorn EMDs over many jets, as pairwise.hpp does for the exact EMD: paired batches
// d(a[i], b[i]), cross matrices A × B and symmetric matrices A × A. Each jet's pT is normalised
// to 1 first (the EMD-VAE's loss compares pT/HT-weighted jets), so distances are in units of
// ΔR/R whatever the files' pT unit.
#pragma once

#include <cstdint>

#include <ATen/ATen.h>

#include "otae/base/arg.hpp"
#include "otae/ot/pairwise.hpp"
#include "otae/ot/sinkhorn.hpp"

namespace otae::ot {

struct SinkhornPairwiseOptions {
  OTAE_ARG(SinkhornOptions, sinkhorn, SinkhornOptions());
  /// Pairs per call of sinkhorn_emd (memory, not numbers).
  OTAE_ARG(int64_t, pairs_per_batch, 1000);
  /// Told (pairs done, pairs in total) after every batch, from the calling thread.
  OTAE_ARG(ProgressCallback, progress, nullptr);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument (echoing the bad value) unless the options are usable.
  void validate() const;
};

/// Sinkhorn EMD(jets_a[i], jets_b[i]) for every i: [N] float64.
///   jets_a [N, M_a, 3], jets_b [N, M_b, 3]: (pT, η, φ), any floating dtype, CPU; rows with pT = 0
///   are padding. Throws InvalidArgument on a wrong shape or a different N, and as sinkhorn_emd
///   on a bad jet.
at::Tensor sinkhorn_emd_paired(const at::Tensor& jets_a, const at::Tensor& jets_b,
                               const SinkhornPairwiseOptions& options = {});

/// D[i, j] = Sinkhorn EMD(jets_a[i], jets_b[j]): [N_a, N_b] float64. Throws as sinkhorn_emd_paired.
at::Tensor sinkhorn_emd_matrix(const at::Tensor& jets_a, const at::Tensor& jets_b,
                               const SinkhornPairwiseOptions& options = {});

/// D[i, j] = Sinkhorn EMD(jets[i], jets[j]): [N, N] float64, with only the pairs i < j solved and
/// mirrored, and a zero diagonal. Throws as sinkhorn_emd_paired.
at::Tensor sinkhorn_emd_symmetric(const at::Tensor& jets, const SinkhornPairwiseOptions& options = {});

}  // namespace otae::ot
