// The known answer of Collins 2021, appendix A.3: a linear VAE on a Gaussian with standard
// deviations σ̄ = (2, 1, 0.5, 0.25), with loss ‖x − x̂‖²/(2β²) + KL, has at its optimum
//   KLᵢ = max(0, −log(β/σ̄ᵢ)),   Dᵢ = ⟨(xᵢ − ρ(z)ᵢ)²⟩ = min(β², σ̄ᵢ²),
// so that D1 = −dKL/d ln β and D2 = dD/dβ² both count the directions with σ̄ᵢ > β. Trained
// through a β schedule with the production trainer, on a grid of ratio √2 placed so that every
// σ̄ᵢ lies midway (in ln β) between two neighbours; D1 and D2 are checked between neighbours on
// one side of every transition.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "otae/data/split.hpp"
#include "otae/train/vae_run.hpp"
#include "otae/train/vae_trainer.hpp"

namespace otae::train {
namespace {

const std::vector<double> kSigma = {2.0, 1.0, 0.5, 0.25};

/// β_m = 0.25 · 2^(−5/4) · √2^m, m = 0…10: 0.105 … 3.36, two points on each side of 0.25,
/// 0.5, 1 and 2 at 2^(±1/4) of them.
VaeConfig appendix_config() {
  const double log10_first = std::log10(0.25) - 1.25 * std::log10(2.0);
  return parse_vae_config(
      "", {"data.source=toy:gaussian:2,1,0.5,0.25?n=50000&seed=1", "data.split={train: 0.6, validation: 0.4, test: 0}",
           "model.latent_dim=4", "train.threads=1", "train.batch_size=500", "train.steps_per_epoch=200",
           "train.max_epochs=40", "train.validation_batch_size=20000", "train.reduce_lr.patience=2",
           "train.reduce_lr.min_delta=1e-5", "train.early_stopping.patience=4", "schedule.priming.enabled=false",
           "schedule.zigzag.legs=0", "schedule.production.learning_rate=0.01", "schedule.grid.points=11",
           "schedule.grid.log10_first=" + std::to_string(log10_first),
           "schedule.grid.log10_step=" + std::to_string(0.5 * std::log10(2.0))});
}

int active_directions(double beta) {
  return static_cast<int>(std::count_if(kSigma.begin(), kSigma.end(), [beta](double s) { return s > beta; }));
}

/// Dᵢ of each data coordinate on the validation rows, z drawn from the posterior.
std::vector<double> distortion_per_coordinate(const std::string& run, double beta_hat) {
  char step[32];
  std::snprintf(step, sizeof step, "%.17g", beta_hat);
  TrainedVae trained = load_trained_vae(run, step);
  const VaeData data = VaeData::load(trained.config.data);
  const at::Tensor rows = data::split_rows(data.size(), trained.config.split).validation;
  const at::Tensor x = data.batch(rows).targets;
  torch::NoGradGuard no_grad;
  at::Generator noise = at::make_generator<at::CPUGeneratorImpl>(5);
  const at::Tensor z = nn::sample_latent(trained.model->encode(x), noise);
  const at::Tensor decoded = decode_latents(*trained.model, z).front().values;
  const at::Tensor d = (x - decoded).square().to(at::kDouble).mean(0);
  return {d.data_ptr<double>(), d.data_ptr<double>() + d.numel()};
}

TEST(LinearVaeAppendix, KlSpectrumAndDimensionsFollowTheGaussiansScales) {
  const std::filesystem::path run =
      std::filesystem::temp_directory_path() / ("otae_vae_appendix_" + std::to_string(::getpid()));
  std::filesystem::remove_all(run);
  const std::vector<BetaStepRecord> steps = train_vae(appendix_config(), run.string());
  ASSERT_EQ(steps.size(), 11u);

  std::printf("%8s | %-32s | %8s %8s | %6s %6s | %s\n", "beta", "KL per direction (sorted)", "D", "expected", "D1",
              "D2", "active");
  for (size_t j = 0; j < steps.size(); ++j) {
    const double beta = steps[j].beta_hat;
    std::vector<double> kl = steps[j].kl_per_dim;
    std::sort(kl.rbegin(), kl.rend());
    double expected_d = 0;
    for (double s : kSigma) expected_d += std::min(beta * beta, s * s);
    char d1d2[32] = "";
    if (j > 0) {
      const BetaStepRecord& lower = steps[j - 1];
      const double d1 = -(steps[j].validation_kl - lower.validation_kl) / std::log(beta / lower.beta_hat);
      const double d2 = (steps[j].validation_distortion - lower.validation_distortion) /
                        (beta * beta - lower.beta_hat * lower.beta_hat);
      std::snprintf(d1d2, sizeof d1d2, "%6.3f %6.3f", d1, d2);
      // Between neighbours with the same directions active, both count them.
      const int n = active_directions(beta);
      if (n == active_directions(lower.beta_hat)) {
        EXPECT_NEAR(d1, n, 0.25) << "D1 between beta = " << lower.beta_hat << " and " << beta;
        EXPECT_NEAR(d2, n, 0.25) << "D2 between beta = " << lower.beta_hat << " and " << beta;
      }
    }
    std::printf("%8.4f | %7.3f %7.3f %7.3f %7.3f | %8.5f %8.5f | %13s | %d\n", beta, kl[0], kl[1], kl[2], kl[3],
                steps[j].validation_distortion, expected_d, d1d2, active_directions(beta));
    for (size_t i = 0; i < kSigma.size(); ++i)
      EXPECT_NEAR(kl[i], std::max(0.0, -std::log(beta / kSigma[i])), 0.05) << "beta = " << beta << ", direction " << i;
    EXPECT_NEAR(steps[j].validation_distortion, expected_d, 0.03 * expected_d) << "beta = " << beta;
    const std::vector<double> d = distortion_per_coordinate(run.string(), beta);
    for (size_t i = 0; i < kSigma.size(); ++i)
      EXPECT_NEAR(d[i], std::min(beta * beta, kSigma[i] * kSigma[i]),
                  0.05 * std::min(beta * beta, kSigma[i] * kSigma[i]))
          << "beta = " << beta << ", coordinate " << i;
  }
  std::filesystem::remove_all(run);
}

}  // namespace
}  // namespace otae::train
