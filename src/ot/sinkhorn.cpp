// Sinkhorn EMD front: options, the ε schedule, input validation, backend dispatch and the
// autograd Function whose backward is the explicit gradient computed by the backends.
#include "otae/ot/sinkhorn.hpp"

#include <cmath>
#include <sstream>

#include <torch/csrc/autograd/custom_function.h>

#include "otae/base/error.hpp"
#include "sinkhorn_backends.hpp"

namespace otae::ot {

std::vector<double> epsilon_schedule(double eps_start, double eps_end, int64_t steps) {
  if (!(eps_end > 0 && eps_start >= eps_end && std::isfinite(eps_start)) || steps < 1) {
    std::ostringstream msg;
    msg << "epsilon_schedule: need eps_start >= eps_end > 0 and steps >= 1, received eps_start="
        << eps_start << " eps_end=" << eps_end << " steps=" << steps;
    throw InvalidArgument(msg.str());
  }
  if (steps == 1) return {eps_end};
  std::vector<double> epsilons(steps);
  const double log_ratio = std::log(eps_end / eps_start);
  for (int64_t k = 0; k < steps; ++k)
    epsilons[k] = eps_start * std::exp(log_ratio * static_cast<double>(k) / static_cast<double>(steps - 1));
  epsilons.back() = eps_end;
  return epsilons;
}

SinkhornOptions SinkhornOptions::sharp() {
  return SinkhornOptions().eps_end(1e-3).eps_steps(16).iterations_per_step(20);
}

void SinkhornOptions::validate() const {
  epsilon_schedule(eps_start_, eps_end_, eps_steps_);
  ground_.validate();
  if (iterations_per_step_ < 1)
    throw InvalidArgument("sinkhorn_emd: iterations_per_step must be >= 1, received " +
                          std::to_string(iterations_per_step_));
  if (!(tolerance_ >= 0))
    throw InvalidArgument("sinkhorn_emd: tolerance must be >= 0, received " + std::to_string(tolerance_));
}

namespace {

[[noreturn]] void reject(const std::string& what) { throw InvalidArgument("sinkhorn_emd: " + what); }

/// First index along dim 0 where `bad` [B, …] holds anywhere, or −1.
int64_t first_bad_pair(const at::Tensor& bad) {
  const at::Tensor per_pair = bad.reshape({bad.size(0), -1}).any(1);
  const at::Tensor idx = per_pair.nonzero();
  return idx.numel() ? idx[0][0].item<int64_t>() : -1;
}

void check_jets(const at::Tensor& w, const at::Tensor& x, const char* side) {
  const std::string s(side);
  if (w.dim() != 2) reject("weights_" + s + " must be [B, N], received rank " + std::to_string(w.dim()));
  if (x.dim() != 3 || x.size(2) != 2 || x.size(0) != w.size(0) || x.size(1) != w.size(1)) {
    std::ostringstream msg;
    msg << "positions_" << s << " must be [B, N, 2] matching weights_" << s << " " << w.sizes()
        << ", received " << x.sizes();
    reject(msg.str());
  }
  if (!at::isFloatingType(w.scalar_type()) || !at::isFloatingType(x.scalar_type()))
    reject("weights and positions of jet " + s + " must be floating point");
  if (w.size(1) == 0) reject("jet " + s + " has no particle slots (N = 0)");
  if (int64_t p = first_bad_pair(~at::isfinite(w)); p >= 0) reject("pair " + std::to_string(p) + ": weights_" + s + " contain NaN or inf");
  if (int64_t p = first_bad_pair(~at::isfinite(x)); p >= 0) reject("pair " + std::to_string(p) + ": positions_" + s + " contain NaN or inf");
  if (int64_t p = first_bad_pair(w < 0); p >= 0) reject("pair " + std::to_string(p) + ": jet " + s + " has a negative weight");
  if (int64_t p = first_bad_pair((w > 0).sum(1) == 0); p >= 0)
    reject("pair " + std::to_string(p) + ": jet " + s + " is empty (all weights are 0)");
}

void check_balanced(const at::Tensor& wa, const at::Tensor& wb) {
  const at::Tensor ta = wa.sum(1), tb = wb.sum(1);
  const at::Tensor unbalanced = (ta - tb).abs() > 1e-6 * at::maximum(ta, tb);
  if (int64_t p = first_bad_pair(unbalanced); p >= 0) {
    std::ostringstream msg;
    msg << "pair " << p << " is unbalanced: total weight " << ta[p].item<double>() << " vs "
        << tb[p].item<double>() << "; normalise both jets (pT/HT) or use exact_emd";
    reject(msg.str());
  }
}

detail::SinkhornOutputs run_backend(const at::Tensor& wa, const at::Tensor& xa, const at::Tensor& wb,
                                    const at::Tensor& xb, const SinkhornOptions& options, bool with_gradient) {
  SinkhornBackend backend = options.backend();
  if (backend == SinkhornBackend::kAuto)
    backend = wa.device().is_cpu() ? SinkhornBackend::kFused : SinkhornBackend::kTensor;
  if (backend == SinkhornBackend::kFused) {
    if (!wa.device().is_cpu()) reject("the fused backend runs on CPU tensors; use SinkhornBackend::kTensor");
    return detail::sinkhorn_fused(wa, xa, wb, xb, options, with_gradient);
  }
  return detail::sinkhorn_tensor(wa, xa, wb, xb, options, with_gradient);
}

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

/// Forward runs the backend once and keeps the per-pair gradients it computed alongside the
/// plan; backward only scales them by the incoming gradient of each pair's cost.
struct SinkhornFunction : public torch::autograd::Function<SinkhornFunction> {
  static variable_list forward(AutogradContext* ctx, at::Tensor wa, at::Tensor xa, at::Tensor wb,
                               at::Tensor xb, const SinkhornOptions& options, bool with_gradient) {
    auto as_f64 = [](const at::Tensor& t) { return t.to(at::kDouble).contiguous(); };
    detail::SinkhornOutputs out = run_backend(as_f64(wa), as_f64(xa), as_f64(wb), as_f64(xb), options, with_gradient);
    if (with_gradient)
      ctx->save_for_backward({out.grad_weights_a, out.grad_positions_a, out.grad_weights_b, out.grad_positions_b});
    ctx->saved_data["dtypes"] = std::vector<int64_t>{
        static_cast<int64_t>(wa.scalar_type()), static_cast<int64_t>(xa.scalar_type()),
        static_cast<int64_t>(wb.scalar_type()), static_cast<int64_t>(xb.scalar_type())};
    at::Tensor plan = out.plan.defined() ? out.plan : at::empty({0}, out.cost.options());
    ctx->mark_non_differentiable({out.iterations, out.marginal_error, plan});
    return {out.cost, out.iterations, out.marginal_error, plan};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto dtypes = ctx->saved_data["dtypes"].toIntVector();
    const at::Tensor& grad_cost = grad_outputs[0];
    variable_list grads(6);
    for (size_t k = 0; k < 4; ++k) {
      if (!ctx->needs_input_grad(k)) continue;
      const at::Tensor& g = saved[k];
      at::Tensor scale = grad_cost.to(g.dtype()).reshape({-1, 1});
      if (g.dim() == 3) scale = scale.unsqueeze(2);
      grads[k] = (g * scale).to(static_cast<at::ScalarType>(dtypes[k]));
    }
    return grads;
  }
};

}  // namespace

SinkhornResult sinkhorn_emd(const at::Tensor& weights_a, const at::Tensor& positions_a,
                            const at::Tensor& weights_b, const at::Tensor& positions_b,
                            const SinkhornOptions& options) {
  options.validate();
  check_jets(weights_a, positions_a, "a");
  check_jets(weights_b, positions_b, "b");
  if (weights_a.size(0) != weights_b.size(0)) {
    std::ostringstream msg;
    msg << "batch sizes differ: " << weights_a.size(0) << " jets a vs " << weights_b.size(0) << " jets b";
    reject(msg.str());
  }
  check_balanced(weights_a.to(at::kDouble), weights_b.to(at::kDouble));
  const bool with_gradient = at::GradMode::is_enabled() &&
                             (weights_a.requires_grad() || positions_a.requires_grad() ||
                              weights_b.requires_grad() || positions_b.requires_grad());
  variable_list out = SinkhornFunction::apply(weights_a, positions_a, weights_b, positions_b, options, with_gradient);
  SinkhornResult result;
  result.cost = out[0];
  result.iterations = out[1];
  result.marginal_error = out[2];
  if (options.return_plan()) result.plan = out[3];
  return result;
}

}  // namespace otae::ot
