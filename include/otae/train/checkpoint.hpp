// Checkpoints of a training run: the network's weights, the optimiser's state (Adam's moments
// and step counts) and where in the β schedule they were taken. Written atomically — a temporary
// file beside the target, then a rename — so a run killed at any moment leaves either the old
// checkpoint or the new one, never half of one.
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <string>

namespace otae::train {

/// Where in the schedule a checkpoint was taken.
struct CheckpointInfo {
  /// β steps finished when it was written: the index of the next step to run.
  int64_t completed_steps = 0;
  /// The β step it ends, −1 for the initial weights; with that step's phase and β̂.
  int64_t step = -1;
  std::string phase;
  double beta_hat = 0.0;
};

/// Writes `model` (and `optimizer`, when not null) with `info` to `path` atomically; creates the
/// parent folder. Throws IoError naming `path` when it cannot be written.
void save_checkpoint(const std::string& path, const torch::nn::Module& model, const torch::optim::Optimizer* optimizer,
                     const CheckpointInfo& info);

/// Reads a checkpoint written by save_checkpoint into `model` (whose structure must match) and,
/// when not null, `optimizer`, onto the device of `model`'s parameters whatever device wrote it. Throws IoError naming `path` when it is missing, unreadable, of
/// another architecture, or holds no optimiser state while one is asked for.
CheckpointInfo load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer);

}  // namespace otae::train
