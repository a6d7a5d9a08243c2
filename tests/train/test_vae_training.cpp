// Training runs end to end on a few hundred embedded W jets with a tiny network: the run
// folder's contents, determinism, resuming an interrupted run to the same numbers, retrying a
// β step after a NaN, giving up when NaNs persist, and encoding/decoding with a finished run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "otae/base/error.hpp"
#include "otae/data/split.hpp"
#include "otae/train/vae_run.hpp"
#include "otae/train/vae_run_folder.hpp"
#include "otae/train/vae_trainer.hpp"
#include "../support/temporary_folder.hpp"

namespace otae::train {
namespace {

namespace fs = std::filesystem;

/// 300 jets (180 training, 120 validation), a network of width 16, 4 β steps of 2 epochs × 4 batches.
VaeConfig tiny_jet_config() {
  return parse_vae_config(
      "", {"data.source=" OTAE_SOURCE_DIR "/samples/wjets_small.h5", "data.max_rows=300",
           "data.split={train: 0.6, validation: 0.4, test: 0.0, seed: 3}", "model.latent_dim=4",
           "model.particle_widths=[16]", "model.jet_widths=[16]", "model.decoder_widths=[16]", "train.threads=1",
           "train.batch_size=20", "train.steps_per_epoch=4", "train.max_epochs=2", "train.validation_batch_size=60",
           "train.max_nan_retries=2", "schedule.grid.log10_first=-2", "schedule.grid.log10_step=1",
           "schedule.grid.points=2", "schedule.zigzag.legs=0", "schedule.priming.learning_rate=1e-3",
           "schedule.production.learning_rate=1e-3"});
}

using otae::testing::TemporaryFolder;

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// epochs.csv without its last column (seconds), which is the only one allowed to differ.
std::vector<std::string> epoch_numbers(const std::string& run) {
  std::vector<std::string> rows;
  for (const auto& line : lines_of(VaeRunFolder(run).epoch_log())) rows.push_back(line.substr(0, line.rfind(',')));
  return rows;
}

std::vector<nlohmann::json> step_numbers(const std::string& run) {
  std::vector<nlohmann::json> steps;
  for (const auto& line : lines_of(VaeRunFolder(run).step_log())) {
    auto object = nlohmann::json::parse(line);
    object.erase("seconds");
    steps.push_back(object);
  }
  return steps;
}

bool same_weights(const std::string& run_a, const std::string& run_b) {
  const TrainedVae a = load_trained_vae(run_a), b = load_trained_vae(run_b);
  const auto pa = a.model->module()->parameters(), pb = b.model->module()->parameters();
  for (size_t i = 0; i < pa.size(); ++i)
    if (!torch::equal(pa[i], pb[i])) return false;
  return true;
}

/// Sets every weight of the network to NaN, as a diverging update would.
void poison(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (auto& p : model.parameters()) p.fill_(std::numeric_limits<float>::quiet_NaN());
}

struct SimulatedKill : std::runtime_error {
  SimulatedKill() : std::runtime_error("simulated kill") {}
};

class VaeTraining : public ::testing::Test {
 protected:
  /// One uninterrupted reference run, shared by the tests.
  static void SetUpTestSuite() {
    reference_ = new TemporaryFolder("vae_reference");
    records_ = train_vae(tiny_jet_config(), reference_->path());
  }
  static void TearDownTestSuite() { delete reference_; }

  static TemporaryFolder* reference_;
  static std::vector<BetaStepRecord> records_;
};

TemporaryFolder* VaeTraining::reference_ = nullptr;
std::vector<BetaStepRecord> VaeTraining::records_;

TEST_F(VaeTraining, WritesTheRunFolder) {
  const VaeRunFolder folder(reference_->path());
  ASSERT_EQ(records_.size(), 4u);
  EXPECT_EQ(to_yaml(load_vae_config(folder.config_file())), to_yaml(tiny_jet_config()));
  EXPECT_EQ(lines_of(folder.schedule_file()).size(), 1u + 4u);
  const auto epochs = lines_of(folder.epoch_log());
  ASSERT_EQ(epochs.size(), 1u + 4u * 2u);
  EXPECT_EQ(epochs[0], epoch_log_header());
  const auto steps = step_numbers(reference_->path());
  ASSERT_EQ(steps.size(), 4u);
  for (size_t k = 0; k < steps.size(); ++k) {
    EXPECT_EQ(steps[k]["step"], k);
    EXPECT_EQ(steps[k]["kl_per_dim"].size(), 4u);
    EXPECT_EQ(steps[k]["phase"], k < 2 ? "priming" : "production");
  }
  // β in GeV is ⟨HT⟩ β̂, ⟨HT⟩ of these W jets ≈ 550 GeV
  EXPECT_NEAR(records_[0].beta / records_[0].beta_hat, 550.0, 30.0);
  const auto info = nlohmann::json::parse(std::ifstream(folder.run_info_file()));
  EXPECT_EQ(info["train_rows"], 180);
  EXPECT_EQ(info["validation_rows"], 120);
  const auto kept = folder.production_checkpoints();
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_DOUBLE_EQ(kept[0].first, 1e-2);
  EXPECT_DOUBLE_EQ(kept[1].first, 1e-1);
  // every phase's steps are kept, in training order
  const auto steps_kept = folder.step_checkpoints();
  ASSERT_EQ(steps_kept.size(), 4u);
  for (size_t k = 0; k < steps_kept.size(); ++k) {
    EXPECT_EQ(steps_kept[k].step, static_cast<int64_t>(k));
    EXPECT_EQ(steps_kept[k].phase, k < 2 ? "priming" : "production");
    EXPECT_DOUBLE_EQ(steps_kept[k].beta_hat, k % 2 == 0 ? 1e-2 : 1e-1);
  }
  EXPECT_EQ(steps_kept[1].path, folder.root() + "/checkpoints/priming/step_001_beta_hat_1.000000e-01.pt");
  const TrainedVae primed = load_trained_vae(reference_->path(), "step:1");
  EXPECT_EQ(primed.checkpoint.step, 1);
  EXPECT_EQ(primed.checkpoint.phase, "priming");
  EXPECT_EQ(load_trained_vae(reference_->path(), "1e-1").checkpoint.step, 3);
  EXPECT_THROW(load_trained_vae(reference_->path(), "step:7"), ConfigError);
  EXPECT_THROW(load_trained_vae(reference_->path(), "step:x"), ConfigError);
  for (const auto& r : records_) {
    EXPECT_TRUE(std::isfinite(r.validation_loss));
    EXPECT_GT(r.validation_distortion, 0.0);
    EXPECT_NEAR(r.validation_loss, r.validation_distortion / (2 * r.beta_hat * r.beta_hat) + r.validation_kl,
                1e-9 * r.validation_loss);
  }
}

TEST_F(VaeTraining, SameSeedGivesTheSameNumbers) {
  TemporaryFolder again("vae_again");
  train_vae(tiny_jet_config(), again.path());
  EXPECT_EQ(epoch_numbers(again.path()), epoch_numbers(reference_->path()));
  EXPECT_EQ(step_numbers(again.path()), step_numbers(reference_->path()));
  EXPECT_TRUE(same_weights(again.path(), reference_->path()));
}

TEST_F(VaeTraining, TwoThreadsGiveTheNumbersOfOne) {
  // Two threads run a batch's two shards side by side instead of one after the other.
  TemporaryFolder two_threads("vae_two_threads");
  VaeConfig config = tiny_jet_config();
  config.train.threads(2);
  train_vae(config, two_threads.path());
  EXPECT_EQ(epoch_numbers(two_threads.path()), epoch_numbers(reference_->path()));
  EXPECT_EQ(step_numbers(two_threads.path()), step_numbers(reference_->path()));
  EXPECT_TRUE(same_weights(two_threads.path(), reference_->path()));
}

TEST_F(VaeTraining, ResumedRunGivesTheNumbersOfAnUninterruptedOne) {
  TemporaryFolder run("vae_resumed");
  TrainingObserver kill_in_step_2;
  kill_in_step_2.on_epoch_end = [](const EpochRecord& e, torch::nn::Module&) {
    if (e.step == 2 && e.epoch == 0) throw SimulatedKill();
  };
  EXPECT_THROW(train_vae(tiny_jet_config(), run.path(), kill_in_step_2), SimulatedKill);
  {  // a kill -9 can also leave half a line behind
    std::ofstream torn(VaeRunFolder(run.path()).epoch_log(), std::ios::app);
    torn << "2,0,production,0.01,5.4";
  }
  int64_t first_resumed_step = -1;
  TrainingObserver watch;
  watch.on_start = [&](const TrainingStart& s) { first_resumed_step = s.completed_steps; };
  const auto resumed = resume_vae(run.path(), watch);
  EXPECT_EQ(first_resumed_step, 2);
  EXPECT_EQ(resumed.size(), 2u);
  EXPECT_EQ(epoch_numbers(run.path()), epoch_numbers(reference_->path()));
  EXPECT_EQ(step_numbers(run.path()), step_numbers(reference_->path()));
  EXPECT_TRUE(same_weights(run.path(), reference_->path()));
  EXPECT_TRUE(resume_vae(run.path()).empty());  // a finished run has nothing left to do
}

TEST_F(VaeTraining, RetriesAStepFromTheLastCheckpointAfterANaN) {
  TemporaryFolder run("vae_nan_once");
  TrainingObserver diverge_once;
  diverge_once.on_epoch_end = [](const EpochRecord& e, torch::nn::Module& model) {
    if (e.step == 1 && e.attempt == 0 && e.epoch == 0) poison(model);
  };
  const auto records = train_vae(tiny_jet_config(), run.path(), diverge_once);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[1].attempts, 2);
  EXPECT_EQ(records[2].attempts, 1);
  for (const auto& p : load_trained_vae(run.path()).model->module()->parameters())
    EXPECT_TRUE(torch::isfinite(p).all().item<bool>());
  // the failed attempt's epoch is in the log, marked attempt 0; the retry's rows say attempt 1
  const auto epochs = lines_of(VaeRunFolder(run.path()).epoch_log());
  EXPECT_EQ(epochs.size(), 1u + 4u * 2u + 1u);
  EXPECT_EQ(epochs[4].substr(0, 4), "1,1,");
}

TEST_F(VaeTraining, StopsWithAClearErrorWhenNaNsPersist) {
  TemporaryFolder run("vae_nan_always");
  TrainingObserver always_diverge;
  always_diverge.on_epoch_end = [](const EpochRecord& e, torch::nn::Module& model) {
    if (e.step == 0) poison(model);
  };
  try {
    train_vae(tiny_jet_config(), run.path(), always_diverge);
    FAIL() << "expected NumericalError";
  } catch (const NumericalError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("3 attempts"), std::string::npos) << message;
    EXPECT_NE(message.find("train.max_nan_retries=2"), std::string::npos) << message;
    EXPECT_NE(message.find("last.pt"), std::string::npos) << message;
  }
}

TEST_F(VaeTraining, RefusesToTrainOverAnExistingRun) {
  try {
    train_vae(tiny_jet_config(), reference_->path());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--resume"), std::string::npos);
  }
  EXPECT_THROW(resume_vae(*reference_ / "no_such_run"), IoError);
  // a start killed before its first checkpoint left only files that can be written again
  TemporaryFolder stillborn("vae_stillborn");
  fs::create_directories(stillborn.path());
  std::ofstream(VaeRunFolder(stillborn.path()).config_file()) << "train: {batch_size: 3}\n";
  EXPECT_EQ(train_vae(tiny_jet_config(), stillborn.path()).size(), 4u);
}

TEST_F(VaeTraining, RefusesDataThatDoesNotFitTheModel) {
  TemporaryFolder run("vae_mismatch");
  VaeConfig config = tiny_jet_config();
  config.model.particles(30);
  EXPECT_THROW(train_vae(config, run.path()), ConfigError);
  config = tiny_jet_config();
  config.train.batch_size(500);
  EXPECT_THROW(train_vae(config, run.path()), ConfigError);
}

TEST_F(VaeTraining, EncodesAndDecodesWithAKeptStep) {
  TrainedVae trained = load_trained_vae(reference_->path(), "0.01");
  EXPECT_EQ(trained.checkpoint.phase, "production");
  EXPECT_EQ(trained.checkpoint.step, 2);
  const VaeData jets = VaeData::load(trained.config.data);
  const nn::GaussianPosterior posterior = encode_rows(*trained.model, jets, 128).gaussian;
  EXPECT_EQ(posterior.mean.sizes(), (std::vector<int64_t>{300, 4}));
  const auto arrays = decode_latents(*trained.model, posterior.mean, 128);
  ASSERT_EQ(arrays.size(), 1u);
  EXPECT_EQ(arrays[0].name, "particles");
  EXPECT_EQ(arrays[0].values.sizes(), (std::vector<int64_t>{300, 50, 3}));
  EXPECT_TRUE(at::allclose(arrays[0].values.select(2, 0).sum(1), at::ones({300}), 1e-5, 1e-5));
  try {
    load_trained_vae(reference_->path(), "0.5");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("kept: 0.01, 0.1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(decode_latents(*trained.model, at::zeros({3, 5})), InvalidArgument);
}

TEST(VaeRunFolder, ListsTheProductionCheckpointsOfRunsFromOtae01) {
  const fs::path root = fs::temp_directory_path() / ("otae_legacy_run_" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "checkpoints/production");
  std::ofstream(root / "beta_schedule.csv") << "step,phase,beta_hat,beta_GeV,learning_rate\n"
                                               "0,priming,0.01,5.4,0.001\n"
                                               "1,production,0.0031622776601683794,1.7,0.001\n"
                                               "2,production,0.01,5.4,0.001\n";
  for (const char* name : {"beta_hat_3.162278e-03.pt", "beta_hat_1.000000e-02.pt", "beta_hat_5.000000e-01.pt"})
    std::ofstream(root / "checkpoints/production" / name) << "weights";
  const std::vector<StepCheckpoint> found = VaeRunFolder(root.string()).step_checkpoints();
  fs::remove_all(root);
  ASSERT_EQ(found.size(), 2u);  // β̂ = 0.5 is in no schedule row
  EXPECT_EQ(found[0].step, 1);
  EXPECT_DOUBLE_EQ(found[0].beta_hat, 0.0031622776601683794);  // the schedule's exact value
  EXPECT_EQ(found[1].step, 2);
  EXPECT_EQ(found[1].phase, "production");
}

}  // namespace
}  // namespace otae::train
