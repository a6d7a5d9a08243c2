// `otae data mix`: two jet files into one shuffled sample with the origin of each jet kept aside
// as a label, the input of unsupervised classification (the categorical EMD-VAE sorts the mixed
// jets without ever reading the label; the analysis compares its sorting with it).
#pragma once

#include <cstdint>
#include <string>

#include "otae/base/arg.hpp"
#include "otae/data/hdf5.hpp"

namespace otae::data {

struct MixOptions {
  /// Rows taken from the start of each file (0: every row of both).
  OTAE_ARG(int64_t, rows_per_file, 0);
  /// Seed of the shuffle: the same seed gives the same order.
  OTAE_ARG(uint64_t, seed, 0);
  OTAE_ARG_PUBLIC
};

/// What mix_jet_files wrote.
struct MixedSample {
  int64_t first_rows = 0;   ///< jets from the first file (label 0)
  int64_t second_rows = 0;  ///< jets from the second file (label 1)
};

/// Writes to `out`, atomically, the jets `particles` [N, M, 3] of both files in one seeded random
/// order, `label` [N] int64 (0: from `first`, 1: from `second`) in the same order, and `jet`
/// [N, 5] when both files have it. Root attributes: `attributes` (e.g. provenance) plus the
/// sources, the seed and the row count; `label` says what its values mean. Throws IoError naming the file when a
/// dataset is missing or unreadable, when the two files' particles differ in shape beyond the rows, or when
/// rows_per_file exceeds a file's rows; InvalidArgument when rows_per_file < 0.
MixedSample mix_jet_files(const std::string& first, const std::string& second, const std::string& out,
                          const MixOptions& options = {}, const Attributes& attributes = {});

}  // namespace otae::data
