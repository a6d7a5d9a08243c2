// The observables an OTUS evaluation compares, computed from event rows (px, py, pz, E) [GeV] per
// object: every component of every object, and the invariant masses of the process — M_ee for
// Z→ee; for semi-leptonic tt̄ the hadronic and leptonic W and top masses and M_tt̄.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace otae::analysis {

/// One number per event: compute(events [N, 4k] float) → [N] float64.
struct EventObservable {
  std::string name;   ///< e.g. "e-_pz", "M_ee", "M_t_had"
  std::string units;  ///< "GeV"
  std::function<at::Tensor(const at::Tensor& events)> compute;
};

/// √max(E² − |p|², 0) of the sum of `objects` (indices into the event's objects): [N, 4k] → [N]
/// float64 [GeV]. Throws InvalidArgument on an index out of range or a malformed event tensor.
at::Tensor invariant_mass(const at::Tensor& events, const std::vector<int64_t>& objects);

/// Observables of one side of the events, chosen by the objects' names (the `objects` attribute
/// of the data): px, py, pz, E of every object, then
///   (e-, e+):                                M_ee;
///   parton tt̄ (e-, nu_e_bar, b, b_bar, u, d_bar): M_W_had = m(u d̄), M_t_had = m(b u d̄),
///                                            M_W_lep = m(e ν̄), M_t_lep = m(b̄ e ν̄), M_tt = m(all);
///   detector tt̄ (e-, MET, jet1…jet4):        M_W_had = the jet pair closest to 80.4 GeV,
///                                            M_t_had = that pair and the remaining jet closest to
///                                            172.5 GeV, M_W_lep = m(e + MET), M_t_lep = m(e + MET +
///                                            the last jet), M_tt = m(all);
///   anything else:                           M_all, the mass of all objects.
std::vector<EventObservable> event_observables(const std::vector<std::string>& objects);

/// Indices of the objects whose names start with "jet" (detector-level tt̄: jet1…jet4), in their
/// order; empty when there are none (Z→ee).
std::vector<int64_t> jet_object_indices(const std::vector<std::string>& objects);

/// Each event [N, 4k] (px, py, pz, E) [GeV] as a cloud of the objects `objects` (indices, J of
/// them): [N, J, 3] float32 of (pT [GeV], η, φ [rad] in −π…π), the layout of otae's jets, so that
/// JetNet's metrics (generative_metrics.hpp) compare events as they compare jets; η is the
/// pseudorapidity asinh(pz / pT). Throws InvalidArgument on an index out of range or malformed
/// events.
at::Tensor object_clouds(const at::Tensor& events, const std::vector<int64_t>& objects);

}  // namespace otae::analysis
