// The files of one training run, in one folder that is enough to resume, reproduce and analyse
// the run:
//
//   config.yaml                 the resolved configuration, every key
//   run.json                    data rows, ⟨HT⟩, model kind, device: what the configuration implied
//   beta_schedule.csv           the β schedule as computed (step, phase, β̂, β [GeV], learning rate)
//   epochs.csv                  one row per epoch (otae/train/vae_training_log.hpp)
//   beta_steps.jsonl            one JSON object per finished β step, with the KL per latent direction
//   checkpoints/last.pt         weights and optimiser after the last finished β step
//   checkpoints/<phase>/step_<NNN>_beta_hat_<β̂>.pt   weights at the end of every finished β step
//                               of every phase (priming, zigzag, production), NNN the step index
//                               (zero-padded to 3 digits), β̂ in %.6e; what `otae vae analyze` reads
//   analysis/                   written by `otae vae analyze` (otae/analysis/vae_run_analysis.hpp)
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace otae::train {

/// A kept checkpoint: the weights at the end of one finished β step.
struct StepCheckpoint {
  int64_t step = 0;   ///< index into the β schedule
  std::string phase;  ///< "priming", "zigzag" or "production"
  double beta_hat = 0.0;
  std::string path;
};

class VaeRunFolder {
 public:
  explicit VaeRunFolder(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string config_file() const { return path("config.yaml"); }
  std::string run_info_file() const { return path("run.json"); }
  std::string schedule_file() const { return path("beta_schedule.csv"); }
  std::string epoch_log() const { return path("epochs.csv"); }
  std::string step_log() const { return path("beta_steps.jsonl"); }
  std::string last_checkpoint() const { return path("checkpoints/last.pt"); }
  /// checkpoints/<phase>/step_<step, 3 digits>_beta_hat_<β̂ in %.6e>.pt
  std::string step_checkpoint(int64_t step, const std::string& phase, double beta_hat) const;

  /// Every step checkpoint present, in training order (ascending step); also the production
  /// checkpoints "beta_hat_<β̂>.pt" of runs trained by otae 0.1, their steps read from the schedule.
  std::vector<StepCheckpoint> step_checkpoints() const;

  /// The production checkpoints present, as (β̂, path), ascending in β̂.
  std::vector<std::pair<double, std::string>> production_checkpoints() const;

 private:
  std::string path(const std::string& name) const { return root_ + "/" + name; }
  std::string root_;
};

}  // namespace otae::train
