// otae.VaeRun and otae.OtusRun: trained runs from their folders, used from a notebook — encode
// jets into the latent space, decode latent points into jets, simulate and unfold events.
#include <pybind11/stl.h>

#include <memory>

#include "arrays.hpp"
#include "bindings.hpp"
#include "otae/analysis/otus_runs.hpp"
#include "otae/version.hpp"
#include "otae/base/error.hpp"
#include "otae/train/cpu_compute.hpp"
#include "otae/train/device.hpp"
#include "otae/train/otus_training.hpp"
#include "otae/train/vae_run.hpp"

namespace otae::python {

namespace {

/// A trained EMD-VAE (or toy VAE) at one checkpoint of its β scan.
class VaeRun {
 public:
  VaeRun(const std::string& run_dir, const std::string& step, int64_t threads, const std::string& device)
      : run_dir_(run_dir), trained_(std::make_shared<train::TrainedVae>()) {
    train::configure_cpu_compute(threads);
    *trained_ = train::load_trained_vae(run_dir, step, train::resolve_device(device, "device"));
  }

  py::dict encode(const std::string& source, const std::string& dataset, int64_t max_rows, int64_t batch_size) {
    train::VaeDataOptions options = trained_->config.data;
    options.source(source).max_rows(max_rows);
    if (!dataset.empty()) options.dataset(dataset);
    nn::LatentPosterior posterior;
    {
      py::gil_scoped_release release;
      const train::VaeData rows = train::VaeData::load(options);
      train::require_compatible(*trained_->model, rows, source);
      posterior = train::encode_rows(*trained_->model, rows, batch_size);
    }
    py::dict out;
    out["mu"] = to_numpy(posterior.gaussian.mean);
    out["log_variance"] = to_numpy(posterior.gaussian.log_variance);
    if (posterior.binary_log_alpha.defined()) out["binary_log_alpha"] = to_numpy(posterior.binary_log_alpha);
    if (posterior.circular_mean.defined()) {
      out["circular_mean"] = to_numpy(posterior.circular_mean);
      out["circular_concentration"] = to_numpy(posterior.circular_concentration);
    }
    return out;
  }

  py::dict decode(const py::handle& z, int64_t batch_size) {
    const at::Tensor latents = to_float_tensor(z, "z", {2});
    std::vector<data::NamedArray> arrays;
    {
      py::gil_scoped_release release;
      arrays = train::decode_latents(*trained_->model, latents, batch_size);
    }
    py::dict out;
    for (const data::NamedArray& array : arrays) out[array.name.c_str()] = to_numpy(array.values);
    return out;
  }

  int64_t latent_dim() const { return trained_->model->latent_dim(); }
  double beta_hat() const { return trained_->checkpoint.beta_hat; }
  int64_t step() const { return trained_->checkpoint.step; }
  const std::string& phase() const { return trained_->checkpoint.phase; }
  std::string config() const { return train::to_yaml(trained_->config); }
  std::string repr() const {
    return "otae.VaeRun('" + run_dir_ + "', step " + std::to_string(step()) + " (" + phase() +
           "), beta_hat=" + std::to_string(beta_hat()) + ", latent_dim=" + std::to_string(latent_dim()) + ")";
  }

 private:
  std::string run_dir_;
  std::shared_ptr<train::TrainedVae> trained_;
};

/// A trained OTUS model: the decoder simulates the detector, the encoder unfolds.
class OtusRun {
 public:
  OtusRun(const std::string& run_dir, int64_t threads, const std::string& device)
      : run_dir_(run_dir), device_(train::resolve_device(device, "device")), model_(std::make_shared<train::OtusModel>()) {
    train::configure_cpu_compute(threads);
    *model_ = train::load_otus_model(run_dir, train::OtusCheckpoint::kFinal, device_);
  }

  py::array simulate(const py::handle& z, uint64_t seed, int64_t batch_size) {
    return generate(model_->decoder, to_float_tensor(z, "z", {2}), seed, batch_size);
  }
  py::array unfold(const py::handle& x, uint64_t seed, int64_t batch_size) {
    return generate(model_->encoder, to_float_tensor(x, "x", {2}), seed, batch_size);
  }
  std::string run_json() const { return model_->run.to_json().dump(); }
  std::string repr() const { return "otae.OtusRun('" + run_dir_ + "')"; }

  std::string evaluate(const std::string& data, const std::string& x_data, const std::string& folder,
                       const std::string& checkpoint, const std::string& rows, int64_t slices, uint64_t seed) const {
    if (checkpoint != "final" && checkpoint != "best")
      throw InvalidArgument("OtusRun.evaluate: checkpoint must be 'final' or 'best', received '" + checkpoint + "'");
    if (rows != "auto" && rows != "test" && rows != "all")
      throw InvalidArgument("OtusRun.evaluate: rows must be 'auto', 'test' or 'all', received '" + rows + "'");
    const auto options =
        analysis::OtusRunEvaluationOptions()
            .x_data(x_data)
            .folder(folder)
            .checkpoint(checkpoint == "best" ? train::OtusCheckpoint::kBest : train::OtusCheckpoint::kFinal)
            .device(device_)
            .rows(rows == "test" ? analysis::HeldOutRows::kTest
                                 : rows == "all" ? analysis::HeldOutRows::kAll : analysis::HeldOutRows::kAuto)
            .evaluation(analysis::OtusEvaluationOptions().slices(slices).seed(seed))
            .provenance({{"otae_version", kVersion}, {"command_line", "otae.OtusRun.evaluate (Python)"}});
    py::gil_scoped_release release;
    return analysis::to_json(analysis::evaluate_otus_run(run_dir_, data, options)).dump();
  }

 private:
  static py::array generate(nn::OtusGenerator& generator, const at::Tensor& events, uint64_t seed, int64_t batch_size) {
    at::Tensor out;
    {
      py::gil_scoped_release release;
      out = train::generate_events(generator, events, seed, batch_size);
    }
    return to_numpy(out);
  }

  std::string run_dir_;
  at::Device device_;
  std::shared_ptr<train::OtusModel> model_;
};

}  // namespace

void bind_models(py::module_& m) {
  using namespace pybind11::literals;
  py::class_<VaeRun>(m, "VaeRun",
                     "A trained EMD-VAE run (`otae vae train`) at one checkpoint of its beta scan.")
      .def(py::init<const std::string&, const std::string&, int64_t, const std::string&>(), "run_dir"_a,
           "step"_a = "last", py::kw_only(), "threads"_a = 0, "device"_a = "cpu",
           "Loads the run folder's model at `step`: 'last' or a production beta_hat such as '1e-3'. "
           "threads=0 uses every core; device 'cpu', 'cuda' or 'cuda:N' is where the model runs (arrays "
           "stay NumPy).")
      .def("encode", &VaeRun::encode, "source"_a, py::kw_only(), "dataset"_a = "", "max_rows"_a = 0,
           "batch_size"_a = 1000,
           "Posterior of every row of an HDF5 file of jets (prepared as in training: pT/HT, centring) or a "
           "toy spec: dict mu, log_variance [N, L] float32; with binary latents binary_log_alpha [N, K], with "
           "circular ones circular_mean [N, C] (rad) and circular_concentration [N, C].")
      .def("decode", &VaeRun::decode, "z"_a, py::kw_only(), "batch_size"_a = 1000,
           "Decodes latent points z [N, L + K + 2C] (Gaussian, binary, cos and sin of each circular angle): dict particles [N, M, 3] (pT/HT, eta, phi) for jets, or x [N, d] "
           "for toy vectors.")
      .def_property_readonly("latent_dim", &VaeRun::latent_dim)
      .def_property_readonly("beta_hat", &VaeRun::beta_hat, "beta_hat [HT dR] of the loaded checkpoint")
      .def_property_readonly("step", &VaeRun::step, "the beta step the loaded checkpoint ends")
      .def_property_readonly("phase", &VaeRun::phase)
      .def_property_readonly("config", &VaeRun::config, "the run's configuration as YAML")
      .def("__repr__", &VaeRun::repr);
  py::class_<OtusRun>(m, "OtusRun", "A trained OTUS run (`otae otus train`): detector simulation and unfolding.")
      .def(py::init<const std::string&, int64_t, const std::string&>(), "run_dir"_a, py::kw_only(), "threads"_a = 0,
           "device"_a = "cpu",
           "Loads the run folder's final models; device 'cpu', 'cuda' or 'cuda:N' is where the generators run "
           "(arrays stay NumPy).")
      .def("simulate", &OtusRun::simulate, "z"_a, py::kw_only(), "seed"_a = 0, "batch_size"_a = 65536,
           "Parton-level events z [N, 4k_z] (px, py, pz, E per object, GeV) -> detector-level x [N, 4k_x], "
           "one stochastic draw seeded by `seed`.")
      .def("unfold", &OtusRun::unfold, "x"_a, py::kw_only(), "seed"_a = 0, "batch_size"_a = 65536,
           "Detector-level events x [N, 4k_x] -> parton-level z [N, 4k_z] (GeV), one draw seeded by `seed`.")
      .def("evaluate", &OtusRun::evaluate, "data"_a, py::kw_only(), "x_data"_a = "", "folder"_a = "",
           "checkpoint"_a = "final", "rows"_a = "auto", "slices"_a = 1000, "seed"_a = 0,
           "As `otae otus evaluate`: the held-out events of the HDF5 file `data` (its test split when it is the "
           "training file, rows='auto'; 'test' or 'all'), or z of `data` against x of `x_data` (unpaired), against "
           "the floor and the identity; writes metrics.json and samples.h5 into `folder` (default RUN/evaluation) "
           "and returns metrics.json as JSON text (SW in GeV^2 and standardised, W1/KS/chi2 per observable, "
           "verdicts).")
      .def_property_readonly("run", &OtusRun::run_json, "run.json of the folder, as JSON text")
      .def("__repr__", &OtusRun::repr);
}

}  // namespace otae::python
