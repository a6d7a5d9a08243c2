// HepMC ASCII reading: both formats agree, visibility rules hold, and bad files are named.
#include "otae/data/hepmc.hpp"

#include <gtest/gtest.h>

#include <HepMC3/GenEvent.h>
#include <HepMC3/GenParticle.h>
#include <HepMC3/ReaderAscii.h>
#include <HepMC3/WriterAsciiHepMC2.h>

#include <fstream>
#include <regex>

#include "io_test_support.hpp"

namespace otae::data {
namespace {

using testing::copy_prefix;
using testing::expect_io_error;
using testing::ScratchFolder;
using testing::shared_data;

const std::string kTestVector = shared_data("hepmc/wjets_truth_20ev.hepmc3");

std::vector<std::vector<physics::FourMomentum>> all_events(const std::string& path,
                                                          VisibleParticleOptions options = {}) {
  HepMCReader reader(path, options);
  std::vector<std::vector<physics::FourMomentum>> events;
  std::vector<physics::FourMomentum> particles;
  while (reader.next(particles)) events.push_back(particles);
  EXPECT_EQ(reader.events_read(), static_cast<int64_t>(events.size()));
  return events;
}

// Rewrites a file line by line through `edit`, which returns false to drop a line.
void rewrite(const std::string& source, const std::string& destination,
             const std::function<bool(std::string&, int64_t)>& edit) {
  std::ifstream in(source);
  std::ofstream out(destination);
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number)
    if (edit(line, number)) out << line << "\n";
}

TEST(HepMC, DetectsTheFormatFromTheHeader) {
  EXPECT_EQ(detect_hepmc_format(kTestVector), HepMCFormat::kAsciiV3);
  const ScratchFolder folder;
  const std::string lhe = shared_data("external/pylhe-testfile-powheg-box-v2-Z.lhe");
  expect_io_error([&] { detect_hepmc_format(lhe); }, {lhe, "not a HepMC ASCII file"});
  expect_io_error([&] { detect_hepmc_format(folder.file("none.hepmc3")); }, {"none.hepmc3", "no such file"});
}

TEST(HepMC, ReadsVisibleFinalStateParticles) {
  const auto events = all_events(kTestVector);
  ASSERT_EQ(events.size(), 20u);
  // Independent count of the first event: status-1 particles without neutrinos, |η| < 4.9.
  HepMC3::ReaderAscii reader(kTestVector);
  HepMC3::GenEvent event;
  reader.read_event(event);
  std::size_t visible = 0;
  for (const auto& particle : event.particles()) {
    const int id = std::abs(particle->pid());
    if (particle->status() == 1 && id != 12 && id != 14 && id != 16 && std::abs(particle->momentum().eta()) < 4.9)
      ++visible;
  }
  EXPECT_EQ(events[0].size(), visible);
  EXPECT_EQ(events[0].size(), 401u);
  for (const auto& event_particles : events)
    for (const physics::FourMomentum& p : event_particles) EXPECT_LT(std::abs(physics::eta(p)), 4.9);
}

TEST(HepMC, VisibilityOptionsChangeTheSelection) {
  const auto standard = all_events(kTestVector);
  const auto central = all_events(kTestVector, VisibleParticleOptions().abs_eta_max(1.0));
  const auto no_photons = all_events(kTestVector, VisibleParticleOptions().invisible_pdg_ids({12, 14, 16, 22}));
  EXPECT_LT(central[0].size(), standard[0].size());
  EXPECT_LT(no_photons[0].size(), standard[0].size());
}

TEST(HepMC, HepMC2FileGivesTheSameParticles) {
  const ScratchFolder folder;
  const std::string v2 = folder.file("events.hepmc2");
  {
    HepMC3::ReaderAscii reader(kTestVector);
    HepMC3::WriterAsciiHepMC2 writer(v2);
    HepMC3::GenEvent event;
    while (reader.read_event(event) && !reader.failed()) writer.write_event(event);
    writer.close();
  }
  EXPECT_EQ(detect_hepmc_format(v2), HepMCFormat::kAsciiHepMC2);
  auto from_v3 = all_events(kTestVector), from_v2 = all_events(v2);
  ASSERT_EQ(from_v2.size(), from_v3.size());
  // HepMC2 lists particles vertex by vertex, in another order: compare them sorted by energy.
  const auto by_energy = [](const physics::FourMomentum& a, const physics::FourMomentum& b) { return a.e < b.e; };
  for (std::size_t e = 0; e < from_v3.size(); ++e) {
    ASSERT_EQ(from_v2[e].size(), from_v3[e].size()) << "event " << e;
    std::sort(from_v2[e].begin(), from_v2[e].end(), by_energy);
    std::sort(from_v3[e].begin(), from_v3[e].end(), by_energy);
    for (std::size_t i = 0; i < from_v3[e].size(); ++i) {
      EXPECT_NEAR(from_v2[e][i].e, from_v3[e][i].e, 1e-9 * from_v3[e][i].e);
      EXPECT_NEAR(from_v2[e][i].pz, from_v3[e][i].pz, 1e-9 * from_v3[e][i].e);
    }
  }
}

TEST(HepMC, TruncatedFileIsReported) {
  const ScratchFolder folder;
  const std::string cut = folder.file("cut.hepmc3");
  copy_prefix(kTestVector, cut, std::filesystem::file_size(kTestVector) / 2);
  expect_io_error([&] { HepMCReader reader(cut); }, {cut, "truncated", "HepMC::Asciiv3-END_EVENT_LISTING"});
}

TEST(HepMC, MalformedEventIsNamed) {
  const ScratchFolder folder;
  const std::string broken = folder.file("broken.hepmc3");
  // Event 2 announces more particles than it lists once one of its lines is dropped.
  bool in_event_2 = false, dropped = false;
  rewrite(kTestVector, broken, [&](std::string& line, int64_t) {
    if (line.rfind("E ", 0) == 0) in_event_2 = line.rfind("E 2 ", 0) == 0;
    if (!in_event_2 || dropped || line.rfind("P ", 0) != 0) return true;
    dropped = true;
    return false;
  });
  HepMCReader reader(broken);
  std::vector<physics::FourMomentum> particles;
  EXPECT_TRUE(reader.next(particles));
  EXPECT_TRUE(reader.next(particles));
  expect_io_error([&] { reader.next(particles); }, {broken, "event 2", "malformed"});
}

}  // namespace
}  // namespace otae::data
