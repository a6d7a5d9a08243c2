// Where a run computes: the one reading of a device name ("cpu", "cuda", "cuda:N") for every
// command, configuration key and Python argument, and the moves of rows and models onto it.
// Data files are read into host memory; a training step copies its batch to the device.
#pragma once

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <string>

namespace otae::train {

/// The device `name` asks for: "cpu", "cuda" (CUDA device 0) or "cuda:N". `option` names where
/// the value came from ("--device", "train.device") in the messages.
/// Throws ConfigError naming `option` and `name` for any other name, when CUDA is asked for but
/// this LibTorch or this machine has none, or when N is not below the number of CUDA devices.
at::Device resolve_device(const std::string& name, const std::string& option = "device");

/// The device of `module`'s parameters: where a trained model computes (CPU for a module
/// without parameters).
at::Device device_of(const torch::nn::Module& module);

/// `rows` on `device`: the tensor itself when it is there already (the CPU path copies nothing);
/// from host memory to a CUDA device through pinned memory with an asynchronous copy, so that
/// the copy of the next batch overlaps the kernels still running.
at::Tensor to_device(const at::Tensor& rows, const at::Device& device);

}  // namespace otae::train
