// HDF5 arrays in layouts that h5py reads back: gzip-compressed, chunked, attributes for
// column names, units and provenance; files are written atomically (temporary file, rename).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace otae::data {

/// String attributes of a file or dataset (column names, units, provenance).
using Attributes = std::map<std::string, std::string>;

/// A dataset to write: its name, its values (float32/float64/int64/int32, any rank) and attributes.
struct NamedArray {
  std::string name;
  at::Tensor values;
  Attributes attributes = {};
};

/// Reads one dataset into a CPU tensor of the stored dtype (float32, float64, int32, int64).
/// Throws IoError naming `path` and `dataset` when the file or dataset is missing or unreadable.
at::Tensor read_array(const std::string& path, const std::string& dataset);

/// True when `path` holds a dataset called `dataset`. Throws IoError when the file is unreadable.
bool has_dataset(const std::string& path, const std::string& dataset);

/// String attributes of the file's root group (or of `dataset` when given).
Attributes read_attributes(const std::string& path, const std::string& dataset = "");

/// Writes the arrays (and the root attributes) to `path` atomically: a temporary file beside it,
/// then a rename, so a failed write never leaves a half-written file under `path`.
void write_arrays(const std::string& path, const std::vector<NamedArray>& arrays,
                  const Attributes& file_attributes = {});

/// Reads jets: dataset `dataset` of shape [N, M, 3] (pT [GeV], η, φ), returned as float32.
/// Validates rank, last dimension, finiteness and non-negative pT, and that no jet is empty;
/// throws IoError naming the file, the dataset, the jet index and the problem.
at::Tensor read_jet_particles(const std::string& path, const std::string& dataset = "particles");

}  // namespace otae::data
