// Training an EMD-VAE (or the dense VAE on toys) through its β schedule, as the paper does:
// for each β step, Adam from the step's learning rate, reduce-on-plateau and early stopping on
// the loss over the whole validation set, a checkpoint at the end. A NaN or inf reloads the last
// checkpoint and retries the step; an interrupted run resumes from its last finished step and
// then gives the numbers an uninterrupted run gives (on CPU).
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "otae/train/beta_schedule.hpp"
#include "otae/train/vae_config.hpp"
#include "otae/train/vae_training_log.hpp"

namespace otae::train {

/// What the trainer knows once its data and schedule are ready.
struct TrainingStart {
  std::vector<BetaStep> schedule;
  /// β steps already finished (non-zero when resuming).
  int64_t completed_steps = 0;
  int64_t max_epochs = 0;
  int64_t train_rows = 0, validation_rows = 0;
  /// ⟨HT⟩ [GeV] of the training jets (1 for toy vectors): β = energy_scale · β̂.
  double energy_scale = 1.0;
  /// True for jets (β in GeV), false for toy vectors (β in the data's units).
  bool on_jets = true;
};

/// Callbacks for progress display and logging; each may be empty. on_epoch_end also receives the
/// network (to inspect it; a test may perturb it to provoke a retry).
struct TrainingObserver {
  std::function<void(const TrainingStart&)> on_start;
  std::function<void(const EpochRecord&, torch::nn::Module& model)> on_epoch_end;
  std::function<void(const BetaStepRecord&)> on_step_end;
};

/// Trains from scratch into `run_dir` (created; it must not hold a run already), writing the
/// files listed in otae/train/vae_run_folder.hpp. Returns the records of the steps it ran.
/// Seeds LibTorch's global generator (the initial weights) and prepares the CPU with
/// configure_cpu_compute(config.train.threads()); computes on config.train.device() (the data
/// stay in host memory, each batch is copied over). Throws ConfigError for an invalid
/// configuration or device, a data source that does not fit the model, too few training rows for one
/// batch or no validation rows, or an existing run in `run_dir`; IoError for unreadable data or
/// unwritable files; NumericalError when a β step stays non-finite after
/// train.max_nan_retries retries.
std::vector<BetaStepRecord> train_vae(const VaeConfig& config, const std::string& run_dir,
                                      const TrainingObserver& observer = {});

/// Continues the run in `run_dir` from its last finished β step (model, optimiser, schedule
/// position; every random stream is a function of the seed and the step), on `device` when not
/// empty, else on the run's train.device. Throws IoError when the folder holds no run,
/// otherwise as train_vae.
std::vector<BetaStepRecord> resume_vae(const std::string& run_dir, const TrainingObserver& observer = {},
                                       const std::string& device = "");

}  // namespace otae::train
