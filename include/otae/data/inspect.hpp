// A summary of an HDF5 file for `otae data inspect`: what a user checks before training on it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "otae/data/hdf5.hpp"

namespace otae::data {

/// The quantiles reported per column.
inline const std::vector<double> kSummaryQuantiles = {0.0, 0.01, 0.5, 0.99, 1.0};

/// One column (the last axis) of a dataset: its name and its quantiles (kSummaryQuantiles) over
/// the finite values, padding rows left out. Empty quantiles when the column has no such value.
struct ColumnSummary {
  std::string name;
  std::vector<double> quantiles;
};

/// One dataset: shape, dtype (numpy name), rows (first axis), the fraction of padding rows
/// (for [N, M, C] datasets: rows of the middle axis whose first column is 0, as padded
/// particles are; 0 otherwise), the number of NaN and ±inf values, columns and attributes.
struct DatasetSummary {
  std::string name;
  std::vector<int64_t> shape;
  std::string dtype;
  int64_t rows = 0;
  double padding_fraction = 0.0;
  int64_t non_finite = 0;
  std::vector<ColumnSummary> columns;
  Attributes attributes;
};

struct FileSummary {
  std::string path;
  Attributes attributes;
  std::vector<DatasetSummary> datasets;
};

/// Reads every dataset of `path` and summarises it. Column names come from the attribute
/// `columns`, or `objects` × `columns_per_object` for event vectors, else "column i".
/// Throws IoError as read_array does.
FileSummary inspect_file(const std::string& path);

}  // namespace otae::data
