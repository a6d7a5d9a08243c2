// Training with binary and circular latent variables: their KL per variable in beta_steps.jsonl,
// the loss with the annealed weight α on the binary KL, resuming to the numbers of an
// uninterrupted run, encoding them, and a Gaussian-only run's log without their entries.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "otae/train/vae_run.hpp"
#include "otae/train/vae_run_folder.hpp"
#include "otae/train/vae_trainer.hpp"

namespace otae::train {
namespace {

namespace fs = std::filesystem;

/// 240 W jets, width 16, two binary variables (α ramped over the first two of 4 β steps) and one
/// circular direction.
VaeConfig binary_config() {
  return parse_vae_config("", {"data.source=" OTAE_SOURCE_DIR "/samples/wjets_small.h5",
                               "data.max_rows=240",
                               "data.split={train: 0.5, validation: 0.5, test: 0.0, seed: 1}",
                               "model.latent_dim=3",
                               "model.binary.priors=[0.05, 0.5]",
                               "model.circular.dims=1",
                               "loss.binary_kl={weight: 1, initial_weight: 0.2, anneal_steps: 2}",
                               "model.particle_widths=[16]",
                               "model.jet_widths=[16]",
                               "model.decoder_widths=[16]",
                               "train.threads=1",
                               "train.batch_size=20",
                               "train.steps_per_epoch=3",
                               "train.max_epochs=2",
                               "train.validation_batch_size=60",
                               "schedule.grid.log10_first=-2",
                               "schedule.grid.log10_step=1",
                               "schedule.grid.points=2",
                               "schedule.zigzag.legs=0",
                               "schedule.priming.learning_rate=1e-3",
                               "schedule.production.learning_rate=1e-3"});
}

struct Folder {
  explicit Folder(const std::string& name)
      : path(fs::temp_directory_path() / ("otae_binary_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
  }
  ~Folder() { fs::remove_all(path); }
  fs::path path;
};

std::vector<nlohmann::json> steps_of(const fs::path& run) {
  std::vector<nlohmann::json> steps;
  std::ifstream in(VaeRunFolder(run.string()).step_log());
  for (std::string line; std::getline(in, line);) {
    steps.push_back(nlohmann::json::parse(line));
    steps.back().erase("seconds");
  }
  return steps;
}

TEST(BinaryLatentTraining, LogsEachVariablesKlAndResumesToTheSameNumbers) {
  Folder reference("reference");
  const auto records = train_vae(binary_config(), reference.path.string());
  const auto steps = steps_of(reference.path);
  ASSERT_EQ(steps.size(), 4u);
  for (size_t k = 0; k < steps.size(); ++k) {
    ASSERT_EQ(steps[k]["binary_kl_per_dim"].size(), 2u);
    ASSERT_EQ(steps[k]["circular_kl_per_dim"].size(), 1u);
    double total = 0.0, gaussian = steps[k]["circular_kl_per_dim"][0], binary = 0.0;
    for (double v : steps[k]["kl_per_dim"]) gaussian += v;
    for (double v : steps[k]["binary_kl_per_dim"]) binary += v;
    total = gaussian + binary;
    EXPECT_NEAR(steps[k]["val_kl"].get<double>(), total, 1e-9 * total);
    const double alpha = binary_config().binary_kl.at_step(static_cast<int64_t>(k));
    const double beta_hat = records[k].beta_hat;
    EXPECT_NEAR(records[k].validation_loss,
                records[k].validation_distortion / (2 * beta_hat * beta_hat) + gaussian + alpha * binary,
                1e-9 * records[k].validation_loss);
  }

  Folder resumed("resumed");
  TrainingObserver kill_in_step_2;
  kill_in_step_2.on_epoch_end = [](const EpochRecord& e, torch::nn::Module&) {
    if (e.step == 2 && e.epoch == 1) throw std::runtime_error("simulated kill");
  };
  EXPECT_THROW(train_vae(binary_config(), resumed.path.string(), kill_in_step_2), std::runtime_error);
  resume_vae(resumed.path.string());
  EXPECT_EQ(steps_of(resumed.path), steps);

  TrainedVae trained = load_trained_vae(reference.path.string());
  const nn::LatentPosterior posterior = encode_rows(*trained.model, VaeData::load(trained.config.data), 100);
  EXPECT_EQ(posterior.binary_log_alpha.sizes(), (std::vector<int64_t>{240, 2}));
  EXPECT_EQ(posterior.circular_mean.sizes(), (std::vector<int64_t>{240, 1}));
  EXPECT_EQ(decode_latents(*trained.model, at::zeros({2, 3 + 2 + 2}))[0].values.size(0), 2);
}

TEST(BinaryLatentTraining, GaussianRunsLogNoBinaryKl) {
  Folder run("gaussian");
  VaeConfig config = binary_config();
  config.model.binary_priors({}).circular_dim(0);
  config.schedule.production(false);
  train_vae(config, run.path.string());
  for (const auto& step : steps_of(run.path)) {
    EXPECT_FALSE(step.contains("binary_kl_per_dim"));
    EXPECT_FALSE(step.contains("circular_kl_per_dim"));
  }
}

}  // namespace
}  // namespace otae::train
