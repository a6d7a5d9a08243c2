// Observables of OTUS events; see otus_observables.hpp.
#include "otae/analysis/otus_observables.hpp"

#include <algorithm>
#include <sstream>

#include "otae/base/error.hpp"

namespace otae::analysis {

namespace {

constexpr double kWMassGeV = 80.4;
constexpr double kTopMassGeV = 172.5;
const char* const kComponents[] = {"px", "py", "pz", "E"};

at::Tensor as_objects(const at::Tensor& events) {
  if (events.dim() != 2 || events.size(1) == 0 || events.size(1) % 4 != 0) {
    std::ostringstream msg;
    msg << "event observables: events must be [N, 4k] (px, py, pz, E per object), received " << events.sizes();
    throw InvalidArgument(msg.str());
  }
  return events.to(at::kDouble).view({events.size(0), events.size(1) / 4, 4});
}

at::Tensor mass_of(const at::Tensor& four_momenta /*[N, 4]*/) {
  const at::Tensor p2 = four_momenta.narrow(1, 0, 3).pow(2).sum(1);
  return (four_momenta.select(1, 3).pow(2) - p2).clamp_min(0).sqrt();
}

int64_t index_of(const std::vector<std::string>& objects, const std::string& name) {
  return std::find(objects.begin(), objects.end(), name) - objects.begin();
}

bool has_all(const std::vector<std::string>& objects, const std::vector<std::string>& names) {
  for (const auto& n : names)
    if (index_of(objects, n) == static_cast<int64_t>(objects.size())) return false;
  return true;
}

EventObservable mass_observable(const std::string& name, std::vector<int64_t> objects) {
  return {name, "GeV", [objects](const at::Tensor& events) { return invariant_mass(events, objects); }};
}

/// The detector-level tt̄ reconstruction: which jets form the hadronic W and top, the leftover
/// jet goes with the electron and the missing momentum. Returns [N, 4] four-momenta of
/// (W_had, t_had, W_lep, t_lep) per event.
std::vector<at::Tensor> reconstruct_ttbar(const at::Tensor& events, int64_t electron, int64_t met,
                                          const std::vector<int64_t>& jets) {
  const at::Tensor objects = as_objects(events);
  const at::Tensor j = objects.index_select(1, at::tensor(jets, at::kLong));  // [N, 4, 4]
  const int64_t pairs[6][2] = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};
  const int64_t leftover[6][2] = {{2, 3}, {1, 3}, {1, 2}, {0, 3}, {0, 2}, {0, 1}};
  std::vector<at::Tensor> pair_sums;
  for (const auto& p : pairs) pair_sums.push_back(j.select(1, p[0]) + j.select(1, p[1]));
  const at::Tensor w_candidates = at::stack(pair_sums, 1);  // [N, 6, 4]
  const at::Tensor w_mass = (w_candidates.select(2, 3).pow(2) - w_candidates.narrow(2, 0, 3).pow(2).sum(2)).clamp_min(0).sqrt();
  const at::Tensor best = (w_mass - kWMassGeV).abs().argmin(1);  // [N]
  const at::Tensor rows = at::arange(events.size(0), at::kLong);
  const at::Tensor w_had = w_candidates.index({rows, best});
  const at::Tensor left = at::tensor(std::vector<int64_t>(&leftover[0][0], &leftover[0][0] + 12), at::kLong).view({6, 2});
  const at::Tensor first = j.index({rows, left.index_select(0, best).select(1, 0)});
  const at::Tensor second = j.index({rows, left.index_select(0, best).select(1, 1)});
  const at::Tensor first_closer =
      ((mass_of(w_had + first) - kTopMassGeV).abs() <= (mass_of(w_had + second) - kTopMassGeV).abs()).unsqueeze(1);
  const at::Tensor t_had = w_had + at::where(first_closer, first, second);
  const at::Tensor w_lep = objects.select(1, electron) + objects.select(1, met);
  const at::Tensor t_lep = w_lep + at::where(first_closer, second, first);
  return {w_had, t_had, w_lep, t_lep};
}

void add_ttbar_detector_masses(std::vector<EventObservable>& out, int64_t electron, int64_t met,
                               std::vector<int64_t> jets, int64_t objects) {
  const char* const names[] = {"M_W_had", "M_t_had", "M_W_lep", "M_t_lep"};
  for (size_t k = 0; k < 4; ++k)
    out.push_back({names[k], "GeV", [=](const at::Tensor& events) {
                     return mass_of(reconstruct_ttbar(events, electron, met, jets)[k]);
                   }});
  std::vector<int64_t> all(static_cast<size_t>(objects));
  for (int64_t i = 0; i < objects; ++i) all[static_cast<size_t>(i)] = i;
  out.push_back(mass_observable("M_tt", all));
}

}  // namespace

at::Tensor invariant_mass(const at::Tensor& events, const std::vector<int64_t>& objects) {
  const at::Tensor o = as_objects(events);
  at::Tensor sum = at::zeros({events.size(0), 4}, o.options());
  for (int64_t i : objects) {
    if (i < 0 || i >= o.size(1))
      throw InvalidArgument("invariant_mass: object " + std::to_string(i) + " outside 0.." + std::to_string(o.size(1) - 1));
    sum = sum + o.select(1, i);
  }
  return mass_of(sum);
}

std::vector<EventObservable> event_observables(const std::vector<std::string>& objects) {
  std::vector<EventObservable> out;
  const auto k = static_cast<int64_t>(objects.size());
  for (int64_t i = 0; i < k; ++i)
    for (int64_t c = 0; c < 4; ++c)
      out.push_back({objects[static_cast<size_t>(i)] + "_" + kComponents[c], "GeV",
                     [i, c](const at::Tensor& events) { return as_objects(events).select(1, i).select(1, c).clone(); }});
  auto position = [&](const std::string& name) { return index_of(objects, name); };
  if (k == 2 && has_all(objects, {"e-", "e+"})) {
    out.push_back(mass_observable("M_ee", {0, 1}));
  } else if (has_all(objects, {"e-", "nu_e_bar", "b", "b_bar", "u", "d_bar"})) {
    out.push_back(mass_observable("M_W_had", {position("u"), position("d_bar")}));
    out.push_back(mass_observable("M_t_had", {position("b"), position("u"), position("d_bar")}));
    out.push_back(mass_observable("M_W_lep", {position("e-"), position("nu_e_bar")}));
    out.push_back(mass_observable("M_t_lep", {position("b_bar"), position("e-"), position("nu_e_bar")}));
    std::vector<int64_t> all;
    for (int64_t i = 0; i < k; ++i) all.push_back(i);
    out.push_back(mass_observable("M_tt", all));
  } else if (has_all(objects, {"e-", "MET", "jet1", "jet2", "jet3", "jet4"})) {
    add_ttbar_detector_masses(out, position("e-"), position("MET"), {position("jet1"), position("jet2"), position("jet3"), position("jet4")}, k);
  } else {
    std::vector<int64_t> all;
    for (int64_t i = 0; i < k; ++i) all.push_back(i);
    out.push_back(mass_observable("M_all", all));
  }
  return out;
}

std::vector<int64_t> jet_object_indices(const std::vector<std::string>& objects) {
  std::vector<int64_t> jets;
  for (size_t i = 0; i < objects.size(); ++i)
    if (objects[i].rfind("jet", 0) == 0) jets.push_back(static_cast<int64_t>(i));
  return jets;
}

at::Tensor object_clouds(const at::Tensor& events, const std::vector<int64_t>& objects) {
  const at::Tensor o = as_objects(events);
  for (int64_t i : objects)
    if (i < 0 || i >= o.size(1))
      throw InvalidArgument("object_clouds: object " + std::to_string(i) + " outside 0.." + std::to_string(o.size(1) - 1));
  const at::Tensor chosen = o.index_select(1, at::tensor(objects, at::kLong));  // [N, J, 4]
  const at::Tensor px = chosen.select(2, 0), py = chosen.select(2, 1);
  const at::Tensor pt = at::hypot(px, py);
  // asinh(pz / pT) is finite for pT > 0; an object without pT is padding (pT = 0) to JetNet's metrics
  const at::Tensor eta = at::where(pt > 0, at::asinh(chosen.select(2, 2) / pt.clamp_min(1e-300)), at::zeros_like(pt));
  return at::stack({pt, eta, at::atan2(py, px)}, 2).to(at::kFloat);
}

}  // namespace otae::analysis
