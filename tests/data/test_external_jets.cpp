// JetNet's relative features and the generic feature conversion: declared orders, masks, sorting;
// otae's jets written in EnergyFlow's and JetNet's layouts and read back.
#include "otae/data/external_jets.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "io_test_support.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/npz.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::data {
namespace {

using testing::expect_io_error;
using testing::ScratchFolder;

// Two JetNet-like jets: particle (etarel, phirel, ptrel, mask), jet (type, pt, eta, mass, n).
void write_jetnet(const std::string& path) {
  at::Tensor particles = at::zeros({2, 3, 4}, at::kFloat);
  particles[0][0] = at::tensor({0.1f, -0.2f, 0.25f, 1.0f});
  particles[0][1] = at::tensor({-0.05f, 0.1f, 0.70f, 1.0f});  // harder than the first: sorted to the front
  particles[0][2] = at::tensor({0.3f, 0.3f, 0.05f, 0.0f});    // masked out
  particles[1][0] = at::tensor({0.0f, 3.3f, 1.0f, 1.0f});     // φ beyond π: wrapped
  const at::Tensor jets = at::tensor({0.0f, 1000.0f, 0.5f, 80.0f, 2.0f, 1.0f, 500.0f, -1.0f, 0.0f, 1.0f}).reshape({2, 5});
  write_arrays(path, {{"particle_features", particles}, {"jet_features", jets}});
}

TEST(JetNet, ConvertsRelativeFeaturesWithTheDeclaredOrder) {
  const ScratchFolder folder;
  const std::string path = folder.file("jetnet.h5");
  write_jetnet(path);
  const JetTable jets = read_jetnet_hdf5(path, {"etarel", "phirel", "ptrel", "mask"}, {"type", "pt", "eta", "mass", "num_particles"});
  ASSERT_EQ(jets.particles.sizes(), (std::vector<int64_t>{2, 3, 3}));
  EXPECT_TRUE(at::allclose(jets.particles[0][0], at::tensor({700.0f, 0.45f, 0.1f}), 1e-5));
  EXPECT_TRUE(at::allclose(jets.particles[0][1], at::tensor({250.0f, 0.6f, -0.2f}), 1e-5));
  EXPECT_TRUE(at::equal(jets.particles[0][2], at::zeros({3}, at::kFloat)));
  EXPECT_TRUE(at::allclose(jets.jet[0], at::tensor({1000.0f, 0.5f, 0.0f, 80.0f, 2.0f}), 1e-6));
  EXPECT_NEAR(jets.particles[1][0][2].item<float>(), 3.3 - 2 * M_PI, 1e-6);

  // The same numbers declared in another order mean other physics.
  const JetTable swapped = read_jetnet_hdf5(path, {"phirel", "etarel", "ptrel", "mask"}, {"type", "pt", "eta", "mass", "-"});
  EXPECT_NEAR(swapped.particles[0][0][1].item<float>(), 0.5 + 0.1, 1e-6);
  EXPECT_EQ(swapped.jet[0][4].item<float>(), 2.0f);  // counted from the mask when not declared
}

TEST(JetNet, DeclarationsAreChecked) {
  const ScratchFolder folder;
  const std::string path = folder.file("jetnet.h5");
  write_jetnet(path);
  const std::vector<std::string> jet_columns = {"type", "pt", "eta", "mass", "num_particles"};
  expect_io_error([&] { read_jetnet_hdf5(path, {"etarel", "phirel", "ptrel"}, jet_columns); },
                  {path, "particle_features", "3 features per particle are declared"});
  expect_io_error([&] { read_jetnet_hdf5(path, {"etarel", "phirel", "ptrel", "mask"}, {"pt", "eta"}); },
                  {path, "jet_features", "2 features per jet"});
  EXPECT_THROW(read_jetnet_hdf5(path, {"etarel", "phirel", "ptrel", "weight"}, jet_columns), ConfigError);
  EXPECT_THROW(read_jetnet_hdf5(path, {"etarel", "etarel", "ptrel", "mask"}, jet_columns), ConfigError);
  EXPECT_THROW(read_jetnet_hdf5(path, {"etarel", "phirel", "ptrel", "mask"}, {"type", "-", "eta", "mass", "-"}),
               ConfigError);  // ptrel needs the jet pT
  expect_io_error([&] { read_jetnet_hdf5(folder.file("none.h5"), {"etarel"}, {"pt"}); }, {"none.h5", "no such file"});
}

TEST(FeatureJets, JetRowFromSummedParticlesWhenNotDeclared) {
  // Two massless particles at η = 0, back to back in φ, with equal pT: the sum has pT 0 and m = 2 pT.
  at::Tensor features = at::zeros({1, 2, 3}, at::kDouble);
  features[0][0] = at::tensor({50.0, 0.0, 0.0}, at::kDouble);
  features[0][1] = at::tensor({50.0, 0.0, M_PI}, at::kDouble);
  const JetTable jets = jets_from_features(features, {"pt", "eta", "phi"}, {}, {}, "test");
  EXPECT_NEAR(jets.jet[0][0].item<float>(), 0.0, 1e-4);
  EXPECT_NEAR(jets.jet[0][3].item<float>(), 100.0, 1e-4);
  EXPECT_EQ(jets.jet[0][4].item<float>(), 2.0f);
}

const std::string kWJets = std::string(OTAE_SOURCE_DIR) + "/samples/wjets_small.h5";

/// max |a − b| over the real particles (pT > 0 in `reference`) of column `column`, with φ
/// differences wrapped (φ = ±π are one angle).
double max_difference(const at::Tensor& a, const at::Tensor& b, const at::Tensor& reference, int64_t column) {
  const at::Tensor real = reference.select(2, 0) > 0;
  at::Tensor difference = a.select(2, column).to(at::kDouble) - b.select(2, column).to(at::kDouble);
  if (column == 2) difference = physics::wrap_phi(difference);
  return difference.abs().masked_select(real).max().item<double>();
}

TEST(EnergyFlowWriter, RoundTripsTheParticlesOfTheWJets) {
  const ScratchFolder folder;
  const std::string path = folder.file("wjets.npz");
  const JetTable jets = read_jet_table(kWJets);
  const at::Tensor labels = at::arange(jets.jet.size(0), at::kLong) % 2;
  write_energyflow_npz(path, jets, labels);
  EXPECT_EQ(list_npz_arrays(path), (std::vector<std::string>{"X", "y"}));
  EXPECT_TRUE(at::equal(read_npz_array(path, "y"), labels));
  // EnergyFlow's X: float64 (pT, y, φ), zero padding, every φ within π of its jet's
  const at::Tensor x = read_npz_array(path, "X");
  EXPECT_EQ(x.scalar_type(), at::kDouble);
  EXPECT_EQ(x.sizes(), jets.particles.sizes());
  const at::Tensor real = jets.particles.select(2, 0) > 0;
  EXPECT_TRUE(at::equal(x.select(2, 0) > 0, real));
  EXPECT_EQ(x.masked_select((~real).unsqueeze(2).expand_as(x)).abs().max().item<double>(), 0.0);
  const at::Tensor from_jet = (x.select(2, 2) - jets.jet.select(1, 2).to(at::kDouble).unsqueeze(1)).abs();
  EXPECT_LE(from_jet.masked_select(real).max().item<double>(), M_PI);

  // the particles come back to float32 precision; the jet row is then their sum
  const JetTable back = read_energyflow_npz(path, kEnergyFlowWrittenFeatures);
  ASSERT_EQ(back.particles.sizes(), jets.particles.sizes());
  EXPECT_TRUE(at::equal(back.particles.select(2, 0) > 0, real));
  EXPECT_LE(max_difference(back.particles, jets.particles, jets.particles, 0), 0.0);  // pT: float32 → float64 → float32
  EXPECT_LE(max_difference(back.particles, jets.particles, jets.particles, 1), 0.0);
  EXPECT_LE(max_difference(back.particles, jets.particles, jets.particles, 2), 1e-6);
  EXPECT_TRUE(at::allclose(back.jet.select(1, 0), jets.jet.select(1, 0), 0.05));  // the 50 hardest subjets carry most of it
  EXPECT_TRUE(at::equal(back.jet.select(1, 4), real.sum(1).to(at::kFloat)));
}

TEST(JetNetWriter, RoundTripsTheWJetsButTheirPhi) {
  const ScratchFolder folder;
  const std::string path = folder.file("w.hdf5");
  const JetTable jets = read_jet_table(kWJets);
  write_jetnet_hdf5(path, jets, {{"generator", "test"}});
  const at::Tensor particle_features = read_array(path, "particle_features");
  const at::Tensor jet_features = read_array(path, "jet_features");
  EXPECT_EQ(particle_features.scalar_type(), at::kFloat);
  EXPECT_EQ(particle_features.sizes(), (std::vector<int64_t>{4000, 50, 4}));
  EXPECT_EQ(jet_features.sizes(), (std::vector<int64_t>{4000, 4}));
  EXPECT_EQ(read_list_attributes(path, "particle_features").at("columns"), kJetNetParticleFeatures);
  EXPECT_EQ(read_list_attributes(path, "jet_features").at("columns"), kJetNetJetFeatures);
  EXPECT_EQ(read_attributes(path).at("generator"), "test");
  const at::Tensor real = jets.particles.select(2, 0) > 0;
  EXPECT_TRUE(at::equal(particle_features.select(2, 3), real.to(at::kFloat)));

  // pT, η, m and the count come back to float32 precision; the jets return at φ = 0
  const JetTable back = read_jetnet_hdf5(path, kJetNetParticleFeatures, kJetNetJetFeatures);
  const at::Tensor expected_jet = jets.jet.clone();
  expected_jet.select(1, 2).zero_();
  EXPECT_TRUE(at::equal(back.jet, expected_jet));
  at::Tensor rotated = jets.particles.clone();
  rotated.select(2, 2).copy_(physics::wrap_phi(jets.particles.select(2, 2).to(at::kDouble) -
                                               jets.jet.select(1, 2).to(at::kDouble).unsqueeze(1)));
  rotated = rotated * real.unsqueeze(2);
  EXPECT_TRUE(at::equal(back.particles.select(2, 0) > 0, real));
  const at::Tensor pt = jets.particles.select(2, 0).to(at::kDouble);
  const double pt_relative = ((back.particles.select(2, 0) - jets.particles.select(2, 0)).abs().to(at::kDouble) /
                              pt.clamp_min(1e-30)).masked_select(real).max().item<double>();
  EXPECT_LT(pt_relative, 3e-7);
  EXPECT_LT(max_difference(back.particles, rotated, jets.particles, 1), 1e-6);
  EXPECT_LT(max_difference(back.particles, rotated, jets.particles, 2), 1e-6);
}

TEST(JetWriters, BadInputIsNamed) {
  const ScratchFolder folder;
  expect_io_error([&] { read_jet_table(folder.file("none.h5")); }, {"none.h5", "no such file"});
  const std::string wide = folder.file("wide.h5");
  write_arrays(wide, {{"particles", at::ones({2, 3, 4})}});
  expect_io_error([&] { read_jet_table(wide); }, {wide, "particles", "[N, M, 3]"});
  const std::string short_jet = folder.file("short_jet.h5");
  write_arrays(short_jet, {{"particles", at::ones({2, 3, 3})}, {"jet", at::ones({1, 5})}});
  expect_io_error([&] { read_jet_table(short_jet); }, {short_jet, "'jet'", "[2, 5]"});
  // without `jet` (decoded jets), the row is the particles' sum
  const std::string decoded = folder.file("decoded.h5");
  at::Tensor particles = at::zeros({1, 2, 3});
  particles[0][0] = at::tensor({0.6f, 0.1f, 0.2f});
  particles[0][1] = at::tensor({0.4f, -0.1f, 0.3f});
  write_arrays(decoded, {{"particles", particles}});
  EXPECT_NEAR(read_jet_table(decoded).jet[0][0].item<float>(), 1.0, 1e-2);

  const JetTable jets{at::ones({2, 3, 3}), at::ones({2, 5})};
  const std::string out = folder.file("out.npz");
  EXPECT_THROW(write_energyflow_npz(out, jets, at::zeros({3})), InvalidArgument);
  EXPECT_THROW(write_energyflow_npz(out, {at::ones({2, 3, 4}), at::ones({2, 5})}), InvalidArgument);
  JetTable no_pt = jets;
  no_pt.jet = at::zeros({2, 5});
  try {
    write_jetnet_hdf5(folder.file("out.h5"), no_pt);
    ADD_FAILURE() << "a jet without pT was written";
  } catch (const InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find("out.h5: jet 0 has pT 0"), std::string::npos) << error.what();
  }
  EXPECT_EQ(folder.entries(), (std::vector<std::string>{"decoded.h5", "short_jet.h5", "wide.h5"}));
}

}  // namespace
}  // namespace otae::data
