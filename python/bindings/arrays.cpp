#include "arrays.hpp"

#include <cstring>

#include "otae/base/error.hpp"

namespace otae::python {

namespace {

at::Tensor copied_tensor(const py::handle& object, const std::string& name, const std::vector<int64_t>& ranks) {
  const py::array raw = py::array::ensure(object);
  if (!raw) throw InvalidArgument(name + ": expected an array of numbers, got " + std::string(py::str(py::type::of(object))));
  const char kind = raw.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b')
    throw InvalidArgument(name + ": expected real numbers, got an array of dtype " + std::string(py::str(raw.dtype())));
  const auto as_double = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(raw);
  const int64_t rank = as_double.ndim();
  if (!ranks.empty() && std::find(ranks.begin(), ranks.end(), rank) == ranks.end()) {
    std::string expected;
    for (int64_t r : ranks) expected += (expected.empty() ? "" : " or ") + std::to_string(r);
    throw InvalidArgument(name + ": expected a " + expected + "-dimensional array, got " + std::to_string(rank) +
                          " dimensions");
  }
  std::vector<int64_t> shape(as_double.shape(), as_double.shape() + rank);
  at::Tensor tensor = at::empty(shape, at::kDouble);
  if (tensor.numel() > 0) std::memcpy(tensor.data_ptr<double>(), as_double.data(), tensor.numel() * sizeof(double));
  return tensor;
}

}  // namespace

at::Tensor to_double_tensor(const py::handle& array, const std::string& name, const std::vector<int64_t>& ranks) {
  return copied_tensor(array, name, ranks);
}

at::Tensor to_float_tensor(const py::handle& array, const std::string& name, const std::vector<int64_t>& ranks) {
  return copied_tensor(array, name, ranks).to(at::kFloat);
}

py::array to_numpy(const at::Tensor& tensor) {
  const at::Tensor host = tensor.detach().to(at::kCPU).contiguous();
  std::vector<py::ssize_t> shape(host.sizes().begin(), host.sizes().end());
  switch (host.scalar_type()) {
    case at::kFloat: {
      py::array_t<float> out(shape);
      std::memcpy(out.mutable_data(), host.data_ptr<float>(), host.numel() * sizeof(float));
      return out;
    }
    case at::kDouble: {
      py::array_t<double> out(shape);
      std::memcpy(out.mutable_data(), host.data_ptr<double>(), host.numel() * sizeof(double));
      return out;
    }
    case at::kLong: {
      py::array_t<int64_t> out(shape);
      std::memcpy(out.mutable_data(), host.data_ptr<int64_t>(), host.numel() * sizeof(int64_t));
      return out;
    }
    default:
      return to_numpy(host.to(at::kDouble));
  }
}

}  // namespace otae::python
