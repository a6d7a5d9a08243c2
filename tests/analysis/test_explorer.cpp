// The explorers behind `otae explore`, on runs trained in the test: a VAE checkpoint's directions
// in KL order with the KL the spectrum of the held-out rows gives, the decoded jet equal to
// train::decode_latents of the same latent point, the nearest held-out jet checked against one
// exact EMD per held-out jet; an OTUS event's kinematics reproducing its file row, its truth the
// paired detector row, the decoder's samples equal to generate_events; and errors that name the
// bad value.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "otae/analysis/kl_spectrum.hpp"
#include "otae/analysis/otus_explorer.hpp"
#include "otae/analysis/otus_observables.hpp"
#include "otae/analysis/vae_explorer.hpp"
#include "otae/base/error.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/data/split.hpp"
#include "otae/ot/exact_emd.hpp"
#include "otae/train/vae_trainer.hpp"
#include "../support/temporary_folder.hpp"
#include "../support/tiny_jet_runs.hpp"

namespace otae::analysis {
namespace {

using otae::testing::TemporaryFolder;

using otae::testing::tiny_jet_config;

class VaeExplorerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    run_ = new TemporaryFolder("explorer_vae");
    train::train_vae(tiny_jet_config(), run_->path());
  }
  static void TearDownTestSuite() { delete run_; }
  static TemporaryFolder* run_;
};
TemporaryFolder* VaeExplorerTest::run_ = nullptr;

TEST_F(VaeExplorerTest, DirectionsFollowTheKlOfTheHeldOutRows) {
  VaeExplorer explorer(run_->path(), VaeExplorerOptions().held_out_jets(60).threads(1));
  ASSERT_EQ(explorer.checkpoints().size(), 4u);
  EXPECT_EQ(explorer.held_out_jets(), 60);
  const int64_t step = explorer.checkpoints().back().step;
  const ExplorerCheckpoint& view = explorer.checkpoint(step);
  ASSERT_EQ(view.encoded.sizes(), (at::IntArrayRef{60, 4}));
  // the reference: the KL spectrum of the posterior of the same rows, through encode_rows
  train::TrainedVae trained = train::load_trained_vae(run_->path(), "step:" + std::to_string(step));
  const VaeHeldOut held_out = held_out_rows(trained.config, "", 60);
  at::Tensor mu, log_variance;
  {
    torch::NoGradGuard no_grad;
    const nn::LatentPosterior posterior = trained.model->encode(held_out.data.batch(held_out.rows).inputs);
    mu = posterior.gaussian.mean;
    log_variance = posterior.gaussian.log_variance;
  }
  const KlSpectrum spectrum = kl_spectrum(mu, log_variance);
  EXPECT_TRUE(at::allclose(view.encoded, mu));
  ASSERT_GE(view.directions.size(), 2u);
  for (size_t i = 0; i < view.directions.size(); ++i) {
    const ExplorerDirection& d = view.directions[i];
    EXPECT_NEAR(d.kl, spectrum.kl[d.index].item<double>(), 1e-5) << d.index;
    EXPECT_EQ(d.informative, d.kl > kInformativeKlThreshold);
    EXPECT_FALSE(d.quantity.empty());
    if (i > 0) EXPECT_GE(view.directions[i - 1].kl, d.kl);
  }
  EXPECT_EQ(view.directions.front().index, rank_directions(spectrum.kl).front());
  EXPECT_TRUE(at::equal(view.origin, at::zeros({4}, at::kDouble)));
  EXPECT_THROW(explorer.checkpoint(99), InvalidArgument);
}

TEST_F(VaeExplorerTest, DecodesAsDecodeLatentsAndFindsTheNearestJetByExactEmd) {
  VaeExplorer explorer(run_->path(), VaeExplorerOptions().held_out_jets(40).threads(1));
  const int64_t step = explorer.checkpoints().front().step;
  const std::vector<double> point = {0.7, -1.2, 0.0, 2.5};
  const ExplorerJet jet = explorer.decode(step, point);
  train::TrainedVae trained = train::load_trained_vae(run_->path(), "step:" + std::to_string(step));
  const auto arrays = train::decode_latents(*trained.model, at::tensor(point, at::kFloat).unsqueeze(0));
  ASSERT_EQ(arrays.front().name, "particles");
  EXPECT_TRUE(at::allclose(jet.particles, arrays.front().values[0].to(at::kDouble), 0, 1e-6));
  EXPECT_NEAR(jet.particles.select(1, 0).sum().item<double>(), 1.0, 1e-5);  // pT/HT

  const NearestJet nearest = explorer.nearest(jet.particles);
  // one exact EMD per held-out jet, solved pair by pair
  const VaeHeldOut held_out = held_out_rows(trained.config, "", 40);
  const at::Tensor targets = held_out.data.batch(held_out.rows).targets;
  const double scale = held_out.data.energy_scale(held_out.rows);
  double best = INFINITY;
  int64_t best_index = -1;
  for (int64_t i = 0; i < targets.size(0); ++i) {
    const double d = ot::exact_emd(jet.particles, targets[i], ot::ExactEmdOptions().ground(trained.config.sinkhorn.ground())).value;
    if (d < best) best = d, best_index = i;
  }
  EXPECT_EQ(nearest.held_out_index, best_index);
  EXPECT_NEAR(nearest.emd, best * scale, 1e-9 * best * scale);
  EXPECT_EQ(nearest.file_row, held_out.rows[best_index].item<int64_t>());
  EXPECT_TRUE(at::allclose(nearest.particles, targets[best_index].to(at::kDouble)));

  EXPECT_THROW(explorer.decode(step, {0.0, 1.0}), InvalidArgument);
  EXPECT_THROW(explorer.decode(step, {0.0, NAN, 0.0, 0.0}), InvalidArgument);
}

TEST(VaeExplorerMixedLatents, BinaryValuesAndAnglesReachTheDecoder) {
  TemporaryFolder run("explorer_mixed");
  train::train_vae(tiny_jet_config({"model.binary={priors: [0.5], temperature: 0.3}", "model.circular={dims: 1}",
                                    "data.centre=false"}),
                   run.path());
  VaeExplorer explorer(run.path(), VaeExplorerOptions().held_out_jets(30).threads(1));
  const int64_t step = explorer.checkpoints().back().step;
  const ExplorerCheckpoint& view = explorer.checkpoint(step);
  EXPECT_EQ(view.binary_dim, 1);
  EXPECT_EQ(view.circular_dim, 1);
  ASSERT_EQ(view.origin.numel(), 6);  // L + K + C: the angle is one value on the page
  const double binary_start = view.origin[4].item<double>();
  EXPECT_TRUE(binary_start == 0.0 || binary_start == 1.0);
  EXPECT_EQ(view.binary_kl.size(), 1u);
  EXPECT_EQ(view.circular_kl.size(), 1u);

  const ExplorerJet jet = explorer.decode(step, {0.3, -0.2, 0.0, 0.0, 1.0, 2.0});
  // the decoder's layout (nn::sample_latent): Gaussian, binary, cos θ, sin θ
  const at::Tensor expected = at::tensor({0.3, -0.2, 0.0, 0.0, 1.0, std::cos(2.0), std::sin(2.0)}, at::kFloat);
  EXPECT_TRUE(at::allclose(jet.decoder_input, expected));
  train::TrainedVae trained = train::load_trained_vae(run.path(), "step:" + std::to_string(step));
  const auto arrays = train::decode_latents(*trained.model, expected.unsqueeze(0));
  EXPECT_TRUE(at::allclose(jet.particles, arrays.front().values[0].to(at::kDouble), 0, 1e-6));
  EXPECT_THROW(explorer.decode(step, {0.3, -0.2, 0.0, 0.0, 1.5, 2.0}), InvalidArgument);
}

TEST(OtusExplorerTest, SimulatesTheChosenEventBesideItsTruth) {
  TemporaryFolder folder("explorer_otus");
  const std::string data = OTAE_SOURCE_DIR "/samples/zee_small.h5";
  train::train_otus_run({OTAE_SOURCE_DIR "/configs/otus/zee_quick.yaml",
                         {"phases.0.epochs=1", "phases.1.epochs=1", "training.threads=1", "loss.slices=20",
                          "data.max_train_events=1000"},
                         data, "", folder.path()},
                        train::OtusTrainOptions().show_progress(false));
  OtusExplorer explorer(folder.path(), OtusExplorerOptions().neighbours(50));
  const data::EventPairs events = data::load_event_pairs(data);
  train::OtusModel model = train::load_otus_model(folder.path());
  const at::Tensor test = data::split_rows(events.size(), model.config.split).test;
  ASSERT_EQ(explorer.held_out_events(), test.numel());
  EXPECT_TRUE(explorer.paired());
  const int64_t index = 7, row = explorer.file_row(index);
  EXPECT_EQ(row, test[index].item<int64_t>());

  const std::vector<ObjectKinematics> objects = explorer.event(index);
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].name, "e-");
  const OtusResponse response = explorer.simulate(objects, 300, 5, index);
  // E, η, φ, m back to (px, py, pz, E): the file's row
  EXPECT_TRUE(at::allclose(response.parton, events.z()[row].to(at::kDouble), 1e-4, 1e-3));
  // the truth is the paired detector row's observables; the samples are the decoder's
  const std::vector<EventObservable> observables = event_observables({"e-", "e+"});
  ASSERT_EQ(response.observables.size(), observables.size());
  ASSERT_EQ(response.simulated.sizes(), (at::IntArrayRef{300, static_cast<int64_t>(observables.size())}));
  ASSERT_EQ(response.neighbours.size(0), 50);
  // the neighbours' responses carried to this event: the truth of events like it, centred on its
  // own truth within the detector's resolution (a few GeV), not spread by the neighbours' partons
  const int64_t energy = 3;  // e-_E
  const double carried_spread = response.neighbours.select(1, energy).std().item<double>();
  EXPECT_LT(carried_spread, 6.0);
  EXPECT_NEAR(response.neighbours.select(1, energy).median().item<double>(), response.truth[energy].item<double>(),
              2 * carried_spread);
  const at::Tensor generated = train::generate_events(
      model.decoder, response.parton.to(at::kFloat).unsqueeze(0).expand({300, 8}).contiguous(), 5);
  for (size_t o = 0; o < observables.size(); ++o) {
    EXPECT_NEAR(response.truth[o].item<double>(), observables[o].compute(events.x()[row].unsqueeze(0))[0].item<double>(),
                1e-6 * (1 + std::abs(response.truth[o].item<double>())))
        << observables[o].name;
    EXPECT_TRUE(at::allclose(response.simulated.select(1, o), observables[o].compute(generated).to(at::kDouble)))
        << observables[o].name;
  }
  // an edited event has no truth of its own; its neighbours are still the nearest parton events
  std::vector<ObjectKinematics> edited = objects;
  edited[0].energy *= 2;
  const OtusResponse moved = explorer.simulate(edited, 300, 5);
  EXPECT_FALSE(moved.truth.defined());
  EXPECT_NEAR(moved.parton[3].item<double>(), 2 * objects[0].energy, 1e-9 * objects[0].energy);
  EXPECT_GT(moved.simulated.select(1, 3).mean().item<double>(), 1.5 * response.simulated.select(1, 3).mean().item<double>());

  EXPECT_THROW(explorer.event(-1), InvalidArgument);
  EXPECT_THROW(explorer.simulate(objects, 0, 5), InvalidArgument);
  edited[1].energy = 0.5 * edited[1].mass - 1;
  EXPECT_THROW(explorer.simulate(edited, 10, 5), InvalidArgument);
}

}  // namespace
}  // namespace otae::analysis
