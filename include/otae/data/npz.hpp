// NumPy's .npy arrays and .npz archives (a zip of .npy files, stored or deflated), as written by
// numpy.save, numpy.savez and numpy.savez_compressed; EnergyFlow publishes its datasets so.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

namespace otae::data {

/// Names of the arrays in an .npz archive (entry names without ".npy"), in archive order.
/// Throws IoError naming the file when it is missing or not a zip archive.
std::vector<std::string> list_npz_arrays(const std::string& path);

/// Array `name` of an .npz archive as a CPU tensor of its dtype (float32, float64, int64, int32,
/// int16, int8, uint8, bool; little- or big-endian, C or Fortran order).
/// Throws IoError naming the file, the array and the problem (missing array, unsupported
/// compression or dtype, corrupt data).
at::Tensor read_npz_array(const std::string& path, const std::string& name);

/// The array of an .npy file, as read_npz_array.
at::Tensor read_npy(const std::string& path);

/// Writes the arrays (name, CPU tensor of a dtype read_npz_array reads) to `path` as
/// numpy.savez_compressed does: one deflated entry "<name>.npy" each (.npy format 1.0, whose
/// 64 KiB header holds any shape; little-endian, C order), so that numpy.load(path)[name] returns
/// them. The file is written atomically (base/files.hpp). Throws IoError naming the file (and
/// the array) for an empty or repeated name, an unsupported dtype, or a file that cannot be
/// written; an existing file at `path` is then left untouched.
void write_npz(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& arrays);

}  // namespace otae::data
