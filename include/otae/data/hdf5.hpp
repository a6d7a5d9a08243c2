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

/// Attributes whose value is a list of strings, as h5py writes `attrs["columns"] = ["pt_GeV", …]`
/// (a 1-D array of variable-length UTF-8 strings, read back by h5py as an array of str).
using ListAttributes = std::map<std::string, std::vector<std::string>>;

/// A dataset to write: its name, its values (float32/float64/int64/int32, any rank) and attributes.
/// int16, int8 and uint8 are written too; any other dtype is refused. A name may contain '/'
/// (groups are created as needed).
struct NamedArray {
  std::string name;
  at::Tensor values;
  Attributes attributes = {};
  ListAttributes list_attributes = {};
};

/// numpy's name of a tensor dtype ("float32", "int64", "complex64"), the vocabulary of h5py users.
std::string dtype_name(at::ScalarType dtype);

/// Reads one dataset into a CPU tensor of the stored dtype (float32, float64, int32, int64).
/// Throws IoError naming `path` and `dataset` when the file or dataset is missing or unreadable.
at::Tensor read_array(const std::string& path, const std::string& dataset);

/// True when `path` holds a dataset called `dataset`. Throws IoError when the file is unreadable.
bool has_dataset(const std::string& path, const std::string& dataset);

/// Names of every dataset in the file (full paths without the leading '/', e.g. "particles"),
/// sorted. Throws IoError when the file is missing or unreadable.
std::vector<std::string> list_datasets(const std::string& path);

/// String attributes of the file's root group (or of `dataset` when given).
/// Every attribute is rendered as text: numbers in their shortest exact decimal form, lists
/// (arrays of strings or numbers) with their elements joined by ','.
Attributes read_attributes(const std::string& path, const std::string& dataset = "");

/// The attributes of the root group (or of `dataset`) whose value is a 1-D array, element by
/// element as text. Scalar attributes are not included.
ListAttributes read_list_attributes(const std::string& path, const std::string& dataset = "");

/// Writes the arrays (and the root attributes) to `path` atomically: a temporary file beside it,
/// then a rename, so a failed write never leaves a half-written file under `path`.
/// Datasets are chunked along the first axis (about 1 MiB per chunk), shuffled and
/// gzip-compressed; string attributes are variable-length UTF-8, which h5py reads as str.
/// Throws IoError naming `path` (and the dataset) when a name is empty or repeated, a dtype is
/// unsupported, an attribute key is both a string and a list, or the file cannot be written;
/// an existing file at `path` is then left untouched.
void write_arrays(const std::string& path, const std::vector<NamedArray>& arrays,
                  const Attributes& file_attributes = {},
                  const ListAttributes& file_list_attributes = {});

/// Reads jets: dataset `dataset` of shape [N, M, 3] (pT [GeV], η, φ), returned as float32.
/// Validates rank, last dimension, finiteness and non-negative pT, and that no jet is empty;
/// throws IoError naming the file, the dataset, the jet index and the problem.
at::Tensor read_jet_particles(const std::string& path, const std::string& dataset = "particles");

}  // namespace otae::data
