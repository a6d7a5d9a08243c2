// The two HDF5 layouts otae reads and writes, with their column names and units:
// jets (`particles` [N, M, 3], `jet` [N, 5], optional `truth` [N, k]) and event vectors
// (`z` or `x` [N, 4·k], one (px, py, pz, E) block per object named in the attribute `objects`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "otae/data/hdf5.hpp"

namespace otae::data {

/// Columns of `particles`: pT [GeV], η, φ [rad, in −π…π). Padding rows have pT = 0.
inline const std::vector<std::string> kParticleColumns = {"pt_GeV", "eta", "phi"};
/// Columns of `jet`: pT [GeV], η, φ [rad], mass [GeV], number of subjets (or constituents).
inline const std::vector<std::string> kJetColumns = {"pt_GeV", "eta", "phi", "mass_GeV", "n_subjets"};
/// Columns of each object's block in an event vector (`z`, `x`), all in GeV.
inline const std::vector<std::string> kObjectColumns = {"px_GeV", "py_GeV", "pz_GeV", "E_GeV"};

/// Jets in otae's layout: `particles` [N, M, 3] float32 (pT-descending, zero-padded) and
/// `jet` [N, 5] float32, row i of both the same jet.
struct JetTable {
  at::Tensor particles;
  at::Tensor jet;
};

/// Event vectors in otae's layout: `events` [N, 4·k] float32, (px, py, pz, E) [GeV] per object
/// in the order of `objects`; with the number of input events read and of those left out, and
/// each event's generator weight when the source has one.
struct EventTable {
  at::Tensor events;
  std::vector<std::string> objects;
  at::Tensor weights;  ///< [N] float64, as the source states them (LHE: XWGTUP); undefined when it has none
  int weighting_strategy = 0;  ///< LHE IDWTUP: what the weights mean; 0 when there are none
  int64_t events_read = 0;
  int64_t events_skipped = 0;
};

/// Throws InvalidArgument, its message starting with `who` (a function, a file), unless
/// particles is [N, M, 3] and jet is [N, 5].
void require_jet_table(const JetTable& jets, const std::string& who);

/// The datasets `particles` and `jet` of `jets`, with their `columns` attributes.
/// Throws InvalidArgument unless particles is [N, M, 3] and jet is [N, 5].
std::vector<NamedArray> jet_arrays(const JetTable& jets);

/// The event-vector dataset `name` ("z" or "x") with its attributes `objects` and
/// `columns_per_object`. Throws InvalidArgument unless events is [N, 4 · objects.size()].
NamedArray event_array(const std::string& name, const EventTable& table);

/// The names of the objects of an event dataset ("e-", "e+", …), its `objects` attribute. Throws
/// IoError naming the file and dataset when it has none.
std::vector<std::string> event_object_names(const std::string& path, const std::string& dataset);

/// The unit of the pT column of a jets dataset, from its `columns` ("pt_GeV", "pt_over_ht") or
/// `units` attribute: "GeV", "pT/HT" (decoded jets), or "" when the file does not say.
std::string jet_pt_unit(const std::string& path, const std::string& dataset);

}  // namespace otae::data
