// EMD-VAE training speed on CPU: one step = encode, sample, decode, Sinkhorn Ŝ² with its explicit
// gradient, KL, backward, Adam. The paper's network (≈ 93 GFLOP per step at batch 100, most of it
// in the per-particle 1024-wide layers over 5,000 rows) against the quick configuration, with
// the share of the step spent in the loss (Sinkhorn forward, which computes the gradient, and
// its backward). Uses every core: Debian's LibTorch would otherwise use one.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/adam.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>
#include <vector>

#include "median_time.hpp"
#include "otae/data/jet_dataset.hpp"
#include "otae/nn/gaussian_latent.hpp"
#include "otae/train/cpu_compute.hpp"
#include "otae/train/vae_config.hpp"
#include "otae/train/vae_data.hpp"
#include "otae/train/vae_loss.hpp"
#include "otae/train/vae_model.hpp"

namespace {

using otae::train::VaeConfig;

/// Multiply-adds × 2 of one forward pass, times 3 for forward + backward (input and weight gradients).
double training_gflop(const VaeConfig& c, int64_t batch) {
  const auto& m = c.model;
  auto chain = [](int64_t in, const std::vector<int64_t>& widths) {
    double macs = 0;
    for (int64_t w : widths) macs += double(in) * w, in = w;
    return macs;
  };
  const double rows = double(batch) * m.particles();
  const double per_particle = rows * chain(4, m.particle_widths());
  const double per_jet =
      batch * (chain(m.particle_widths().back(), m.jet_widths()) + 2.0 * m.jet_widths().back() * m.latent_dim());
  const double decoder =
      batch * (chain(m.latent_dim(), m.decoder_widths()) + double(m.decoder_widths().back()) * 4 * m.particles());
  return 3 * 2 * (per_particle + per_jet + decoder) / 1e9;
}

void measure(const char* label, const VaeConfig& config, const otae::train::VaeData& jets, int repeats) {
  constexpr int64_t kBatch = 100;
  constexpr double kBetaHat = 1e-3;
  at::manual_seed(0);
  auto model = otae::train::make_vae_model(config);
  torch::optim::Adam adam(model->module()->parameters(), torch::optim::AdamOptions(1e-5).eps(1e-7));
  at::Generator noise = at::make_generator<at::CPUGeneratorImpl>(1);
  const otae::train::VaeBatch batch = jets.batch(at::arange(kBatch, at::kLong));

  const double step_ms = median_ms(
      [&] {
        adam.zero_grad();
        const auto posterior = model->encode(batch.inputs, noise);
        const auto terms =
            otae::train::vae_loss(model->distortion(batch.targets, otae::nn::sample_latent(posterior, noise)),
                                  otae::nn::latent_kl_per_dim(posterior, model->mixed_latents()), kBetaHat, 1.0);
        terms.loss.backward();
        adam.step();
      },
      repeats);

  // The loss alone, on this model's decoded jets held as leaves.
  otae::nn::DecodedJets decoded;
  {
    torch::NoGradGuard no_grad;
    const auto arrays = model->decode_arrays(model->encode(batch.inputs).gaussian.mean);
    const at::Tensor particles = arrays.front().values;
    decoded = {particles.select(2, 0).contiguous(), particles.narrow(2, 1, 2).contiguous()};
  }
  const double loss_ms = median_ms(
      [&] {
        otae::nn::DecodedJets leaves{decoded.weights.clone().requires_grad_(true),
                                     decoded.positions.clone().requires_grad_(true)};
        otae::train::emd_distortion(batch.targets, leaves, config.sinkhorn).sum().backward();
      },
      repeats);

  const double gflop = training_gflop(config, kBatch);
  std::printf("%-6s %9.1f GFLOP  %10.1f ms  %8.3f steps/s  %7.1f GFLOP/s  loss %7.1f ms = %5.1f %% of the step\n",
              label, gflop, step_ms, 1000.0 / step_ms, gflop / (step_ms / 1000.0), loss_ms, 100.0 * loss_ms / step_ms);
}

}  // namespace

int main() {
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  otae::train::configure_cpu_compute(threads);
  const std::string sample = std::string(OTAE_SOURCE_DIR) + "/samples/wjets_small.h5";
  VaeConfig paper = otae::train::parse_vae_config("", {"data.source=" + sample});
  VaeConfig quick =
      otae::train::load_vae_config(std::string(OTAE_SOURCE_DIR) + "/configs/vae/quick.yaml", {"data.source=" + sample});
  const otae::train::VaeData jets = otae::train::VaeData::load(paper.data);
  std::printf("EMD-VAE training step, batch 100 W jets x 50 particles, beta_hat 1e-3, %d threads, CPU\n", threads);
  std::printf("%-6s %15s %13s %14s %15s\n", "config", "per step", "median", "rate", "throughput");
  measure("quick", quick, jets, 20);
  measure("paper", paper, jets, 3);
  return 0;
}
