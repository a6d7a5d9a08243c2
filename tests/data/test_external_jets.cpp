// JetNet's relative features and the generic feature conversion: declared orders, masks, sorting.
#include "otae/data/external_jets.hpp"

#include <gtest/gtest.h>

#include "io_test_support.hpp"
#include "otae/data/hdf5.hpp"

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

}  // namespace
}  // namespace otae::data
