// LHE reading on the two real files of scikit-hep-testdata: counts, known values, conservation.
#include "otae/data/lhe.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "io_test_support.hpp"

namespace otae::data {
namespace {

using testing::copy_prefix;
using testing::expect_io_error;
using testing::ScratchFolder;
using testing::shared_data;

const std::string kZ = shared_data("external/pylhe-testfile-powheg-box-v2-Z.lhe");
const std::string kTtbar = shared_data("external/pylhe-testfile-pythia-6.413-ttbar.lhe");

TEST(Lhe, ZToElectronsGivesEventVectors) {
  const EventTable table = read_lhe_objects(kZ, {11, -11});
  EXPECT_EQ(table.objects, (std::vector<std::string>{"e-", "e+"}));
  EXPECT_EQ(table.events_read, 100);
  EXPECT_EQ(table.events_skipped, 0);
  ASSERT_EQ(table.events.sizes(), (std::vector<int64_t>{100, 8}));
  EXPECT_EQ(table.events.scalar_type(), at::kFloat);
  // The first event's lines, as printed in the file.
  const at::Tensor first = at::tensor({4.332302359e+01, 2.737693503e+00, 1.344189865e+02, 1.412545337e+02,
                                       -3.747195154e+01, 1.152435546e+01, 3.504056999e+01, 5.258136044e+01},
                                      at::kFloat);
  EXPECT_TRUE(at::allclose(table.events[0], first, 1e-6, 0));
  // The pair's mass is the Z's of the record (9.283410720E+01 GeV).
  const at::Tensor pair = table.events[0].reshape({2, 4}).sum(0).to(at::kDouble);
  const double m2 = (pair[3] * pair[3] - pair[0] * pair[0] - pair[1] * pair[1] - pair[2] * pair[2]).item<double>();
  EXPECT_NEAR(std::sqrt(m2), 92.8341072, 1e-3);
}

TEST(Lhe, EveryEventConservesMomentum) {
  for (const std::string& path : {kZ, kTtbar}) {
    LheReader reader(path);
    std::vector<HardParticle> record;
    while (reader.next(record)) {
      physics::FourMomentum in, out;
      for (const HardParticle& particle : record) {
        if (particle.status == -1) in += particle.p;
        if (particle.status == 1) out += particle.p;
      }
      const double scale = in.e;
      EXPECT_NEAR(out.px, in.px, 1e-7 * scale) << path << " event " << reader.events_read();
      EXPECT_NEAR(out.py, in.py, 1e-7 * scale);
      EXPECT_NEAR(out.pz, in.pz, 1e-7 * scale);
      EXPECT_NEAR(out.e, in.e, 1e-7 * scale);
    }
    EXPECT_EQ(reader.events_read(), 100) << path;
  }
}

TEST(Lhe, ObjectsAreOutgoingAndHardestFirst) {
  // Top quarks are intermediate (status 2) in the Pythia file: no event has an outgoing one.
  const EventTable tops = read_lhe_objects(kTtbar, {6, -6});
  EXPECT_EQ(tops.events.size(0), 0);
  EXPECT_EQ(tops.events_skipped, 100);
  // Every event has an outgoing b and b̄ but event 37, whose top decays to W s.
  const EventTable bottoms = read_lhe_objects(kTtbar, {5, -5});
  EXPECT_EQ(bottoms.events.size(0), 99);
  EXPECT_EQ(bottoms.events_skipped, 1);
  EXPECT_EQ(bottoms.objects, (std::vector<std::string>{"b", "b_bar"}));
  EXPECT_TRUE(at::allclose(bottoms.events[0].narrow(0, 0, 4),
                           at::tensor({6.4513750383e+01, 2.1051821759e+01, -1.0581121112e+02, 1.2579449744e+02}, at::kFloat),
                           1e-6, 0));
  // "2,2" asks for two outgoing u quarks, the harder first; events with fewer are skipped.
  const EventTable two_u = read_lhe_objects(kTtbar, {2, 2});
  for (int64_t i = 0; i < two_u.events.size(0); ++i) {
    const at::Tensor row = two_u.events[i];
    EXPECT_GE(std::hypot(row[0].item<float>(), row[1].item<float>()),
              std::hypot(row[4].item<float>(), row[5].item<float>()));
  }
  EXPECT_EQ(two_u.events.size(0) + two_u.events_skipped, 100);
}

TEST(Lhe, IntermediateResonancesOnRequest) {
  const EventTable tops = read_lhe_objects(kTtbar, {6, -6}, LheSelection().intermediate(true));
  ASSERT_EQ(tops.events.sizes(), (std::vector<int64_t>{100, 8}));
  EXPECT_EQ(tops.objects, (std::vector<std::string>{"t", "t_bar"}));
  // the first event's t (status 2): px, py, pz, E as printed in the file
  EXPECT_TRUE(at::allclose(tops.events[0].narrow(0, 0, 4),
                           at::tensor({3.3629095553e+01, 8.9115695965e+00, -1.1059648961e+02, 2.1241781824e+02}, at::kFloat),
                           1e-6, 0));
}

TEST(Lhe, EventWeightsAreKeptForTheKeptEvents) {
  const EventTable z = read_lhe_objects(kZ, {11, -11});
  ASSERT_EQ(z.weights.sizes(), (std::vector<int64_t>{100}));
  EXPECT_EQ(z.weights.scalar_type(), at::kDouble);
  EXPECT_DOUBLE_EQ(z.weights[0].item<double>(), 1.22355e+03);  // XWGTUP of the first event
  EXPECT_EQ(z.weighting_strategy, -4);
  const EventTable bottoms = read_lhe_objects(kTtbar, {5, -5});
  EXPECT_EQ(bottoms.weights.size(0), bottoms.events.size(0));  // one weight per kept event, not per event read
  EXPECT_EQ(bottoms.weighting_strategy, 3);
}

TEST(Lhe, ParticleNames) {
  EXPECT_EQ(particle_name(11), "e-");
  EXPECT_EQ(particle_name(-11), "e+");
  EXPECT_EQ(particle_name(-12), "nu_e_bar");
  EXPECT_EQ(particle_name(-5), "b_bar");
  EXPECT_EQ(particle_name(-24), "W-");
  EXPECT_EQ(particle_name(1000022), "pdg_1000022");
}

TEST(Lhe, BadFilesAreNamed) {
  const ScratchFolder folder;
  const std::string cut = folder.file("cut.lhe");
  copy_prefix(kZ, cut, std::filesystem::file_size(kZ) / 2);
  expect_io_error([&] { LheReader reader(cut); }, {cut, "truncated"});
  const std::string csv = shared_data("external/Zee_Run2011A.csv");
  expect_io_error([&] { read_lhe_objects(csv, {11, -11}); }, {csv, "not an LHE file"});
  expect_io_error([&] { read_lhe_objects(folder.file("none.lhe"), {11}); }, {"none.lhe", "no such file"});
  EXPECT_THROW(read_lhe_objects(kZ, {}), InvalidArgument);

  // A particle line of event 3 with a word where a number belongs.
  const std::string broken = folder.file("broken.lhe");
  std::ifstream in(kZ);
  std::ofstream out(broken);
  std::string line;
  for (int events = 0, edited = 0; std::getline(in, line);) {
    if (line.find("<event>") != std::string::npos) ++events;
    if (events == 4 && !edited && line.find("-11 ") == line.find_first_not_of(' ')) {
      line.replace(line.find("5.109989100E-04"), 15, "not-a-number");
      edited = 1;
    }
    out << line << "\n";
  }
  out.close();
  expect_io_error([&] { read_lhe_objects(broken, {11, -11}); }, {broken, "event 3", "cannot be parsed"});
}

}  // namespace
}  // namespace otae::data
