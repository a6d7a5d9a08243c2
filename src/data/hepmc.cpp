#include "otae/data/hepmc.hpp"

#include <HepMC3/GenEvent.h>
#include <HepMC3/GenRunInfo.h>
#include <HepMC3/GenParticle.h>
#include <HepMC3/ReaderAscii.h>
#include <HepMC3/ReaderAsciiHepMC2.h>
#include <HepMC3/Setup.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "otae/base/error.hpp"
#include "text_file_checks.hpp"

namespace otae::data {
namespace {

constexpr const char* kV3Start = "HepMC::Asciiv3-START_EVENT_LISTING";
constexpr const char* kV3End = "HepMC::Asciiv3-END_EVENT_LISTING";
constexpr const char* kV2Start = "HepMC::IO_GenEvent-START_EVENT_LISTING";
constexpr const char* kV2End = "HepMC::IO_GenEvent-END_EVENT_LISTING";
// The listing line follows the version line; a few more lines allow for blank ones.
constexpr int kHeaderLines = 5;

// HepMC3 prints its parse errors and debug lines on stdout; otae turns failures into one
// IoError instead. (A count mismatch is still reported by a bare printf inside HepMC3 3.1.)
void silence_hepmc() {
  HepMC3::Setup::set_print_errors(false);
  HepMC3::Setup::set_print_warnings(false);
  HepMC3::Setup::set_debug_level(0);
}

std::unique_ptr<HepMC3::Reader> open_reader(std::istream& stream, HepMCFormat format) {
  if (format == HepMCFormat::kAsciiV3) return std::make_unique<HepMC3::ReaderAscii>(stream);
  return std::make_unique<HepMC3::ReaderAsciiHepMC2>(stream);
}

}  // namespace

std::string to_string(HepMCFormat format) {
  return format == HepMCFormat::kAsciiV3 ? "HepMC3 ASCII" : "HepMC2 ASCII (IO_GenEvent)";
}

HepMCFormat detect_hepmc_format(const std::string& path) {
  detail::require_readable_file(path);
  std::ifstream in(path);
  std::string line;
  for (int i = 0; i < kHeaderLines && std::getline(in, line); ++i) {
    if (line.find(kV3Start) != std::string::npos) return HepMCFormat::kAsciiV3;
    if (line.find(kV2Start) != std::string::npos) return HepMCFormat::kAsciiHepMC2;
  }
  throw IoError(path + ": not a HepMC ASCII file (no '" + kV3Start + "' or '" + kV2Start +
                "' line at the top); convert other formats with HepMC3's convert_example");
}

HepMCReader::HepMCReader(const std::string& path, VisibleParticleOptions options)
    : path_(path), options_(std::move(options)), format_(detect_hepmc_format(path)) {
  const char* end_marker = format_ == HepMCFormat::kAsciiV3 ? kV3End : kV2End;
  if (!detail::tail_contains(path, end_marker))
    throw IoError(path + ": the file is truncated (no '" + end_marker +
                  "' line at its end); was the generator stopped before it closed the file?");
  silence_hepmc();
  stream_.open(path);
  reader_ = open_reader(stream_, format_);
}

HepMCReader::~HepMCReader() = default;

std::string HepMCReader::generator() const {
  std::string names;
  if (!reader_->run_info()) return names;
  for (const HepMC3::GenRunInfo::ToolInfo& tool : reader_->run_info()->tools())
    names += (names.empty() ? "" : ", ") + tool.name + (tool.version.empty() ? "" : " " + tool.version);
  return names;
}

bool HepMCReader::is_visible(int status, int pdg_id, const physics::FourMomentum& p) const {
  if (status != 1) return false;
  const std::vector<int>& invisible = options_.invisible_pdg_ids();
  if (std::find(invisible.begin(), invisible.end(), std::abs(pdg_id)) != invisible.end()) return false;
  return std::abs(physics::eta(p)) < options_.abs_eta_max();
}

bool HepMCReader::next(std::vector<physics::FourMomentum>& particles) {
  HepMC3::GenEvent event;
  // The readers return an empty event both at the end of the file and for a malformed event;
  // only the stream tells them apart: a parse error sets badbit, the end sets eofbit alone.
  if (!reader_->read_event(event) || reader_->failed()) {
    if (!stream_.bad() && stream_.eof()) return false;
    throw IoError(path_ + ": event " + std::to_string(events_read_) + " (counting from 0) is malformed; " +
                  to_string(format_) + " cannot parse it");
  }
  event.set_units(HepMC3::Units::GEV, HepMC3::Units::MM);
  particles.clear();
  for (const auto& particle : event.particles()) {
    const HepMC3::FourVector& m = particle->momentum();
    const physics::FourMomentum p{m.px(), m.py(), m.pz(), m.e()};
    if (is_visible(particle->status(), particle->pid(), p)) particles.push_back(p);
  }
  ++events_read_;
  return true;
}

}  // namespace otae::data
