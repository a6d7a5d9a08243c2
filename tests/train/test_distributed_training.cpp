// Data-parallel training over c10d: the launchers' environments, and two `otae` processes on
// loopback (ranks 0 and 1 of one run) that end with the parameters of one process computing the
// same global batches in two shards — for the VAE and OTUS, trained straight or resumed mid-way —
// and that write the EMD file of one process.
// Tolerance: 1e-5 of the largest weight, i.e. float32 round-off of gradients summed in another
// order after a few dozen Adam steps (one process adds shard 1's gradient onto shard 0's, Gloo
// sums the two ranks' buckets).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/train/config_file.hpp"
#include "otae/train/distributed.hpp"
#include "otae/train/otus_training.hpp"
#include "otae/train/vae_run.hpp"
#include "otae/train/vae_run_folder.hpp"
#include "otae/train/vae_trainer.hpp"
#include "../support/temporary_folder.hpp"

namespace otae::train {
namespace {

namespace fs = std::filesystem;
using otae::testing::TemporaryFolder;

ProcessPlace place_of(const std::map<std::string, std::string>& environment) {
  return process_place([&](const std::string& name) {
    const auto it = environment.find(name);
    return it == environment.end() ? std::string() : it->second;
  });
}

TEST(ProcessPlace, AloneWithoutALauncher) {
  const ProcessPlace alone = place_of({});
  EXPECT_EQ(alone.world_size, 1);
  EXPECT_EQ(alone.rank, 0);
  EXPECT_EQ(alone.launcher, "none");
}

TEST(ProcessPlace, ReadsEachLaunchersVariables) {
  const ProcessPlace torchrun = place_of(
      {{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "10.0.0.7"}, {"MASTER_PORT", "1234"}});
  EXPECT_EQ(torchrun.launcher, "torchrun");
  EXPECT_EQ(torchrun.rank, 3);
  EXPECT_EQ(torchrun.world_size, 4);
  EXPECT_EQ(torchrun.local_rank, 1);
  EXPECT_EQ(torchrun.master_addr, "10.0.0.7");
  EXPECT_EQ(torchrun.master_port, 1234);

  const ProcessPlace mpirun = place_of(
      {{"OMPI_COMM_WORLD_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "2"}, {"OMPI_COMM_WORLD_LOCAL_RANK", "1"}});
  EXPECT_EQ(mpirun.launcher, "mpirun");
  EXPECT_EQ(mpirun.rank, 1);
  EXPECT_EQ(mpirun.world_size, 2);
  EXPECT_EQ(mpirun.master_addr, "127.0.0.1");
  EXPECT_EQ(mpirun.master_port, 29500);

  const ProcessPlace srun = place_of({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "1"},
                                      {"SLURM_LAUNCH_NODE_IPADDR", "10.1.2.3"}});
  EXPECT_EQ(srun.launcher, "srun");
  EXPECT_EQ(srun.rank, 5);
  EXPECT_EQ(srun.world_size, 8);
  EXPECT_EQ(srun.master_addr, "10.1.2.3");
  // PyTorch's variables win over Slurm's, as when torchrun runs inside an allocation
  EXPECT_EQ(place_of({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "8"}, {"RANK", "0"}, {"WORLD_SIZE", "2"}}).world_size, 2);
}

TEST(ProcessPlace, RefusesBadValuesNamingTheVariable) {
  auto message = [](const std::map<std::string, std::string>& environment) {
    try {
      place_of(environment);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"RANK", "two"}, {"WORLD_SIZE", "4"}}).find("RANK='two'"), std::string::npos);
  EXPECT_NE(message({{"RANK", "4"}, {"WORLD_SIZE", "4"}}).find("RANK=4 is not below WORLD_SIZE=4"), std::string::npos);
  EXPECT_NE(message({{"MASTER_PORT", "70000"}}).find("MASTER_PORT=70000"), std::string::npos);
}

TEST(DataParallel, OneProcessComputesEveryShard) {
  const DataParallel alone(place_of({}));
  EXPECT_EQ(alone.shards(2), 2);
  EXPECT_EQ(alone.my_shards(2).first, 0);
  EXPECT_EQ(alone.my_shards(2).count, 2);
  EXPECT_TRUE(alone.writes_files());
}

/// A TCP port that was free a moment ago on 127.0.0.1.
int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  ::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(s);
  return ntohs(address.sin_port);
}

/// Runs `otae ARGUMENTS` as ranks 0 and 1 of one run over loopback, in `folder`; their output
/// goes to rank_<r>.{out,err} there. Returns the sum of their exit statuses.
int run_two_ranks(const std::string& arguments, const std::string& folder) {
  const std::string port = std::to_string(free_port());
  std::string command = "cd '" + folder + "' || exit 1; ";
  for (int rank : {0, 1})
    command += "RANK=" + std::to_string(rank) + " WORLD_SIZE=2 LOCAL_RANK=" + std::to_string(rank) +
               " MASTER_ADDR=127.0.0.1 MASTER_PORT=" + port + " " + OTAE_BINARY + " " + arguments + " > rank_" +
               std::to_string(rank) + ".out 2> rank_" + std::to_string(rank) + ".err & p" + std::to_string(rank) +
               "=$!; ";
  command += "wait $p0; s0=$?; wait $p1; s1=$?; exit $((s0 + s1))";
  return WEXITSTATUS(std::system(command.c_str()));
}

std::string stderr_of_ranks(const std::string& folder) {
  std::string text;
  for (const char* name : {"rank_0.err", "rank_1.err"})
    if (fs::exists(fs::path(folder) / name)) text += std::string(name) + ": " + read_text_file(folder + "/" + name);
  return text;
}

/// The largest |a − b| over every weight, and the largest |a|.
struct WeightDifference {
  double largest_difference = 0, largest_weight = 0;
};
WeightDifference difference(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  EXPECT_EQ(a.size(), b.size());
  WeightDifference d;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    d.largest_difference = std::max(d.largest_difference, (a[i] - b[i]).abs().max().item<double>());
    d.largest_weight = std::max(d.largest_weight, a[i].abs().max().item<double>());
  }
  return d;
}

constexpr double kTolerance = 1e-5;  // of the largest weight

class TwoProcesses : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!distributed_backend_built()) GTEST_SKIP() << "this otae was built without c10d's Gloo backend (libgloo-dev)";
    if (!fs::exists(OTAE_BINARY)) GTEST_SKIP() << OTAE_BINARY << " is not built";
    fs::create_directories(folder_.path());
  }
  TemporaryFolder folder_{"two_processes"};
};

/// The tiny jet VAE of test_vae_training.cpp: 300 W jets, width 16, 4 β steps of 2 epochs × 4 batches of 20.
const std::vector<std::string> kTinyVae = {
    "data.source=" OTAE_SOURCE_DIR "/samples/wjets_small.h5", "data.max_rows=300",
    "data.split={train: 0.6, validation: 0.4, test: 0.0, seed: 3}", "model.latent_dim=4", "model.particle_widths=[16]",
    "model.jet_widths=[16]", "model.decoder_widths=[16]", "train.threads=1", "train.batch_size=20",
    "train.steps_per_epoch=4", "train.max_epochs=2", "train.validation_batch_size=60", "schedule.grid.log10_first=-2",
    "schedule.grid.log10_step=1", "schedule.grid.points=2", "schedule.zigzag.legs=0",
    "schedule.priming.learning_rate=1e-3", "schedule.production.learning_rate=1e-3"};

std::string quoted(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words) text += " '" + w + "'";
  return text;
}

std::vector<at::Tensor> vae_weights(const std::string& run) {
  return load_trained_vae(run).model->module()->parameters();
}

TEST_F(TwoProcesses, VaeTakesTheStepsOfOneProcess) {
  const std::string one = folder_ / "one", two = folder_ / "two";
  train_vae(parse_vae_config("", kTinyVae), one);
  ASSERT_EQ(run_two_ranks("vae train --out " + two + quoted(kTinyVae), folder_.path()), 0) << stderr_of_ranks(folder_.path());
  const WeightDifference d = difference(vae_weights(one), vae_weights(two));
  EXPECT_LE(d.largest_difference, kTolerance * d.largest_weight);
  std::printf("VAE, 32 steps: largest weight difference %.3g of largest weight %.3g\n", d.largest_difference,
              d.largest_weight);
  // rank 0 alone wrote the run folder and its logs, and one line of each step's record
  EXPECT_EQ(VaeRunFolder(two).production_checkpoints().size(), 2u);
  EXPECT_EQ(fs::file_size(folder_ / "rank_1.out"), 0u);  // rank 1 prints nothing
  EXPECT_NE(read_text_file(folder_ / "rank_0.out").find("complete"), std::string::npos);
}

TEST_F(TwoProcesses, VaeResumesOneProcesssCheckpoint) {
  const std::string straight = folder_ / "straight", resumed = folder_ / "resumed";
  train_vae(parse_vae_config("", kTinyVae), straight);
  TrainingObserver kill_in_step_2;
  kill_in_step_2.on_epoch_end = [](const EpochRecord& e, torch::nn::Module&) {
    if (e.step == 2 && e.epoch == 0) throw std::runtime_error("simulated kill");
  };
  EXPECT_THROW(train_vae(parse_vae_config("", kTinyVae), resumed, kill_in_step_2), std::runtime_error);
  ASSERT_EQ(run_two_ranks("vae train --resume " + resumed, folder_.path()), 0) << stderr_of_ranks(folder_.path());
  const WeightDifference d = difference(vae_weights(straight), vae_weights(resumed));
  EXPECT_LE(d.largest_difference, kTolerance * d.largest_weight);
}

/// A small Z→ee run of configs/otus/zee_quick.yaml: 1,000 training events, batches of 250, two phases of 2 epochs.
const std::vector<std::string> kSmallOtus = {
    "phases.0.epochs=2", "phases.1.epochs=2", "data.max_train_events=1000", "training.batch_size=250",
    "training.threads=1", "loss.slices=20", "encoder.hidden=16", "decoder.hidden=16", "encoder.noise_hidden=8",
    "decoder.noise_hidden=8", "data.paired_fraction=0.1", "phases.1.weights.paired=0.5", "data.split.train=0.4",
    "data.split.validation=0.1", "phases.1.weights.mass=1"};
const std::string kZeeConfig = OTAE_SOURCE_DIR "/configs/otus/zee_quick.yaml";
const std::string kZeeData = OTAE_SOURCE_DIR "/samples/zee_small.h5";

std::vector<at::Tensor> otus_weights(const std::string& run) {
  OtusModel model = load_otus_model(run);
  std::vector<at::Tensor> weights = model.encoder->parameters();
  for (const auto& p : model.decoder->parameters()) weights.push_back(p);
  return weights;
}

void train_otus_alone(const std::string& run, const std::string& batch_shards) {
  std::vector<std::string> overrides = kSmallOtus;
  overrides.push_back("training.batch_shards=" + batch_shards);
  train_otus_run({kZeeConfig, overrides, kZeeData, "", run}, OtusTrainOptions().show_progress(false));
}

TEST_F(TwoProcesses, OtusTakesTheStepsOfOneProcessInTwoShards) {
  const std::string one = folder_ / "one", whole = folder_ / "whole", two = folder_ / "two";
  train_otus_alone(one, "2");
  train_otus_alone(whole, "1");
  const std::string arguments = "otus train --config " + kZeeConfig + " --data " + kZeeData + " --out " + two;
  ASSERT_EQ(run_two_ranks(arguments + quoted(kSmallOtus), folder_.path()), 0) << stderr_of_ranks(folder_.path());
  const WeightDifference d = difference(otus_weights(one), otus_weights(two));
  EXPECT_LE(d.largest_difference, kTolerance * d.largest_weight);
  std::printf("OTUS, 16 steps: largest weight difference %.3g of largest weight %.3g\n", d.largest_difference,
              d.largest_weight);
  // the test can tell: one process computing each batch whole ends elsewhere
  EXPECT_GT(difference(otus_weights(whole), otus_weights(two)).largest_difference, 100 * kTolerance * d.largest_weight);
  EXPECT_EQ(fs::file_size(folder_ / "rank_1.out"), 0u);  // rank 1 prints nothing
}

TEST_F(TwoProcesses, OtusStoppedAndResumedTakesTheStepsOfOneProcess) {
  const std::string one = folder_ / "one", two = folder_ / "two";
  train_otus_alone(one, "2");
  const std::string start = "otus train --config " + kZeeConfig + " --data " + kZeeData + " --out " + two +
                            " --max-epochs 3" + quoted(kSmallOtus);
  ASSERT_EQ(run_two_ranks(start, folder_.path()), 0) << stderr_of_ranks(folder_.path());
  ASSERT_FALSE(fs::exists(fs::path(two) / "model.pt"));  // stopped in the second phase
  ASSERT_EQ(run_two_ranks("otus train --resume " + two, folder_.path()), 0) << stderr_of_ranks(folder_.path());
  const WeightDifference d = difference(otus_weights(one), otus_weights(two));
  EXPECT_LE(d.largest_difference, kTolerance * d.largest_weight);
}

TEST_F(TwoProcesses, EmdWritesTheFileOfOneProcess) {
  const std::string w = OTAE_SOURCE_DIR "/samples/wjets_small.h5", q = OTAE_SOURCE_DIR "/samples/qcdjets_small.h5";
  for (const std::string& inputs : {w + " " + w + " --max-jets 80", w + " " + q + " --max-jets 60 --paired"}) {
    const std::string one = folder_ / "one.h5", two = folder_ / "two.h5";
    ASSERT_EQ(std::system((std::string(OTAE_BINARY) + " emd " + inputs + " --threads 1 --out " + one + " > /dev/null 2>&1").c_str()), 0);
    ASSERT_EQ(run_two_ranks("emd " + inputs + " --threads 1 --out " + two, folder_.path()), 0) << stderr_of_ranks(folder_.path());
    const at::Tensor a = data::read_array(one, "distances"), b = data::read_array(two, "distances");
    EXPECT_TRUE(at::equal(a, b)) << inputs;  // bit for bit
    EXPECT_GT(a.min().item<double>() + a.max().item<double>(), 0.0);
    EXPECT_EQ(fs::file_size(folder_ / "rank_1.out"), 0u);
  }
}

}  // namespace
}  // namespace otae::train
