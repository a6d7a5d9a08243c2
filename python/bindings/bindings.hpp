// The parts of the `otae` Python module, one per library layer; module.cpp calls them in order.
#pragma once

#include <pybind11/pybind11.h>

namespace otae::python {

void bind_distances(pybind11::module_& m);  // otae::ot: EMDs, sliced Wasserstein, 1-D tests
void bind_data(pybind11::module_& m);       // otae::data: jets from files
void bind_analysis(pybind11::module_& m);   // otae::analysis: dimensions, latent read-out, generative metrics
void bind_models(pybind11::module_& m);     // otae::train: trained EMD-VAE and OTUS runs

}  // namespace otae::python
