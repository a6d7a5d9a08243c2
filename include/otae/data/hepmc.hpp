// Reading generator events from HepMC ASCII files (HepMC3's own format, and HepMC2's
// IO_GenEvent format, told apart by the file's header) as lists of visible final-state particles.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "otae/base/arg.hpp"
#include "otae/physics/kinematics.hpp"

namespace HepMC3 {
class Reader;
}

namespace otae::data {

/// Which final-state particles (status 1) count as visible.
struct VisibleParticleOptions {
  /// Particles with |η| above this are outside the detector (the calorimeters end at 4.9).
  OTAE_ARG(double, abs_eta_max, 4.9);
  /// PDG ids (either sign) that leave no trace: the neutrinos by default; add e.g. 1000022 for BSM.
  OTAE_ARG(std::vector<int>, invisible_pdg_ids, (std::vector<int>{12, 14, 16}));
};

/// The two text formats HepMC3 reads.
enum class HepMCFormat { kAsciiV3, kAsciiHepMC2 };

/// "HepMC3 ASCII" or "HepMC2 ASCII (IO_GenEvent)".
std::string to_string(HepMCFormat format);

/// The format announced by the first lines of `path` ("HepMC::Asciiv3-START_EVENT_LISTING" or
/// "HepMC::IO_GenEvent-START_EVENT_LISTING"). Throws IoError naming the file when it is missing
/// or neither.
HepMCFormat detect_hepmc_format(const std::string& path);

/// Streams the events of a HepMC ASCII file, one list of visible particles at a time.
class HepMCReader {
 public:
  /// Opens `path` and detects its format. Throws IoError when the file is missing, not HepMC
  /// ASCII, or truncated (it does not end with the format's END_EVENT_LISTING line).
  explicit HepMCReader(const std::string& path, VisibleParticleOptions options = {});
  ~HepMCReader();
  HepMCReader(const HepMCReader&) = delete;
  HepMCReader& operator=(const HepMCReader&) = delete;

  /// Replaces `particles` with the next event's visible final-state four-momenta [GeV];
  /// false after the last event. Throws IoError naming the file and event when it is malformed.
  bool next(std::vector<physics::FourMomentum>& particles);

  HepMCFormat format() const { return format_; }
  /// Number of events returned so far.
  int64_t events_read() const { return events_read_; }
  /// The generator tools the file names in its run information ("Pythia8 8.311"), ", "-separated;
  /// empty when it names none. Complete once the first event has been read.
  std::string generator() const;

 private:
  bool is_visible(int status, int pdg_id, const physics::FourMomentum& p) const;

  std::string path_;
  VisibleParticleOptions options_;
  HepMCFormat format_;
  std::ifstream stream_;
  std::unique_ptr<HepMC3::Reader> reader_;
  int64_t events_read_ = 0;
};

}  // namespace otae::data
