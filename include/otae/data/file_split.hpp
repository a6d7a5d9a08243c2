// `otae data split`: one HDF5 file cut into train / validation / test files, every dataset cut
// at the same rows, so that row i of `particles` and of `jet` (or of `z` and `x`) stay together.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "otae/data/hdf5.hpp"
#include "otae/data/split.hpp"

namespace otae::data {

/// One file written by split_file.
struct SplitPart {
  std::string name;  ///< "train", "validation" or "test"
  std::string path;
  int64_t rows = 0;
};

/// Splits the rows of every dataset of `path` with split_rows(N, options) (deterministic in the
/// seed) and writes `<prefix>.<part>.h5` for each part with a non-zero fraction; the prefix is
/// `path` without its ".h5" unless `out_prefix` is given. Datasets keep their dtypes and
/// attributes; rank-0 datasets are copied whole. The root attributes are kept too (a `rows`
/// attribute is updated), with split_source, split_part, split_seed and split_fractions added;
/// the source's provenance (made_by, command_line, otae_version) is renamed source_<key>, and
/// `attributes` (the split's own provenance) is added.
/// Throws IoError naming the file when datasets differ in their number of rows or the file
/// holds none, InvalidArgument for invalid options or when a part would replace `path`; each
/// file is written atomically.
std::vector<SplitPart> split_file(const std::string& path, const SplitOptions& options,
                                  const std::string& out_prefix = "", const Attributes& attributes = {});

}  // namespace otae::data
