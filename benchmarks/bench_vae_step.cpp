// EMD-VAE training speed: the trainer's step (the batch's gradient in shards, then Adam) on 1
// thread and on every core, or on a GPU with --device cuda, and where the time of one unsharded
// pass goes (data, encode, sample and decode, Sinkhorn Ŝ² with its explicit gradient, KL,
// backward, Adam). Three networks: the quick configuration (centred jets), the W-jet CPU study's
// (configs/vae/wjets_cpu.yaml, uncentred jets) and the paper's (≈ 93 GFLOP per step at batch 100,
// most of it in the per-particle 1024-wide layers over 5,000 rows).
#include <ATen/CPUGeneratorImpl.h>
#include <torch/cuda.h>
#include <torch/optim/adam.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "median_time.hpp"
#include "otae/base/error.hpp"
#include "otae/base/threads.hpp"
#include "otae/nn/emd_vae.hpp"
#include "otae/nn/gaussian_latent.hpp"
#include "otae/train/cpu_compute.hpp"
#include "otae/train/device.hpp"
#include "otae/train/flat_adam.hpp"
#include "otae/train/vae_config.hpp"
#include "otae/train/vae_data.hpp"
#include "otae/train/vae_loss.hpp"
#include "otae/train/vae_model.hpp"
#include "otae/train/vae_step.hpp"

namespace {

using otae::train::VaeConfig;
using Clock = std::chrono::steady_clock;

constexpr int64_t kBatch = 100;
constexpr double kBetaHat = 1e-2;  // β ≈ 5.5 GeV: Sinkhorn at its sharpest in the study's range

/// Multiply-adds × 2 of one forward pass, times 3 for forward + backward (input and weight gradients).
double training_gflop(const VaeConfig& c) {
  const auto& m = c.model;
  auto chain = [](int64_t in, const std::vector<int64_t>& widths) {
    double macs = 0;
    for (int64_t w : widths) macs += double(in) * w, in = w;
    return macs;
  };
  const double rows = double(kBatch) * m.particles();
  const double per_particle = rows * chain(4, m.particle_widths());
  const double per_jet =
      kBatch * (chain(m.particle_widths().back(), m.jet_widths()) + 2.0 * m.jet_widths().back() * m.latent_dim());
  const double decoder =
      kBatch * (chain(m.latent_dim(), m.decoder_widths()) + double(m.decoder_widths().back()) * 4 * m.particles());
  return 3 * 2 * (per_particle + per_jet + decoder) / 1e9;
}

/// Waits until the device has finished what was queued, so that a clock reads the work done.
void wait_for(const at::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

constexpr std::array<const char*, 7> kParts = {"data", "encoder", "decoder", "sinkhorn", "kl", "backward", "adam"};
using PartTimes = std::array<double, kParts.size()>;

/// Median per part [ms] over `repeats` training steps (after one warm-up step) on batches drawn
/// in turn from the sample's rows.
PartTimes median_parts(const VaeConfig& config, const otae::train::VaeData& jets, int repeats, const at::Device& device) {
  at::manual_seed(0);
  otae::nn::EmdVae net(config.model.emd_vae());
  net->to(device);
  otae::train::FlatAdam adam(net->parameters(), torch::optim::AdamOptions(1e-5).eps(1e-7));
  at::Generator noise = at::make_generator<at::CPUGeneratorImpl>(1);
  std::vector<PartTimes> steps;
  for (int r = 0; r <= repeats; ++r) {
    PartTimes t{};
    auto tick = [&, last = Clock::now()](size_t part) mutable {
      wait_for(device);
      const auto now = Clock::now();
      t[part] = std::chrono::duration<double, std::milli>(now - last).count();
      last = now;
    };
    const int64_t first = (r * kBatch) % (jets.size() - kBatch);
    const otae::train::VaeBatch rows = jets.batch(at::arange(first, first + kBatch, at::kLong));
    const otae::train::VaeBatch batch{otae::train::to_device(rows.inputs, device),
                                      otae::train::to_device(rows.targets, device)};
    tick(0);
    adam.zero_grad();
    const auto posterior = net->encode(batch.inputs, noise);
    tick(1);
    const auto decoded = net->decode(otae::nn::sample_latent(posterior, noise));
    tick(2);
    const at::Tensor distortion = otae::train::emd_distortion(batch.targets, decoded, config.sinkhorn);
    tick(3);
    const auto terms = otae::train::vae_loss(
        distortion, otae::nn::latent_kl_per_dim(posterior, config.model.emd_vae().encoder().mixed_latents()),
        kBetaHat, 1.0);
    tick(4);
    terms.loss.backward();
    tick(5);
    adam.step();
    tick(6);
    if (r > 0) steps.push_back(t);
  }
  PartTimes median{};
  for (size_t p = 0; p < kParts.size(); ++p) {
    std::vector<double> ms;
    for (const PartTimes& s : steps) ms.push_back(s[p]);
    std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
    median[p] = ms[ms.size() / 2];
  }
  return median;
}

/// Median ms of the trainer's step: the sharded gradient (accumulate_vae_gradient) and Adam, by
/// the trainer's FlatAdam or, as the reference, LibTorch's per-tensor Adam (the same numbers).
template <typename Optimizer>
double median_step_ms(const VaeConfig& config, const otae::train::VaeData& jets, int repeats, int threads,
                      const at::Device& device) {
  const otae::train::ShardCompute compute = otae::train::shard_compute_threads(threads);
  otae::train::configure_cpu_compute(compute.intra_op_threads);
  at::manual_seed(0);
  auto model = otae::train::make_vae_model(config);
  model->module()->to(device);
  Optimizer adam(model->module()->parameters(), torch::optim::AdamOptions(1e-5).eps(1e-7));
  std::vector<at::Generator> noise;
  for (int64_t s = 0; s < otae::train::kBatchShards; ++s) noise.push_back(at::make_generator<at::CPUGeneratorImpl>(s));
  const otae::train::VaeBatch rows = jets.batch(at::arange(kBatch, at::kLong));
  const otae::train::VaeBatch batch{otae::train::to_device(rows.inputs, device),
                                    otae::train::to_device(rows.targets, device)};
  // as the trainer: the shards run side by side only on the CPU
  const bool concurrent_shards = compute.concurrent_shards && device.is_cpu();
  return median_ms(
      [&] {
        adam.zero_grad();
        otae::train::accumulate_vae_gradient(*model, batch, kBetaHat, 1.0, noise, concurrent_shards);
        adam.step();
        wait_for(device);
      },
      repeats);
}

void measure(const char* label, const VaeConfig& config, const otae::train::VaeData& jets, int repeats,
             const std::vector<int>& thread_counts, const at::Device& device) {
  double one_thread_ms = 0;
  for (int threads : thread_counts) {
    otae::train::configure_cpu_compute(threads);
    const PartTimes parts = median_parts(config, jets, repeats, device);
    const double reference_ms = median_step_ms<torch::optim::Adam>(config, jets, repeats, threads, device);
    const double step_ms = median_step_ms<otae::train::FlatAdam>(config, jets, repeats, threads, device);
    if (threads == thread_counts.front()) one_thread_ms = step_ms;
    std::printf("%-6s %7d %9.2f %8.2f %7.2fx %7.2fx %7.1f |", label, threads, step_ms, 1000.0 / step_ms,
                one_thread_ms / step_ms, reference_ms / step_ms, training_gflop(config) / (step_ms / 1000.0));
    double pass_ms = 0;
    for (double ms : parts) std::printf(" %8.2f", ms), pass_ms += ms;
    std::printf(" %8.2f\n", pass_ms);
    std::fflush(stdout);
  }
}

VaeConfig config_from(const std::string& file, const std::string& sample) {
  const std::vector<std::string> overrides = {"data.source=" + sample};
  return file.empty() ? otae::train::parse_vae_config("", overrides)
                      : otae::train::load_vae_config(std::string(OTAE_SOURCE_DIR) + "/" + file, overrides);
}

}  // namespace

/// Arguments name the networks to measure (quick, study, paper); none measures all three.
/// `--device cuda[:N]` measures on a GPU (host threads: 1 and every core, as on the CPU).
int main(int argc, char** argv) {
  std::vector<std::string> chosen(argv + 1, argv + argc);
  at::Device device = at::kCPU;
  if (const auto option = std::find(chosen.begin(), chosen.end(), "--device"); option != chosen.end()) {
    const bool named = option + 1 != chosen.end();
    try {
      device = otae::train::resolve_device(named ? *(option + 1) : "", "--device");
    } catch (const otae::ConfigError& e) {
      std::fprintf(stderr, "bench_vae_step: %s\n", e.what());
      return 2;
    }
    chosen.erase(option, named ? option + 2 : chosen.end());
  }
  auto wanted = [&](const std::string& label) {
    return chosen.empty() || std::find(chosen.begin(), chosen.end(), label) != chosen.end();
  };
  otae::train::keep_freed_memory();  // as the otae command does, so that the times are the CLI's
  const int cores = static_cast<int>(otae::thread_count(0));
  std::vector<int> thread_counts = {1};
  if (cores > 1) thread_counts.push_back(cores);
  const std::string sample = std::string(OTAE_SOURCE_DIR) + "/samples/wjets_small.h5";
  const VaeConfig quick = config_from("configs/vae/quick.yaml", sample);
  const VaeConfig study = config_from("configs/vae/wjets_cpu.yaml", sample);
  const VaeConfig paper = config_from("", sample);
  std::printf("EMD-VAE training step, batch %ld W jets x 50 particles, beta_hat %g, %s (CPU BLAS: %s); medians in ms\n",
              static_cast<long>(kBatch), kBetaHat, device.str().c_str(), otae::train::blas_kernels().c_str());
  std::printf("%-6s %7s %9s %8s %8s %8s %7s |", "config", "threads", "step ms", "steps/s", "vs 1T", "vs torch",
              "GFLOP/s");
  for (const char* part : kParts) std::printf(" %8s", part);
  std::printf(" %8s\n", "one pass");
  const otae::train::VaeData centred = otae::train::VaeData::load(quick.data);
  const otae::train::VaeData uncentred = otae::train::VaeData::load(study.data);
  if (wanted("quick")) measure("quick", quick, centred, 40, thread_counts, device);
  if (wanted("study")) measure("study", study, uncentred, 40, thread_counts, device);
  if (wanted("paper")) measure("paper", paper, centred, device.is_cpu() ? 3 : 20, thread_counts, device);
  return 0;
}
