// Random draws of the networks (reparameterisation ε, relaxed-Bernoulli uniforms, generator
// noise). Each is drawn on the CPU, from the caller's seeded generator or LibTorch's default one,
// and then moved to the device of the tensors it joins: a seeded run draws the same numbers on
// every device, and one CPU generator state (what a checkpoint keeps) holds every stream.
#pragma once

#include <ATen/ATen.h>

namespace otae::nn {

/// Standard normal draws of shape `sizes`, in the dtype and on the device of `options`, from
/// `generator` (LibTorch's default CPU generator when none).
/// REQUIRES: `generator`, when given, is a CPU generator.
at::Tensor normal_noise(at::IntArrayRef sizes, c10::optional<at::Generator> generator, const at::TensorOptions& options);

/// Uniform draws in [0, 1), otherwise as normal_noise.
at::Tensor uniform_noise(at::IntArrayRef sizes, c10::optional<at::Generator> generator, const at::TensorOptions& options);

/// Exponential draws of rate 1, otherwise as normal_noise.
at::Tensor exponential_noise(at::IntArrayRef sizes, c10::optional<at::Generator> generator,
                             const at::TensorOptions& options);

}  // namespace otae::nn
