// The model side of `otae explore` on an OTUS run (otus_explorer.hpp).
#include "otae/analysis/otus_explorer.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "otae/analysis/otus_observables.hpp"
#include "otae/base/error.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/layouts.hpp"
#include "otae/data/split.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::analysis {
namespace {

/// The observables of `events` [N, 4k] as [N, O] float64.
at::Tensor observable_table(const std::vector<EventObservable>& observables, const at::Tensor& events) {
  std::vector<at::Tensor> columns;
  for (const EventObservable& o : observables) columns.push_back(o.compute(events.to(at::kFloat)).to(at::kDouble));
  return at::stack(columns, 1);
}

}  // namespace

OtusExplorer::OtusExplorer(const std::string& run_folder, const OtusExplorerOptions& options)
    : options_(options), model_(train::load_otus_model(run_folder, options.checkpoint())) {
  const std::string data = model_.run.data;
  paired_ = model_.run.x_data.empty();
  z_objects_ = data::event_object_names(data, "z");
  x_objects_ = data::event_object_names(paired_ ? data : model_.run.x_data, "x");
  if (paired_) {
    const data::EventPairs events = data::load_event_pairs(data);
    rows_ = data::split_rows(events.size(), model_.config.split).test;
    if (rows_.numel() == 0) rows_ = at::arange(events.size(), at::kLong);
    z_ = events.z().index_select(0, rows_).to(at::kDouble);
    x_ = events.x().index_select(0, rows_).to(at::kDouble);
  } else {
    z_ = data::read_array(data, "z").to(at::kDouble);
    rows_ = at::arange(z_.size(0), at::kLong);
  }
  z_scale_ = z_.size(0) > 1 ? z_.std(0).clamp_min(1e-6) : at::ones({z_.size(1)}, at::kDouble);
}

int64_t OtusExplorer::file_row(int64_t index) const {
  check_index(index);
  return rows_[index].item<int64_t>();
}

void OtusExplorer::check_index(int64_t index) const {
  if (index < 0 || index >= rows_.numel())
    throw InvalidArgument("event " + std::to_string(index) + " is not one of the " + std::to_string(rows_.numel()) +
                          " held-out events (0 to " + std::to_string(rows_.numel() - 1) + ")");
}

std::vector<ObjectKinematics> OtusExplorer::event(int64_t index) const {
  check_index(index);
  std::vector<ObjectKinematics> objects;
  const at::Tensor z = z_[index];
  for (size_t i = 0; i < z_objects_.size(); ++i) {
    const int64_t c = 4 * static_cast<int64_t>(i);
    const physics::FourMomentum p{z[c].item<double>(), z[c + 1].item<double>(), z[c + 2].item<double>(),
                                  z[c + 3].item<double>()};
    objects.push_back({z_objects_[i], p.e, physics::eta(p), physics::phi(p), physics::invariant_mass(p)});
  }
  return objects;
}

at::Tensor OtusExplorer::parton_row(const std::vector<ObjectKinematics>& objects) const {
  if (objects.size() != z_objects_.size())
    throw InvalidArgument("a parton event of this run has " + std::to_string(z_objects_.size()) +
                          " objects, received " + std::to_string(objects.size()));
  std::vector<double> row;
  for (size_t i = 0; i < objects.size(); ++i) {
    const ObjectKinematics& o = objects[i];
    if (!std::isfinite(o.energy) || !std::isfinite(o.eta) || !std::isfinite(o.phi) || !std::isfinite(o.mass) ||
        o.mass < 0 || o.energy < o.mass)
      throw InvalidArgument("object " + std::to_string(i) + " (" + z_objects_[i] + "): E = " + std::to_string(o.energy) +
                            " GeV, eta = " + std::to_string(o.eta) + ", phi = " + std::to_string(o.phi) +
                            ", m = " + std::to_string(o.mass) + " GeV: each must be finite and E >= m >= 0");
    const double pt = std::sqrt(o.energy * o.energy - o.mass * o.mass) / std::cosh(o.eta);
    const physics::FourMomentum p = physics::from_pt_eta_phi_m(pt, o.eta, o.phi, o.mass);
    row.insert(row.end(), {p.px, p.py, p.pz, p.e});
  }
  return at::tensor(row, at::kDouble);
}

OtusResponse OtusExplorer::simulate(const std::vector<ObjectKinematics>& objects, int64_t samples, uint64_t seed,
                                    int64_t index) {
  if (samples < 1 || samples > 100000)
    throw InvalidArgument("samples must lie in [1, 100000], received " + std::to_string(samples));
  if (index >= 0) check_index(index);
  OtusResponse response;
  response.parton = parton_row(objects);
  const std::vector<EventObservable> observables = event_observables(x_objects_);
  for (const EventObservable& o : observables) response.observables.push_back(o.name);
  const at::Tensor simulated = train::generate_events(
      model_.decoder, response.parton.to(at::kFloat).unsqueeze(0).expand({samples, response.parton.numel()}).contiguous(),
      seed);
  response.simulated = observable_table(observables, simulated);
  if (!paired_) return response;
  if (index >= 0) response.truth = observable_table(observables, x_[index].unsqueeze(0))[0];
  const int64_t k = std::min<int64_t>(options_.neighbours(), z_.size(0));
  const at::Tensor distance = ((z_ - response.parton) / z_scale_).pow(2).sum(1);
  const at::Tensor nearest = std::get<1>(distance.topk(k, 0, /*largest=*/false));
  // Where parton and detector events hold the same objects, each neighbour's response x − z is
  // carried to this event (x − z + z_event), so that the histogram spreads by the detector alone
  // and not by the neighbours' own parton kinematics as well.
  const at::Tensor near_x = x_.index_select(0, nearest);
  response.neighbours = observable_table(
      observables, z_objects_ == x_objects_ ? near_x - z_.index_select(0, nearest) + response.parton : near_x);
  return response;
}

}  // namespace otae::analysis
