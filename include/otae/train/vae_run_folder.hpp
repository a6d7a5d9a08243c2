// The files of one training run, in one folder that is enough to resume, reproduce and analyse
// the run:
//
//   config.yaml                 the resolved configuration, every key
//   run.json                    data rows, ⟨HT⟩, model kind: what the configuration implied
//   beta_schedule.csv           the β schedule as computed (step, phase, β̂, β [GeV], learning rate)
//   epochs.csv                  one row per epoch (otae/train/vae_training_log.hpp)
//   beta_steps.jsonl            one JSON object per finished β step, with the KL per latent direction
//   checkpoints/last.pt         weights and optimiser after the last finished β step
//   checkpoints/production/beta_hat_<β̂>.pt   weights at the end of each production step
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace otae::train {

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
  /// checkpoints/production/beta_hat_<β̂ in %.6e>.pt
  std::string production_checkpoint(double beta_hat) const;

  /// The production checkpoints present, as (β̂, path), ascending in β̂.
  std::vector<std::pair<double, std::string>> production_checkpoints() const;

 private:
  std::string path(const std::string& name) const { return root_ + "/" + name; }
  std::string root_;
};

}  // namespace otae::train
