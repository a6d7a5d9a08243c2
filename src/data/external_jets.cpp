#include "otae/data/external_jets.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "otae/base/error.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/npz.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::data {
namespace {

// Where each declared feature sits: name → column.
using FeatureIndex = std::map<std::string, int64_t>;

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ",") + name;
  return text;
}

FeatureIndex index_features(const std::vector<std::string>& columns, const std::vector<std::string>& known,
                            const std::string& what) {
  FeatureIndex index;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (std::find(known.begin(), known.end(), columns[i]) == known.end())
      throw ConfigError("unknown " + what + " feature '" + columns[i] + "'; known: " + join(known));
    const bool ignored = columns[i] == "-" || columns[i] == "type";
    if (!ignored && !index.emplace(columns[i], static_cast<int64_t>(i)).second)
      throw ConfigError(what + " feature '" + columns[i] + "' is declared twice in " + join(columns));
  }
  return index;
}

// The one of `names` that is declared; ConfigError when none or several are.
std::string exactly_one(const FeatureIndex& index, const std::vector<std::string>& names) {
  std::vector<std::string> declared;
  for (const std::string& name : names)
    if (index.count(name)) declared.push_back(name);
  if (declared.size() != 1)
    throw ConfigError("declare exactly one particle feature of " + join(names) + ", received " +
                      (declared.empty() ? "none" : join(declared)));
  return declared.front();
}

// Masses [GeV] of the particles EnergyFlow's datasets contain, by |PDG id|.
double pdg_mass(int64_t pdg_id, const std::string& source) {
  static const std::map<int64_t, double> kMasses = {
      {0, 0.0},         {22, 0.0},        {11, 0.000511}, {13, 0.105658}, {211, 0.139570}, {321, 0.493677},
      {130, 0.497611},  {310, 0.497611},  {2212, 0.938272}, {2112, 0.939565}, {3122, 1.115683},
      {3112, 1.197449}, {3222, 1.189370}, {3312, 1.32171}, {3322, 1.31486}, {3334, 1.67245}};
  const auto found = kMasses.find(std::abs(pdg_id));
  if (found == kMasses.end())
    throw IoError(source + ": PDG id " + std::to_string(pdg_id) + " has no known mass; declare a mass feature");
  return found->second;
}

at::Tensor masses_from_pdg_ids(const at::Tensor& pdg_ids, const std::string& source) {
  const at::Tensor ids = pdg_ids.round().to(at::kLong).contiguous();
  at::Tensor masses = at::empty(ids.sizes(), at::kDouble);
  const int64_t* id = ids.data_ptr<int64_t>();
  double* mass = masses.data_ptr<double>();
  for (int64_t i = 0; i < ids.numel(); ++i) mass[i] = pdg_mass(id[i], source);
  return masses;
}

// A jet-level column [N] broadcast against particles [N, M].
std::optional<at::Tensor> jet_column(const at::Tensor& jets, const FeatureIndex& index, const std::string& name) {
  if (!index.count(name)) return std::nullopt;
  return jets.select(1, index.at(name)).unsqueeze(1);
}

struct Particles {
  at::Tensor pt, eta, phi, mass, real;  // each [N, M], float64; real is bool
  bool relative_phi = false;            // φ given relative to a jet axis
};

Particles absolute_particles(const at::Tensor& f, const FeatureIndex& p, const at::Tensor& jets,
                             const FeatureIndex& j, const std::string& source) {
  const auto column = [&](const std::string& name) { return f.select(2, p.at(name)); };
  const auto required_jet = [&](const std::string& name, const std::string& because) {
    const std::optional<at::Tensor> value = jet_column(jets, j, name);
    if (!value) throw ConfigError("the particle feature '" + because + "' needs the jet feature '" + name + "' declared");
    return *value;
  };
  Particles out;
  const std::string pt_name = exactly_one(p, {"pt", "ptrel"});
  out.pt = pt_name == "pt" ? column("pt") : column("ptrel") * required_jet("pt", "ptrel");
  out.mass = p.count("mass") ? column("mass") : p.count("pid") ? masses_from_pdg_ids(column("pid"), source)
                                                               : at::zeros_like(out.pt);
  const std::string eta_name = exactly_one(p, {"eta", "etarel", "y"});
  if (eta_name == "y") {
    if (!p.count("mass") && !p.count("pid")) throw ConfigError("the particle feature 'y' needs 'pid' or 'mass' declared");
    const at::Tensor pz = at::sqrt(out.pt * out.pt + out.mass * out.mass) * at::sinh(column("y"));
    out.eta = at::asinh(pz / out.pt.clamp_min(1e-300));
  } else {
    out.eta = eta_name == "eta" ? column("eta") : column("etarel") + required_jet("eta", "etarel");
  }
  const std::string phi_name = exactly_one(p, {"phi", "phirel"});
  const at::Tensor jet_phi = jet_column(jets, j, "phi").value_or(at::zeros({f.size(0), 1}, at::kDouble));
  out.relative_phi = phi_name == "phirel";
  const at::Tensor phi = out.relative_phi ? column("phirel") + jet_phi : column("phi");
  out.phi = physics::wrap_phi(phi);
  out.real = out.pt > 0;
  if (p.count("mask")) out.real = out.real & (column("mask") != 0);
  return out;
}

// pT-sorted (pT, η, φ) rows, padding zeroed.
at::Tensor particle_rows(const Particles& particles) {
  const at::Tensor rows = at::stack({particles.pt, particles.eta, particles.phi}, 2) * particles.real.unsqueeze(2);
  const at::Tensor order = std::get<1>(rows.select(2, 0).sort(1, /*descending=*/true));
  return rows.gather(1, order.unsqueeze(2).expand_as(rows));
}

// (pT, η, φ, m) of the summed four-momenta of the real particles.
at::Tensor summed_jets(const Particles& p) {
  const at::Tensor pt = p.pt * p.real;
  const at::Tensor px = (pt * at::cos(p.phi)).sum(1), py = (pt * at::sin(p.phi)).sum(1);
  const at::Tensor pz = (pt * at::sinh(p.eta)).sum(1);
  const at::Tensor e = (at::sqrt(at::square(pt * at::cosh(p.eta)) + at::square(p.mass)) * p.real).sum(1);
  const at::Tensor jet_pt = at::hypot(px, py);
  const at::Tensor m2 = e * e - px * px - py * py - pz * pz;
  return at::stack({jet_pt, at::asinh(pz / jet_pt.clamp_min(1e-300)), at::atan2(py, px), at::sqrt(m2.clamp_min(0))}, 1);
}

at::Tensor jet_rows(const Particles& particles, const at::Tensor& jets, const FeatureIndex& j) {
  at::Tensor summed = summed_jets(particles);
  const std::vector<std::string> names = {"pt", "eta", "phi", "mass"};
  std::vector<at::Tensor> columns;
  // Relative φ without a declared jet φ placed the jet axis at φ = 0.
  if (particles.relative_phi && !j.count("phi")) summed.select(1, 2).zero_();
  for (std::size_t k = 0; k < names.size(); ++k)
    columns.push_back(j.count(names[k]) ? jets.select(1, j.at(names[k])) : summed.select(1, static_cast<int64_t>(k)));
  columns.push_back(j.count("num_particles") ? jets.select(1, j.at("num_particles"))
                                             : particles.real.sum(1).to(at::kDouble));
  return at::stack(columns, 1);
}

void check_width(const at::Tensor& values, int64_t rank, std::size_t declared, const std::string& source,
                 const std::string& what) {
  if (values.dim() != rank || values.size(rank - 1) != static_cast<int64_t>(declared))
    throw IoError(source + ": " + what + " have shape " + c10::str(values.sizes()) + ", but " +
                  std::to_string(declared) + " features per " + (rank == 3 ? "particle" : "jet") + " are declared");
}

}  // namespace

JetTable jets_from_features(const at::Tensor& particle_features, const std::vector<std::string>& particle_columns,
                            const at::Tensor& jet_features, const std::vector<std::string>& jet_columns,
                            const std::string& source) {
  const FeatureIndex p = index_features(particle_columns, kParticleFeatureNames, "particle");
  const FeatureIndex j = index_features(jet_columns, kJetFeatureNames, "jet");
  check_width(particle_features, 3, particle_columns.size(), source, "the particle features");
  const at::Tensor f = particle_features.to(at::kDouble);
  at::Tensor jets = at::zeros({f.size(0), 0}, at::kDouble);
  if (!jet_columns.empty()) {
    check_width(jet_features, 2, jet_columns.size(), source, "the jet features");
    if (jet_features.size(0) != f.size(0))
      throw IoError(source + ": " + std::to_string(jet_features.size(0)) + " jets but " + std::to_string(f.size(0)) +
                    " rows of particles");
    jets = jet_features.to(at::kDouble);
  }
  const Particles particles = absolute_particles(f, p, jets, j, source);
  return {particle_rows(particles).to(at::kFloat), jet_rows(particles, jets, j).to(at::kFloat)};
}

JetTable read_energyflow_npz(const std::string& path, const std::vector<std::string>& particle_columns,
                             const std::string& array) {
  return jets_from_features(read_npz_array(path, array), particle_columns, {}, {},
                            path + ": array '" + array + "'");
}

JetTable read_jetnet_hdf5(const std::string& path, const std::vector<std::string>& particle_columns,
                          const std::vector<std::string>& jet_columns) {
  return jets_from_features(read_array(path, "particle_features"), particle_columns, read_array(path, "jet_features"),
                            jet_columns, path + ": datasets 'particle_features', 'jet_features'");
}

JetTable read_jet_table(const std::string& path) {
  const at::Tensor particles = read_jet_particles(path);
  if (!has_dataset(path, "jet"))
    return jets_from_features(particles, {"pt", "eta", "phi"}, {}, {}, path + ": dataset 'particles'");
  const at::Tensor jet = read_array(path, "jet");
  if (jet.dim() != 2 || jet.size(1) != 5 || jet.size(0) != particles.size(0))
    throw IoError(path + ": dataset 'jet' has shape " + c10::str(jet.sizes()) + ", expected [" +
                  std::to_string(particles.size(0)) + ", 5] (pT [GeV], eta, phi, mass [GeV], n_subjets), one row per "
                  "jet of 'particles'");
  return {particles, jet.to(at::kFloat)};
}

void write_energyflow_npz(const std::string& path, const JetTable& jets, const at::Tensor& labels) {
  require_jet_table(jets, "write_energyflow_npz: " + path);
  const int64_t n = jets.jet.size(0);
  if (labels.defined() && (labels.dim() != 1 || labels.size(0) != n))
    throw InvalidArgument("write_energyflow_npz: " + path + ": labels must be [" + std::to_string(n) +
                          "], one per jet, received " + c10::str(labels.sizes()));
  const at::Tensor p = jets.particles.to(at::kDouble);
  const at::Tensor jet_phi = jets.jet.select(1, 2).to(at::kDouble).unsqueeze(1);
  const at::Tensor phi = jet_phi + physics::wrap_phi(p.select(2, 2) - jet_phi);
  const at::Tensor real = (p.select(2, 0) > 0).unsqueeze(2);
  std::vector<std::pair<std::string, at::Tensor>> arrays{
      {"X", at::stack({p.select(2, 0), p.select(2, 1), phi}, 2) * real}};
  if (labels.defined()) arrays.emplace_back("y", labels);
  write_npz(path, arrays);
}

void write_jetnet_hdf5(const std::string& path, const JetTable& jets, const Attributes& attributes) {
  require_jet_table(jets, "write_jetnet_hdf5: " + path);
  const at::Tensor p = jets.particles.to(at::kDouble), j = jets.jet.to(at::kDouble);
  const at::Tensor jet_pt = j.select(1, 0);
  const at::Tensor bad = (~(jet_pt > 0)).nonzero();
  if (bad.size(0) > 0) {
    const int64_t row = bad[0][0].item<int64_t>();
    throw InvalidArgument("write_jetnet_hdf5: " + path + ": jet " + std::to_string(row) + " has pT " +
                          c10::str(jet_pt[row].item<double>()) + "; pT / pT_J needs pT_J > 0");
  }
  const at::Tensor real = (p.select(2, 0) > 0).to(at::kDouble);
  const auto of_jet = [&](int64_t column) { return j.select(1, column).unsqueeze(1); };
  const at::Tensor particle_features =
      at::stack({(p.select(2, 1) - of_jet(1)) * real, physics::wrap_phi(p.select(2, 2) - of_jet(2)) * real,
                 p.select(2, 0) / of_jet(0) * real, real},
                2);
  const at::Tensor jet_features = at::stack({jet_pt, j.select(1, 1), j.select(1, 3), j.select(1, 4)}, 1);
  write_arrays(path,
               {{"particle_features", particle_features.to(at::kFloat), {}, {{"columns", kJetNetParticleFeatures}}},
                {"jet_features", jet_features.to(at::kFloat), {}, {{"columns", kJetNetJetFeatures}}}},
               attributes);
}

}  // namespace otae::data
