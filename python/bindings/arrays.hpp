// NumPy arrays in and out of the library's tensors. Inputs are copied (any real dtype is cast,
// any layout made C-contiguous), so the library never holds memory that Python may free; outputs
// are copied into new arrays that own their data.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

namespace otae::python {

namespace py = pybind11;

/// A float64 tensor holding a copy of `array` (any real dtype). Throws InvalidArgument naming
/// `name` when the array is not real-valued or its rank is not one of `ranks` (empty: any).
at::Tensor to_double_tensor(const py::handle& array, const std::string& name, const std::vector<int64_t>& ranks = {});

/// As to_double_tensor, in float32: what the networks read.
at::Tensor to_float_tensor(const py::handle& array, const std::string& name, const std::vector<int64_t>& ranks = {});

/// A new NumPy array with a copy of `tensor` (float32, float64 or int64; any device and layout).
py::array to_numpy(const at::Tensor& tensor);

/// A 1-D NumPy array with a copy of `values`.
template <typename T>
py::array_t<T> to_numpy(const std::vector<T>& values) {
  py::array_t<T> out(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

}  // namespace otae::python
