// Every command that computes with a model takes --device and reads it through the one
// resolve_device, before it reads any data: asked for CUDA on a machine without it, each one stops
// at once with that function's message naming --device and the value. A command without the
// option, or one that reads it some other way or not at all, fails here. The configuration keys
// train.device and training.device go the same way. (On a CUDA machine the tests skip: there
// cuda is valid, and test_device.cpp runs the commands' work on it.)
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <filesystem>

#include "../support/run_otae.hpp"

namespace {

using otae::testing::CommandTest;
using otae::testing::Outcome;

const std::string kSource = std::string(OTAE_SOURCE_DIR);
const std::string kSamples = kSource + "/samples/";

class DeviceOptions : public CommandTest {
 protected:
  DeviceOptions() : CommandTest("device_options") {}
  void SetUp() override {
    if (torch::cuda::is_available()) GTEST_SKIP() << "CUDA is available here: cuda is a valid device";
    CommandTest::SetUp();
    // An empty folder stands for a run: the device is refused before the run is read.
    std::filesystem::create_directories(run_);
  }

  void expect_refused(const std::string& command, const std::string& named) const {
    const Outcome outcome = otae(command);
    EXPECT_EQ(outcome.status, 1) << "otae " << command << ": " << outcome.output;
    EXPECT_EQ(outcome.diagnostics.rfind("otae: error: " + named + ": this LibTorch has no CUDA device", 0), 0u)
        << "otae " << command << ": " << outcome.diagnostics;
  }

  const std::string run_ = folder_.path() + "/run";
};

TEST_F(DeviceOptions, EveryModelCommandReadsDeviceThroughResolveDevice) {
  const std::string vae_config = " --config " + kSource + "/configs/vae/quick.yaml";
  const std::string otus_files = " --config " + kSource + "/configs/otus/zee_quick.yaml --data " + kSamples + "zee_small.h5";
  const std::string jets = kSamples + "wjets_small.h5";
  const std::string out = " --out " + folder_.path() + "/out";
  for (const std::string command : {
           "vae train" + vae_config + " --data " + jets + out,
           "vae train --resume " + run_,
           "vae study" + vae_config + " --data " + jets + out,
           "vae encode " + run_ + " --data " + jets + out + ".h5",
           "vae decode " + run_ + " --latents " + jets + out + ".h5",
           "vae analyze " + run_,
           "otus train" + otus_files + out,
           "otus train --resume " + run_,
           "otus sweep " + folder_.path() + "/sweep --parameter seed --values 1" + otus_files,
           "otus evaluate " + run_ + " --data " + kSamples + "zee_small.h5",
           "otus simulate " + run_ + " --z " + kSamples + "zee_small.h5" + out + ".h5",
           "otus unfold " + run_ + " --x " + kSamples + "zee_small.h5" + out + ".h5",
       })
    expect_refused(command + " --device cuda:1", "--device cuda:1");
}

TEST_F(DeviceOptions, ConfigurationKeysGoThroughResolveDevice) {
  expect_refused("vae train --data 'toy:gaussian:2,1?n=200' --out " + folder_.path() + "/vae train.device=cuda",
                 "train.device cuda");
  expect_refused("otus train --config " + kSource + "/configs/otus/zee_quick.yaml --data " + kSamples +
                     "zee_small.h5 --out " + folder_.path() + "/otus training.device=cuda",
                 "training.device cuda");
}

}  // namespace
