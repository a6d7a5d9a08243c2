// `import otae`: the library for notebooks. Arrays go in and come out as NumPy arrays (no torch
// needed on the Python side); otae's errors arrive as Python exceptions that keep their message
// (file, dataset, row): IoError is an OSError, InvalidArgument and ConfigError are ValueErrors,
// NumericalError is an ArithmeticError, and all four are otae.Error.
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "otae/base/error.hpp"
#include "otae/version.hpp"

namespace py = pybind11;

namespace {

/// otae.<name>: raised for CppError, a subclass of otae.Error and of the Python exception
/// `builtin`. pybind11 tries translators latest first, so subclasses are registered after otae.Error.
template <typename CppError>
void register_error(py::module_& m, const char* name, const py::handle& otae_error, PyObject* builtin) {
  py::register_exception<CppError>(m, name, py::make_tuple(otae_error, py::handle(builtin)));
}

}  // namespace

PYBIND11_MODULE(otae, m) {
  m.doc() = "otae: optimal-transport autoencoders for collider data (EMD-VAE, OTUS).";
  m.attr("__version__") = otae::kVersion;

  const py::handle otae_error = py::register_exception<otae::Error>(m, "Error", PyExc_RuntimeError);
  register_error<otae::IoError>(m, "IoError", otae_error, PyExc_OSError);
  register_error<otae::InvalidArgument>(m, "InvalidArgument", otae_error, PyExc_ValueError);
  register_error<otae::ConfigError>(m, "ConfigError", otae_error, PyExc_ValueError);
  register_error<otae::NumericalError>(m, "NumericalError", otae_error, PyExc_ArithmeticError);

  otae::python::bind_distances(m);
  otae::python::bind_data(m);
  otae::python::bind_analysis(m);
  otae::python::bind_models(m);
}
