// The model side of `otae explore` on an OTUS run: a parton event (one of the held-out events of
// the run's file, or one whose kinematics the user edited) simulated many times by the learnt
// decoder, with the observables of every simulated detector event beside the true detector
// response: the event's own paired row, and the detector rows of the held-out events nearest to
// it at parton level (the truth of events like it). The face only serves and draws these.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "otae/base/arg.hpp"
#include "otae/train/otus_training.hpp"

namespace otae::analysis {

struct OtusExplorerOptions {
  /// Held-out parton events whose detector rows are the "events like this one" (nearest in the
  /// parton-level columns, each divided by its standard deviation over the held-out events).
  OTAE_ARG(int64_t, neighbours, 50);
  OTAE_ARG(train::OtusCheckpoint, checkpoint, train::OtusCheckpoint::kFinal);
  OTAE_ARG_PUBLIC
};

/// One object of a parton event in the physicist's coordinates; (px, py, pz, E) follow from them.
struct ObjectKinematics {
  std::string name;   ///< "e-", "e+", …
  double energy = 0;  ///< E [GeV]
  double eta = 0;     ///< pseudorapidity
  double phi = 0;     ///< azimuth [rad]
  double mass = 0;    ///< √max(E² − |p|², 0) [GeV], kept when the energy is edited
};

/// The simulated and true detector response of one parton event, per observable
/// (event_observables of the detector objects: px, py, pz, E of each object, then the masses).
struct OtusResponse {
  std::vector<std::string> observables;  ///< [O] names, e.g. "e-_E", "M_ee"
  at::Tensor parton;     ///< [4k] float64 the parton event simulated [GeV]
  at::Tensor simulated;  ///< [S, O] float64: the observables of S decoder samples [GeV]
  at::Tensor truth;      ///< [O] float64: of the event's paired detector row; undefined for an edited or unpaired event
  /// [n, O] float64: the true response of the n held-out events nearest at parton level. Where
  /// parton and detector events hold the same objects, of x_n − z_n + z (each neighbour's response
  /// carried to this event); otherwise of the neighbours' detector rows x_n. Undefined when unpaired.
  at::Tensor neighbours;
};

class OtusExplorer {
 public:
  /// Reads the run folder (otus_training.hpp) and the events of the file it trained on (run.json's
  /// "data", and "x_data" for an unpaired run). Throws IoError naming the missing file.
  explicit OtusExplorer(const std::string& run_folder, const OtusExplorerOptions& options = {});

  const std::vector<std::string>& parton_objects() const { return z_objects_; }
  const std::vector<std::string>& detector_objects() const { return x_objects_; }
  /// True when the file pairs each parton event with its detector event.
  bool paired() const { return paired_; }
  /// The events that `event` indexes: the run's test split of a paired file; every parton event of
  /// the file for a run on unpaired samples (its training subset is not recorded row by row).
  int64_t held_out_events() const { return rows_.numel(); }
  /// The row in the data file of held-out event `index`.
  int64_t file_row(int64_t index) const;

  /// The kinematics of each object of held-out event `index` ∈ [0, held_out_events()).
  /// Throws InvalidArgument naming the range otherwise.
  std::vector<ObjectKinematics> event(int64_t index) const;

  /// The decoder applied `samples` times to the parton event of `objects` (in the run's object
  /// order; each E ≥ its mass), with noise seeded by `seed`; `index` ≥ 0 names the held-out event
  /// whose paired detector row is the truth (−1: an edited event, no truth of its own).
  /// Throws InvalidArgument on the wrong objects, E < m, a value that is not finite, samples
  /// outside [1, 100000].
  OtusResponse simulate(const std::vector<ObjectKinematics>& objects, int64_t samples, uint64_t seed,
                        int64_t index = -1);

 private:
  at::Tensor parton_row(const std::vector<ObjectKinematics>& objects) const;
  void check_index(int64_t index) const;

  OtusExplorerOptions options_;
  train::OtusModel model_;
  std::vector<std::string> z_objects_, x_objects_;
  bool paired_ = true;
  at::Tensor rows_;       ///< int64 [N] held-out rows of the file
  at::Tensor z_, x_;      ///< [N, 4k], [N, 4k'] float64 their parton and (when paired) detector rows [GeV]
  at::Tensor z_scale_;    ///< [4k] float64 standard deviation of each parton column over the held-out events
};

}  // namespace otae::analysis
