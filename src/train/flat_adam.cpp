#include "otae/train/flat_adam.hpp"

#include <cmath>
#include <string>

#include <c10/util/string_utils.h>
#include <torch/types.h>

#include "otae/base/error.hpp"

namespace otae::train {

namespace {

void check_supported(const std::vector<at::Tensor>& parameters, const torch::optim::AdamOptions& options) {
  if (options.weight_decay() != 0 || options.amsgrad())
    throw InvalidArgument("FlatAdam: weight decay and AMSGrad are not supported");
  for (const at::Tensor& p : parameters)
    if (p.scalar_type() != at::kFloat || p.device() != parameters.front().device() || !p.is_contiguous())
      throw InvalidArgument("FlatAdam: every parameter must be a contiguous float32 tensor on one device");
}

/// `slot` takes `source`'s values, zeros when it has none.
void adopt(const at::Tensor& slot, const at::Tensor& source) {
  if (source.defined())
    slot.copy_(source);
  else
    slot.zero_();
}

/// Adam's scalars as LibTorch hands them to its float kernels.
struct AdamConstants {
  float beta1, beta2, keep1, keep2, root_correction2, eps, step_size;
};

}  // namespace

FlatAdam::FlatAdam(std::vector<at::Tensor> parameters, const torch::optim::AdamOptions& options)
    : torch::optim::Adam(parameters, options) {
  check_supported(parameters, options);
  int64_t total = 0;
  for (const at::Tensor& p : parameters) total += p.numel();
  const auto f32 = at::TensorOptions().dtype(at::kFloat).device(parameters.empty() ? at::kCPU : parameters.front().device());
  values_ = at::empty({total}, f32);
  gradients_ = at::zeros({total}, f32);
  first_moments_ = at::zeros({total}, f32);
  second_moments_ = at::zeros({total}, f32);
  int64_t offset = 0;
  for (const at::Tensor& p : parameters) {
    auto view = [&](const at::Tensor& buffer) { return buffer.narrow(0, offset, p.numel()).view(p.sizes()); };
    slots_.push_back({view(values_), view(gradients_), view(first_moments_), view(second_moments_),
                      c10::guts::to_string(p.unsafeGetTensorImpl())});
    offset += p.numel();
  }
  bind();
}

torch::optim::AdamParamState& FlatAdam::state_of(const std::string& key) {
  auto& state = state_[key];
  if (!state) state = std::make_unique<torch::optim::AdamParamState>();
  return static_cast<torch::optim::AdamParamState&>(*state);
}

void FlatAdam::bind() {
  torch::NoGradGuard no_grad;
  const std::vector<at::Tensor>& parameters = param_groups_.front().params();
  for (size_t k = 0; k < parameters.size(); ++k) {
    at::Tensor p = parameters[k];
    const Slot& slot = slots_[k];
    if (p.data_ptr() != slot.value.data_ptr()) {
      slot.value.copy_(p);
      p.set_data(slot.value);
    }
    if (!p.grad().defined() || p.grad().data_ptr() != slot.gradient.data_ptr()) {
      adopt(slot.gradient, p.grad());
      p.mutable_grad() = slot.gradient;
    }
    torch::optim::AdamParamState& state = state_of(slot.key);
    if (k == 0) step_count_ = state.step();
    if (state.step() != step_count_)
      throw InvalidArgument("FlatAdam: parameters at different Adam steps (" + std::to_string(state.step()) +
                            " and " + std::to_string(step_count_) + ") cannot share one update");
    for (auto [moment, buffer] : {std::pair{&state.exp_avg(), &slot.first_moment}, {&state.exp_avg_sq(), &slot.second_moment}}) {
      if (moment->defined() && moment->data_ptr() == buffer->data_ptr()) continue;
      adopt(*buffer, *moment);
      *moment = *buffer;
    }
  }
}

namespace {

/// LibTorch's float kernels for Adam's operations, element by element: add_ and addcmul_ fuse a
/// multiply-add (vectorised fmadd), the rest round after every operation. Identical numbers
/// keep training runs bit-for-bit what they were with torch::optim::Adam.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void adam_update(float* value, const float* gradient, float* m, float* v, int64_t count, const AdamConstants& c) {
#pragma omp simd
  for (int64_t k = 0; k < count; ++k) {
    const float g = gradient[k];
    m[k] = std::fma(c.keep1, g, m[k] * c.beta1);              // exp_avg.mul_(β₁).add_(g, 1 − β₁)
    v[k] = std::fma(c.keep2 * g, g, v[k] * c.beta2);          // exp_avg_sq.mul_(β₂).addcmul_(g, g, 1 − β₂)
    const float denominator = std::sqrt(v[k]) / c.root_correction2 + c.eps;
    value[k] = value[k] + c.step_size * m[k] / denominator;  // p.addcdiv_(m, denominator, −step)
  }
}

/// The same update off the CPU: LibTorch's Adam's tensor operations, once over each whole buffer.
void adam_update(const at::Tensor& value, const at::Tensor& gradient, const at::Tensor& m, const at::Tensor& v,
                 const AdamConstants& c) {
  m.mul_(c.beta1).add_(gradient, c.keep1);
  v.mul_(c.beta2).addcmul_(gradient, gradient, c.keep2);
  value.addcdiv_(m, (v.sqrt() / c.root_correction2).add_(c.eps), c.step_size);
}

}  // namespace

at::Tensor FlatAdam::step(LossClosure closure) {
  if (closure) throw InvalidArgument("FlatAdam: step takes no closure");
  bind();
  ++step_count_;
  for (const Slot& slot : slots_) state_of(slot.key).step(step_count_);
  const auto& options = static_cast<const torch::optim::AdamOptions&>(param_groups_.front().options());
  const auto [beta1, beta2] = options.betas();
  const double correction1 = 1 - std::pow(beta1, step_count_), correction2 = 1 - std::pow(beta2, step_count_);
  const AdamConstants constants{static_cast<float>(beta1),
                                static_cast<float>(beta2),
                                static_cast<float>(1 - beta1),
                                static_cast<float>(1 - beta2),
                                static_cast<float>(std::sqrt(correction2)),
                                static_cast<float>(options.eps()),
                                static_cast<float>(-(options.lr() / correction1))};
  if (values_.is_cpu())
    adam_update(values_.data_ptr<float>(), gradients_.data_ptr<float>(), first_moments_.data_ptr<float>(),
                second_moments_.data_ptr<float>(), values_.numel(), constants);
  else
    adam_update(values_, gradients_, first_moments_, second_moments_, constants);
  return {};
}

void FlatAdam::zero_grad() {
  bind();
  gradients_.zero_();
}

void FlatAdam::load(torch::serialize::InputArchive& archive) {
  torch::optim::Adam::load(archive);
  bind();
}

}  // namespace otae::train
