// otae.read_jets, otae.jets_from_hepmc, otae.events_from_lhe: generator output as NumPy arrays.
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "bindings.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/jet_pipeline.hpp"
#include "otae/data/lhe.hpp"

namespace otae::python {

namespace {

py::dict counts_dict(const data::JetPipelineCounts& c) {
  py::dict out;
  out["events"] = c.events;
  out["kept"] = c.kept;
  out["no_jet"] = c.no_jet;
  out["failed_pt"] = c.failed_pt;
  out["failed_eta"] = c.failed_eta;
  out["failed_mass"] = c.failed_mass;
  return out;
}

py::dict jets_from_hepmc(const std::string& path, const std::string& preset, int64_t max_events,
                         double abs_eta_max) {
  const data::JetPipelineOptions options = data::JetPipelineOptions::preset(preset);
  data::HepMCJets result;
  {
    py::gil_scoped_release release;
    result = data::jets_from_hepmc(path, data::VisibleParticleOptions().abs_eta_max(abs_eta_max), options, max_events);
  }
  py::dict out;
  out["particles"] = to_numpy(result.jets.particles);
  out["jet"] = to_numpy(result.jets.jet);
  out["counts"] = counts_dict(result.counts);
  out["format"] = data::to_string(result.format);
  out["generator"] = result.generator;
  out["cuts"] = options.description();
  return out;
}

py::dict events_from_lhe(const std::string& path, const std::vector<int>& pdg_ids, bool intermediate) {
  data::EventTable table;
  {
    py::gil_scoped_release release;
    table = data::read_lhe_objects(path, pdg_ids, data::LheSelection().intermediate(intermediate));
  }
  py::dict out;
  out["events"] = to_numpy(table.events);
  out["weights"] = to_numpy(table.weights);
  out["objects"] = table.objects;
  out["events_read"] = table.events_read;
  out["events_skipped"] = table.events_skipped;
  return out;
}

}  // namespace

void bind_data(py::module_& m) {
  using namespace pybind11::literals;
  m.def(
      "read_jets", [](const std::string& path, const std::string& dataset) {
        return to_numpy(data::read_jet_particles(path, dataset));
      },
      "path"_a, "dataset"_a = "particles",
      "Jets [N, M, 3] float32 (pT [GeV], eta, phi) from an HDF5 file, checked: rank, finite values, pT >= 0, "
      "no empty jet. Raises otae.IoError naming the file, dataset and jet.");
  m.def("jets_from_hepmc", &jets_from_hepmc, "path"_a, py::kw_only(), "preset"_a = "collins-w",
        "max_events"_a = -1, "abs_eta_max"_a = 4.9,
        R"(Jets from a HepMC3 (or HepMC2) ASCII file through the FastJet pipeline: visible final-state
particles (no neutrinos, |eta| < abs_eta_max), leading anti-kt jet, the preset's cuts ('collins-w':
500 < pT < 600 GeV, |eta| < 2, 75 < m < 110 GeV; 'none'), subjets of R = 0.07, the 50 hardest.
Returns a dict: particles [N, 50, 3], jet [N, 5] (pT, eta, phi, m, subjets), counts (what became of
the events), format, generator, cuts.)");
  m.def("events_from_lhe", &events_from_lhe, "path"_a, "pdg_ids"_a, py::kw_only(), "intermediate"_a = false,
        "Parton-level events from an LHE file: for each event the outgoing particles with the PDG ids "
        "given (with intermediate=True also the intermediate resonances, status 2, such as the tops of a "
        "ttbar file), hardest first among equal ids. Returns a dict: events [N, 4k] (px, py, pz, E per "
        "object, GeV), weights [N] (XWGTUP of each kept event, as the file states it), objects, "
        "events_read, events_skipped.");
}

}  // namespace otae::python
