// The jet pipeline against the shared generator-level test vector, and its cuts and options.
#include "otae/data/jet_pipeline.hpp"

#include <gtest/gtest.h>

#include "io_test_support.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/hepmc.hpp"

namespace otae::data {
namespace {

using testing::shared_data;

JetTable jets_of_test_vector(const JetPipelineOptions& options) {
  HepMCReader reader(shared_data("hepmc/wjets_truth_20ev.hepmc3"));
  JetPipeline pipeline(options);
  std::vector<physics::FourMomentum> particles;
  while (reader.next(particles)) pipeline.add_event(particles);
  return pipeline.table();
}

// Largest |a − b| / max(|b|, 1), the tolerance the test vector is specified with (padding zeros
// and φ near ±π compared as absolute differences).
double worst_relative_difference(const at::Tensor& a, const at::Tensor& b) {
  return ((a.to(at::kDouble) - b.to(at::kDouble)).abs() / b.to(at::kDouble).abs().clamp_min(1.0)).max().item<double>();
}

TEST(JetPipeline, ReproducesTheGeneratorLevelTestVector) {
  const std::string expected = shared_data("hepmc/wjets_truth_20ev_expected.h5");
  const JetTable jets = jets_of_test_vector(JetPipelineOptions());
  const at::Tensor expected_particles = read_array(expected, "particles");
  const at::Tensor expected_jet = read_array(expected, "jet");
  ASSERT_EQ(jets.particles.sizes(), expected_particles.sizes());
  ASSERT_EQ(jets.jet.sizes(), expected_jet.sizes());
  const double particles_error = worst_relative_difference(jets.particles, expected_particles);
  const double jet_error = worst_relative_difference(jets.jet, expected_jet);
  RecordProperty("particles_worst_relative_difference", std::to_string(particles_error));
  RecordProperty("jet_worst_relative_difference", std::to_string(jet_error));
  std::cout << "test vector: worst relative difference particles " << particles_error << ", jet " << jet_error << "\n";
  EXPECT_LT(particles_error, 1e-4);
  EXPECT_LT(jet_error, 1e-4);
}
}  // namespace
}  // namespace otae::data
