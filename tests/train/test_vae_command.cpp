// `otae vae` as a user runs it: train on a toy, encode, decode, resume a finished run, and the
// one-line errors for an unknown configuration key and for resuming with overrides. Skipped when
// the otae executable has not been built.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "otae/data/hdf5.hpp"
#include "../support/run_otae.hpp"

namespace {

namespace fs = std::filesystem;

using otae::testing::Outcome;
using otae::testing::run_otae;

class VaeCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(OTAE_BINARY)) GTEST_SKIP() << OTAE_BINARY << " is not built";
    folder_ = fs::temp_directory_path() / ("otae_vae_command_" + std::to_string(::getpid()));
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  fs::path folder_;
};

const std::string kToy = "'toy:gaussian:2,1,0.5?n=2000&seed=4'";
const std::string kShortRun =
    " model.latent_dim=3 train.threads=1 train.steps_per_epoch=5 train.max_epochs=2 schedule.grid.log10_first=-1"
    " schedule.grid.points=2 schedule.zigzag.legs=0 schedule.priming.enabled=false "
    "schedule.production.learning_rate=0.01";

TEST_F(VaeCommand, TrainsEncodesAndDecodesAToy) {
  const std::string run = (folder_ / "run").string();
  const Outcome trained = run_otae("vae train --data " + kToy + " --out " + run + kShortRun, folder_);
  ASSERT_EQ(trained.status, 0) << trained.output;
  EXPECT_NE(trained.output.find("step 1 (2 of 2) production"), std::string::npos) << trained.output;

  const std::string latents = (folder_ / "latents.h5").string();
  const Outcome encoded = run_otae("vae encode " + run + " --step 0.1 --data " + kToy + " --out " + latents, folder_);
  ASSERT_EQ(encoded.status, 0) << encoded.output;
  EXPECT_EQ(otae::data::read_array(latents, "mu").sizes(), (std::vector<int64_t>{2000, 3}));
  EXPECT_GT(otae::data::read_array(latents, "sigma").min().item<double>(), 0.0);
  EXPECT_EQ(otae::data::read_attributes(latents).at("phase"), "production");

  const std::string decoded = (folder_ / "decoded.h5").string();
  const Outcome decoding = run_otae("vae decode " + run + " --latents " + latents + " --out " + decoded, folder_);
  ASSERT_EQ(decoding.status, 0) << decoding.output;
  EXPECT_EQ(otae::data::read_array(decoded, "x").sizes(), (std::vector<int64_t>{2000, 3}));

  const Outcome resumed = run_otae("vae train --resume " + run, folder_);
  EXPECT_EQ(resumed.status, 0) << resumed.output;
}

TEST_F(VaeCommand, ErrorsAreOneLineNamingTheProblem) {
  const std::string run = (folder_ / "run").string();
  const Outcome unknown = run_otae("vae train --data " + kToy + " --out " + run + " train.batchsize=5", folder_);
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.output.find("unknown configuration key 'train.batchsize'"), std::string::npos) << unknown.output;
  EXPECT_FALSE(fs::exists(run));

  ASSERT_EQ(run_otae("vae train --data " + kToy + " --out " + run + kShortRun, folder_).status, 0);
  const Outcome again = run_otae("vae train --data " + kToy + " --out " + run, folder_);
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.output.find("--resume"), std::string::npos) << again.output;
  const Outcome overridden = run_otae("vae train --resume " + run + " train.batch_size=5", folder_);
  EXPECT_EQ(overridden.status, 1);
  EXPECT_NE(overridden.output.find("drop"), std::string::npos) << overridden.output;
  const Outcome missing_step = run_otae("vae encode " + run + " --step 1e-4 --data " + kToy + " --out x.h5", folder_);
  EXPECT_EQ(missing_step.status, 1);
  EXPECT_NE(missing_step.output.find("kept: 0.1, 0.1778279"), std::string::npos) << missing_step.output;
}

}  // namespace
