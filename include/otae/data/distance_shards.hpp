// Distance work split over jobs that share nothing (`otae emd --shard K/N`, e.g. the tasks of a
// batch array): each job writes the entries it computed into a partial file, and one merge writes
// the file that one process would have written, after checking that the partial files are the N
// shards of one computation.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "otae/data/hdf5.hpp"

namespace otae::data {

/// The shape of a whole distance result.
enum class DistanceLayout { kPaired, kMatrix, kSymmetric };

/// One shard's entries of a distance result and what whole result they belong to.
struct DistanceShard {
  int64_t index = 0, count = 1;  ///< shard `index` (0-based) of `count`
  DistanceLayout layout = DistanceLayout::kMatrix;
  int64_t rows = 0, columns = 0;  ///< the whole result: [rows] when paired, else [rows, columns]
  std::string inputs;             ///< inputs_fingerprint of what was compared
  at::Tensor entry_rows, entry_columns;  ///< [P] int64 (paired: entry_columns = entry_rows)
  at::Tensor values;                     ///< [P] float64
};

/// A fingerprint (FNV-1a, 64 bits, as hex) of the values and shapes of `tensors`: equal inputs give
/// equal fingerprints, and two shards computed from different jets (another file, --max-jets,
/// --centre) are told apart.
std::string inputs_fingerprint(const std::vector<at::Tensor>& tensors);

/// "K/N", shard K (counted from 1, 1 ≤ K ≤ N) of N, as (K − 1, N); nothing when `text` is not of
/// that form. The one reading of `otae emd --shard` and of a partial file's `shard` attribute.
std::optional<std::pair<int64_t, int64_t>> parse_shard_label(const std::string& text);

/// Rows [first, end) of shard `index` of `count` of `rows` rows: equal shares. The one split into
/// equal shares: of distance rows, of a batch into shards, of the shards over the ranks of a run.
std::pair<int64_t, int64_t> shard_rows(int64_t rows, int64_t index, int64_t count);

/// The whole result's tensor ([rows] paired, else [rows, columns] float64) with the shard's entries
/// in place (a symmetric entry in both triangles) and zeros elsewhere: the tensors of the shards
/// of one computation sum to the whole result exactly, each entry being in one shard.
at::Tensor scattered_distances(const DistanceShard& shard);

/// Writes `shard` to `path` (atomically): datasets `rows`, `columns` [P] int64 and `distances` [P]
/// float64 with `distance_attributes` (those of the whole result's `distances`), and on the root
/// `root_attributes` (the options and provenance the whole result carries) plus the shard's own
/// (`shard` "K/N" counted from 1, `shard_layout`, `shard_shape`, `shard_inputs`).
void write_distance_shard(const std::string& path, const DistanceShard& shard, const Attributes& distance_attributes,
                          const Attributes& root_attributes);

/// Merges the shard files into `out`: `distances` [rows] (paired) or [rows, columns] (a symmetric
/// result mirrored, with a zero diagonal), with the shards' attributes, and on the root their
/// attributes without the shard's own and with `command_line` replaced by `provenance`'s — the
/// file one process writes. Throws IoError naming the file and the difference when the files are
/// not the `count` shards of one computation: another shape, layout, input, option or otae
/// version; a shard missing or given twice; an entry covered twice or not at all.
void merge_distance_shards(const std::vector<std::string>& paths, const std::string& out,
                           const Attributes& provenance);

}  // namespace otae::data
