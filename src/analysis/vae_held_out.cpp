// Held-out rows of a VAE run and the physics quantities of their jets (vae_held_out.hpp).
#include "otae/analysis/vae_held_out.hpp"

#include <algorithm>
#include <filesystem>

#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/split.hpp"
#include "otae/data/toy_datasets.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::analysis {
namespace {

/// True when `a` and `b` name the same data: the same toy spec, or the same file.
bool same_source(const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (data::is_toy_spec(a) || data::is_toy_spec(b)) return false;
  std::error_code error;
  return std::filesystem::equivalent(a, b, error) && !error;
}

}  // namespace

VaeRunCheckpoints read_vae_run(const train::VaeRunFolder& folder) {
  VaeRunCheckpoints run;
  try {
    run.config = train::load_vae_config(folder.config_file());
  } catch (const IoError&) {
    throw IoError(folder.root() + " is not a VAE run folder (no readable config.yaml; train one with otae vae train)");
  }
  run.checkpoints = folder.step_checkpoints();
  if (run.checkpoints.empty())
    throw IoError(folder.root() + " holds no step checkpoints (checkpoints/<phase>/step_*.pt): no beta step finished yet");
  return run;
}

VaeHeldOut held_out_rows(const train::VaeConfig& run, const std::string& source, int64_t max_rows) {
  VaeHeldOut held_out;
  held_out.source = source.empty() ? run.data.source() : source;
  train::VaeDataOptions data_options = run.data;
  held_out.data = train::VaeData::load(data_options.source(held_out.source).max_rows(0));
  const int64_t size = held_out.data.size();
  if (same_source(held_out.source, run.data.source())) {
    const int64_t run_rows = run.data.max_rows() > 0 ? std::min(run.data.max_rows(), size) : size;
    held_out.rows = at::cat({data::split_rows(run_rows, run.split).test, at::arange(run_rows, size, at::kLong)});
  } else {
    held_out.rows = at::arange(size, at::kLong);
  }
  if (max_rows > 0 && held_out.rows.numel() > max_rows)
    held_out.rows = held_out.rows.narrow(0, 0, max_rows).contiguous();
  if (held_out.rows.numel() < 2)
    throw ConfigError(held_out.source + ": " + std::to_string(held_out.rows.numel()) +
                      " held-out rows, at least 2 needed (the run's data.split.test is " +
                      shortest_decimal(run.split.test()) + "; give --data with rows the run never saw)");
  return held_out;
}

std::vector<PhysicsQuantity> physics_quantities(const std::string& path, const std::string& dataset,
                                                const at::Tensor& rows) {
  const at::Tensor particles = data::read_jet_particles(path, dataset).index_select(0, rows).to(at::kDouble);
  const int64_t n = particles.size(0), m = particles.size(1);
  std::vector<double> pt(n), eta(n), phi(n), mass(n);
  const auto p = particles.accessor<double, 3>();
  for (int64_t i = 0; i < n; ++i) {
    physics::FourMomentum jet;
    for (int64_t j = 0; j < m; ++j)
      if (p[i][j][0] > 0) jet += physics::from_pt_eta_phi_m(p[i][j][0], p[i][j][1], p[i][j][2]);
    pt[i] = physics::pt(jet);
    eta[i] = physics::eta(jet);
    phi[i] = physics::phi(jet);
    mass[i] = physics::invariant_mass(jet);
  }
  const auto column = [](const std::vector<double>& values) { return at::tensor(values, at::kDouble); };
  std::vector<PhysicsQuantity> quantities = {{"pt_GeV", column(pt), false},
                                             {"eta", column(eta), false},
                                             {"phi", column(phi), true},
                                             {"mass_GeV", column(mass), false}};
  if (!data::has_dataset(path, "truth")) return quantities;
  const at::Tensor truth = data::read_array(path, "truth").index_select(0, rows).to(at::kDouble);
  const auto columns = data::read_list_attributes(path, "truth");
  const auto names = columns.find("columns");
  if (truth.dim() != 2 || names == columns.end() || static_cast<int64_t>(names->second.size()) != truth.size(1))
    throw IoError(path + ": dataset 'truth' " + std::string(c10::str(truth.sizes())) +
                  " needs an attribute 'columns' naming each of its columns");
  for (int64_t c = 0; c < truth.size(1); ++c) {
    const std::string& name = names->second[static_cast<size_t>(c)];
    const bool circular = name.find("phi") != std::string::npos || name.find("angle") != std::string::npos;
    quantities.push_back({name, truth.select(1, c).contiguous(), circular});
  }
  return quantities;
}

}  // namespace otae::analysis
