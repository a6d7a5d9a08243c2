// Reading the hard process from Les Houches Event files (through HepMC3's LHEF reader) and
// turning chosen outgoing particles into otae's event vectors (the `z` layout).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "otae/base/arg.hpp"
#include "otae/data/layouts.hpp"
#include "otae/physics/kinematics.hpp"

namespace LHEF {
class Reader;
}

namespace otae::data {

/// One particle of an LHE event record: PDG id, status (−1 incoming, +1 outgoing, 2 intermediate)
/// and four-momentum [GeV].
struct HardParticle {
  int pdg_id = 0;
  int status = 0;
  physics::FourMomentum p;
};

/// Streams the events of an LHE file.
class LheReader {
 public:
  /// Opens `path` and reads its header. Throws IoError naming the file when it is missing, not
  /// an LHE file, or truncated (no closing </LesHouchesEvents>).
  explicit LheReader(const std::string& path);
  ~LheReader();
  LheReader(const LheReader&) = delete;
  LheReader& operator=(const LheReader&) = delete;

  /// Replaces `particles` with the next event's record; false after the last event.
  /// Throws IoError naming the file and event when an event cannot be parsed.
  bool next(std::vector<HardParticle>& particles);

  /// The weight XWGTUP of the event `next` returned last, as the file states it (pb for the
  /// usual weighting strategies IDWTUP = ±3, ±4).
  double event_weight() const;
  /// The file's weighting strategy IDWTUP (±1 … ±4): what the event weights mean.
  int weighting_strategy() const;
  /// Number of events returned so far.
  int64_t events_read() const { return events_read_; }
  /// The generators the file names in <generator> tags ("MadGraph5_aMC@NLO 3.5.0"), ", "-separated;
  /// empty when it names none.
  std::string generator() const;

 private:
  std::string path_;
  std::unique_ptr<LHEF::Reader> reader_;
  int64_t events_read_ = 0;
};

/// A conventional name for a PDG id, for the `objects` attribute: 11 → "e-", −11 → "e+",
/// −6 → "t_bar", 21 → "g"; "pdg_<id>" for ids without one.
std::string particle_name(int pdg_id);

/// Which particles of an event record read_lhe_objects may take.
struct LheSelection {
  /// Also take intermediate resonances (status 2, e.g. the t and W of a decay chain), not only
  /// outgoing particles (status +1). A resonance and its outgoing namesake are ranked together.
  OTAE_ARG(bool, intermediate, false);
  OTAE_ARG_PUBLIC
};

/// Event vectors from an LHE file: for each event, the outgoing (status +1) particles with the
/// PDG ids in `pdg_ids` (also the intermediate ones, status 2, when `selection.intermediate()`),
/// in that order, as (px, py, pz, E) [GeV] blocks. When several particles share an id, the
/// hardest (highest pT) comes first, so "11,11" takes the two leading electrons. Events lacking
/// any requested particle are skipped and counted.
/// Result: events [N, 4·k] float32 and weights [N] float64 (XWGTUP of each kept event).
/// Throws InvalidArgument when `pdg_ids` is empty, IoError as LheReader does.
EventTable read_lhe_objects(const std::string& path, const std::vector<int>& pdg_ids, const LheSelection& selection = {});

}  // namespace otae::data
