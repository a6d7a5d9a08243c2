// Adam over one flat buffer: the same update and the same saved state as LibTorch's Adam, but
// one fused pass over all parameters instead of about ten tensor operations per parameter. For
// the EMD-VAE's small networks LibTorch's per-tensor Adam costs as much as a tenth of a training
// step, all of it serial after the batch's shards.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/optim/adam.h>

namespace otae::train {

/// torch::optim::Adam whose parameters, gradients and moments are views into four contiguous
/// float32 buffers. Checkpoints are torch::optim::Adam's (save/load unchanged), so runs resume
/// across the two. Parameters or state replaced from outside (a model or optimiser loaded from a
/// checkpoint) are copied back into the buffers at the next step or zero_grad.
///
/// On the CPU one fused loop updates the buffers; on another device (CUDA) LibTorch's Adam
/// operations run once over each whole buffer.
///
/// REQUIRES: one parameter group of contiguous float32 tensors on one device; no weight decay, no AMSGrad;
/// every parameter stepped together (equal step counts in a loaded state). Throws
/// InvalidArgument otherwise.
class FlatAdam : public torch::optim::Adam {
 public:
  FlatAdam(std::vector<at::Tensor> parameters, const torch::optim::AdamOptions& options);

  /// One Adam update of every parameter (the closure is not supported: pass none).
  at::Tensor step(LossClosure closure = nullptr) override;
  /// Zeroes every gradient in one pass (hides the per-tensor Optimizer::zero_grad).
  void zero_grad();
  void load(torch::serialize::InputArchive& archive) override;

 private:
  /// Makes every parameter, gradient and moment a view of its buffer again, copying in values
  /// that were replaced from outside.
  void bind();
  torch::optim::AdamParamState& state_of(const std::string& key);

  /// One parameter's views into the four buffers, and its key in Optimizer::state_.
  struct Slot {
    at::Tensor value, gradient, first_moment, second_moment;
    std::string key;
  };
  at::Tensor values_, gradients_, first_moments_, second_moments_;  // [total] float32
  std::vector<Slot> slots_;
  int64_t step_count_ = 0;
};

}  // namespace otae::train
