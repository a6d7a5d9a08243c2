#include "otae/train/device.hpp"

#include <torch/cuda.h>

#include <cctype>

#include "otae/base/error.hpp"

namespace otae::train {

namespace {

/// N of "cuda:N", or -1 when `digits` is not a decimal number.
int64_t device_index(const std::string& digits) {
  if (digits.empty() || digits.size() > 3) return -1;
  for (const char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
  return std::stoll(digits);
}

}  // namespace

at::Device resolve_device(const std::string& name, const std::string& option) {
  const std::string given = option + " " + name;
  if (name == "cpu") return at::kCPU;
  const std::string prefix = "cuda";
  if (name.compare(0, prefix.size(), prefix) != 0 || (name.size() > prefix.size() && name[prefix.size()] != ':'))
    throw ConfigError(given + ": a device is cpu, cuda or cuda:N");
  const int64_t index = name.size() == prefix.size() ? 0 : device_index(name.substr(prefix.size() + 1));
  if (index < 0) throw ConfigError(given + ": N of cuda:N must be a device number (0, 1, ...)");
  if (!torch::cuda::is_available())
    throw ConfigError(given + ": this LibTorch has no CUDA device to run on (a CPU-only build, or no GPU on this "
                              "machine); use cpu, or build against a CUDA LibTorch (see docs/user-guide.md)");
  const auto count = static_cast<int64_t>(torch::cuda::device_count());
  if (index >= count)
    throw ConfigError(given + ": this machine has " + std::to_string(count) + " CUDA device" + (count == 1 ? "" : "s") +
                      " (cuda:0 to cuda:" + std::to_string(count - 1) + ")");
  return {at::kCUDA, static_cast<c10::DeviceIndex>(index)};
}

at::Device device_of(const torch::nn::Module& module) {
  const std::vector<at::Tensor> parameters = module.parameters();
  return parameters.empty() ? at::Device(at::kCPU) : parameters.front().device();
}

at::Tensor to_device(const at::Tensor& rows, const at::Device& device) {
  if (rows.device() == device) return rows;
  if (device.is_cuda() && rows.device().is_cpu()) return rows.pin_memory().to(device, /*non_blocking=*/true);
  return rows.to(device);
}

}  // namespace otae::train
