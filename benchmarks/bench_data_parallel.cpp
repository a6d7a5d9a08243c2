// Data-parallel work over c10d (Gloo, loopback) against one process in the same run. EMD-VAE
// training steps per second: one process on one thread computes both shards of each batch of 100
// W jets; two processes on one thread each compute one shard and sum their gradients; one process
// on two threads (the trainer's concurrent shards) is the other way to use two cores. The exact
// symmetric EMD matrix of 400 W jets: one process on one thread against two processes on one
// thread each, each its balanced shard, summed by all-reduce (as `otae emd` under a launcher).
// The parent measures one process, then starts itself twice as ranks 0 and 1 (RANK, WORLD_SIZE,
// MASTER_*).
#include <ATen/CPUGeneratorImpl.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "median_time.hpp"
#include "otae/data/distance_shards.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/ot/pairwise.hpp"
#include "otae/train/cpu_compute.hpp"
#include "otae/train/distributed.hpp"
#include "otae/train/flat_adam.hpp"
#include "otae/train/vae_config.hpp"
#include "otae/train/vae_data.hpp"
#include "otae/train/vae_model.hpp"
#include "otae/train/vae_step.hpp"

namespace {

using otae::train::VaeConfig;

constexpr int64_t kBatch = 100;
constexpr double kBetaHat = 1e-2;

VaeConfig config_named(const std::string& name) {
  const std::vector<std::string> overrides = {"data.source=" OTAE_SOURCE_DIR "/samples/wjets_small.h5"};
  if (name == "paper") return otae::train::parse_vae_config("", overrides);
  return otae::train::load_vae_config(OTAE_SOURCE_DIR "/configs/vae/wjets_cpu.yaml", overrides);
}

/// Median ms of the trainer's step in this process (its rank's shards, the gradient sum, Adam),
/// and of the gradient sum alone.
std::pair<double, double> median_step_ms(const std::string& network, int threads, int repeats) {
  otae::train::DataParallel& parallel = otae::train::data_parallel();
  const VaeConfig config = config_named(network);
  const otae::train::VaeData jets = otae::train::VaeData::load(config.data);
  const otae::train::ShardRange mine = parallel.my_shards(otae::train::kBatchShards);
  const otae::train::BatchShards shards{parallel.shards(otae::train::kBatchShards), mine.first, mine.count};
  const otae::train::ShardCompute compute = mine.count > 1 ? otae::train::shard_compute_threads(threads)
                                                           : otae::train::ShardCompute{false, threads};
  otae::train::configure_cpu_compute(compute.intra_op_threads);
  at::manual_seed(0);
  auto model = otae::train::make_vae_model(config);
  const std::vector<at::Tensor> parameters = model->module()->parameters();
  parallel.broadcast_from_root(parameters);
  otae::train::FlatAdam adam(parameters, torch::optim::AdamOptions(1e-5).eps(1e-7));
  std::vector<at::Generator> noise;
  for (int64_t s = 0; s < shards.total; ++s) noise.push_back(at::make_generator<at::CPUGeneratorImpl>(s));
  const otae::train::VaeBatch batch = jets.batch(at::arange(kBatch, at::kLong));
  const double step = median_ms(
      [&] {
        adam.zero_grad();
        otae::train::accumulate_vae_gradient(*model, batch, kBetaHat, 1.0, noise, compute.concurrent_shards, shards);
        parallel.sum_gradients(parameters, false);
        adam.step();
      },
      repeats);
  return {step, median_ms([&] { parallel.sum_gradients(parameters, false); }, repeats)};
}

constexpr int64_t kEmdJets = 400;

/// Median ms of this process's part of the exact symmetric EMD matrix (all of it alone), on one thread.
double median_emd_ms(int repeats) {
  otae::train::DataParallel& parallel = otae::train::data_parallel();
  otae::train::configure_cpu_compute(1);
  const at::Tensor jets =
      otae::data::read_jet_particles(OTAE_SOURCE_DIR "/samples/wjets_small.h5").narrow(0, 0, kEmdJets);
  const auto options = otae::ot::PairwiseOptions().threads(1);
  return median_ms(
      [&] {
        if (parallel.world_size() == 1) {
          otae::ot::exact_emd_symmetric(jets, options);
          return;
        }
        otae::data::DistanceShard shard;
        shard.layout = otae::data::DistanceLayout::kSymmetric;
        shard.rows = shard.columns = kEmdJets;
        const auto entries = otae::ot::exact_emd_symmetric_shard(jets, parallel.rank(), parallel.world_size(), options);
        shard.entry_rows = entries.rows, shard.entry_columns = entries.columns, shard.values = entries.values;
        at::Tensor matrix = otae::data::scattered_distances(shard);
        parallel.sum(matrix);
      },
      repeats);
}

/// Rank 0's median ms (step, gradient sum; the EMD matrix) of two processes started from this
/// program, on one thread each.
std::pair<double, double> two_processes_ms(const char* program, const std::string& network, int repeats) {
  const std::string out = "/tmp/otae_bench_data_parallel_" + std::to_string(::getpid());
  std::string command;
  for (int rank : {0, 1})
    command += "RANK=" + std::to_string(rank) + " WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" +
               std::to_string(29700 + ::getpid() % 1000) + " " + program + " --rank-of " + network + " " +
               std::to_string(repeats) + (rank == 0 ? " > " + out : std::string(" > /dev/null")) + " & ";
  command += "wait";
  std::pair<double, double> ms{-1, -1};
  if (std::system(command.c_str()) != 0) return ms;
  std::ifstream(out) >> ms.first >> ms.second;
  std::remove(out.c_str());
  return ms;
}

}  // namespace

/// Arguments name the networks (study, paper) and emd; none measures the study's network and emd. A rank started by the
/// parent gets `--rank-of NETWORK REPEATS` and prints its median step ms.
int main(int argc, char** argv) {
  otae::train::keep_freed_memory();
  if (argc == 4 && std::string(argv[1]) == "--rank-of") {
    const std::string what = argv[2];
    const auto ms = what == "emd" ? std::make_pair(median_emd_ms(std::atoi(argv[3])), 0.0)
                                  : median_step_ms(what, 1, std::atoi(argv[3]));
    std::printf("%.4f %.4f\n", ms.first, ms.second);
    return 0;
  }
  if (!otae::train::distributed_backend_built()) {
    std::printf("bench_data_parallel: this otae was built without c10d's Gloo backend (libgloo-dev)\n");
    return 0;
  }
  std::vector<std::string> networks(argv + 1, argv + argc);
  if (networks.empty()) networks = {"study", "emd"};
  std::printf("EMD-VAE training step, batch %ld W jets, beta_hat %g: median ms and steps/s\n", static_cast<long>(kBatch),
              kBetaHat);
  std::printf("%-6s %-30s %9s %8s %8s\n", "config", "processes x threads", "step ms", "steps/s", "vs 1x1");
  for (const std::string& network : networks) {
    if (network == "emd") {
      const double one = median_emd_ms(5), two = two_processes_ms(argv[0], "emd", 5).first;
      std::printf("exact symmetric EMD matrix, %ld W jets (%ld pairs), median ms\n", static_cast<long>(kEmdJets),
                  static_cast<long>(kEmdJets * (kEmdJets - 1) / 2));
      std::printf("%-6s %-30s %9.1f %8s %7.2fx\n", "emd", "1 x 1 (reference)", one, "", 1.0);
      std::printf("%-6s %-30s %9.1f %8s %7.2fx\n", "emd", "2 x 1 (c10d Gloo, loopback)", two, "", one / two);
      continue;
    }
    const int repeats = network == "paper" ? 5 : 60;
    const double one = median_step_ms(network, 1, repeats).first;
    const double threads = median_step_ms(network, 2, repeats).first;
    const auto [two, gradient_sum] = two_processes_ms(argv[0], network, repeats);
    const std::pair<const char*, double> rows[] = {
        {"1 x 1 (reference)", one}, {"1 x 2 (concurrent shards)", threads}, {"2 x 1 (c10d Gloo, loopback)", two}};
    for (const auto& [label, ms] : rows)
      std::printf("%-6s %-30s %9.2f %8.1f %7.2fx\n", network.c_str(), label, ms, 1000.0 / ms, one / ms);
    std::printf("%-6s %-30s %9.2f\n", network.c_str(), "  of which the gradient sum", gradient_sum);
    std::fflush(stdout);
  }
  return 0;
}
