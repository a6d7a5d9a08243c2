#include "otae/nn/noise.hpp"

namespace otae::nn {

at::Tensor normal_noise(at::IntArrayRef sizes, c10::optional<at::Generator> generator, const at::TensorOptions& options) {
  return at::randn(sizes, generator, options.device(at::kCPU)).to(options.device());
}

at::Tensor uniform_noise(at::IntArrayRef sizes, c10::optional<at::Generator> generator, const at::TensorOptions& options) {
  return at::rand(sizes, generator, options.device(at::kCPU)).to(options.device());
}

at::Tensor exponential_noise(at::IntArrayRef sizes, c10::optional<at::Generator> generator,
                             const at::TensorOptions& options) {
  return at::empty(sizes, options.device(at::kCPU)).exponential_(1.0, generator).to(options.device());
}

}  // namespace otae::nn
