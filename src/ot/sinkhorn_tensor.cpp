// Tensor-op Sinkhorn: the fused kernel's iteration, stopping rule and adjoint written as batched
// ATen ops on padded [B, N, M] matrices, so it runs on any device (CUDA included). Padding enters
// through masks; a pair that met its tolerance is frozen with `where` while the others go on.
#include <ATen/ATen.h>

#include "otae/physics/kinematics.hpp"
#include "sinkhorn_backends.hpp"

namespace otae::ot::detail {
namespace {

constexpr double kTiny = 1e-300;

struct PairwiseGeometry {
  at::Tensor delta_eta, delta_phi, distance, cost;  // [B, N, M]
};

PairwiseGeometry pairwise_geometry(const at::Tensor& xa, const at::Tensor& xb, const GroundDistance& ground) {
  using at::indexing::Slice;
  PairwiseGeometry geo;
  geo.delta_eta = xa.select(2, 0).unsqueeze(2) - xb.select(2, 0).unsqueeze(1);
  geo.delta_phi = xa.select(2, 1).unsqueeze(2) - xb.select(2, 1).unsqueeze(1);
  if (ground.wrap_phi()) geo.delta_phi = physics::wrap_phi(geo.delta_phi);
  geo.distance = at::sqrt(geo.delta_eta * geo.delta_eta + geo.delta_phi * geo.delta_phi);
  geo.cost = geo.distance / ground.R();
  if (ground.beta() != 1.0) geo.cost = at::pow(geo.cost, ground.beta());
  return geo;
}

at::Tensor masked_mean(const at::Tensor& x, const at::Tensor& mask) {
  return (x * mask).sum(1, true) / mask.sum(1, true);
}

/// The batch's plans after the ε schedule, with each pair's iterations and final marginal error.
struct TensorSolution {
  at::Tensor plan, iterations, marginal_error;
};

TensorSolution tensor_iterations(const at::Tensor& wa, const at::Tensor& wb, const at::Tensor& C,
                                 const at::Tensor& mask_a, const at::Tensor& mask_b, const SinkhornOptions& options,
                                 const std::vector<double>& epsilons) {
  const at::Tensor mask = mask_a.unsqueeze(2) * mask_b.unsqueeze(1);
  const int64_t batch = wa.size(0);
  at::Tensor f = at::zeros_like(wa), g = at::zeros_like(wb);
  at::Tensor u, v, K, kv;
  at::Tensor error = at::zeros({batch}, wa.options());
  at::Tensor iterations = at::zeros({batch}, wa.options().dtype(at::kLong));
  for (size_t step = 0; step < epsilons.size(); ++step) {
    const double eps = epsilons[step];
    K = at::exp(at::clamp((f.unsqueeze(2) + g.unsqueeze(1) - C) / eps, -700.0, 700.0)) * mask;
    u = mask_a.clone();
    v = mask_b.clone();
    kv = at::bmm(K, v.unsqueeze(2)).squeeze(2);
    at::Tensor active = at::ones({batch}, wa.options().dtype(at::kBool));
    for (int64_t it = 0; it < options.iterations_per_step(); ++it) {
      const at::Tensor running = active.unsqueeze(1);
      u = at::where(running, wa / at::clamp_min(kv, kTiny), u);
      const at::Tensor ktu = at::bmm(K.transpose(1, 2), u.unsqueeze(2)).squeeze(2);
      v = at::where(running, wb / at::clamp_min(ktu, kTiny), v);
      kv = at::bmm(K, v.unsqueeze(2)).squeeze(2);
      iterations += active.to(at::kLong);
      const at::Tensor new_error = (u * kv - wa).abs().sum(1);
      error = at::where(active, new_error, error);
      active = active & (error >= options.tolerance());
      if (!active.any().item<bool>()) break;
    }
    if (step + 1 < epsilons.size()) {
      f = f + eps * at::where(mask_a > 0, at::log(u), at::zeros_like(u));
      g = g + eps * at::where(mask_b > 0, at::log(v), at::zeros_like(v));
    }
  }
  return {u.unsqueeze(2) * K * v.unsqueeze(1), iterations, error};
}

/// ∂S/∂(weights, positions) of both batches from the plan T at the final ε: the adjoint system in
/// Schur-complement form, as in the fused kernel; padding rows and the dropped (heaviest) row
/// become identity rows with a zero right-hand side.
void tensor_gradient(const at::Tensor& T, const PairwiseGeometry& geo, const at::Tensor& mask_a,
                     const at::Tensor& mask_b, double eps, const SinkhornOptions& options, SinkhornOutputs& out) {
  const at::Tensor& C = geo.cost;
  const at::Tensor row = T.sum(2), col = at::clamp_min(T.sum(1), kTiny);
  const at::Tensor h_a = (T * C).sum(2), h_b = (T * C).sum(1);
  const at::Tensor T_over_c = T / col.unsqueeze(1);
  at::Tensor schur = at::diag_embed(row) - at::bmm(T_over_c, T.transpose(1, 2));
  at::Tensor rhs = h_a - at::bmm(T_over_c, h_b.unsqueeze(2)).squeeze(2);
  const at::Tensor dropped = at::one_hot(row.argmax(1), T.size(1)).to(at::kDouble);
  const at::Tensor keep = mask_a * (1 - dropped);
  schur = schur * keep.unsqueeze(2) * keep.unsqueeze(1) + at::diag_embed(1 - keep);
  rhs = rhs * keep;
  const at::Tensor w_a = at::linalg_solve(schur, rhs.unsqueeze(2)).squeeze(2) * keep;
  const at::Tensor w_b = (h_b - at::bmm(T.transpose(1, 2), w_a.unsqueeze(2)).squeeze(2)) / col * mask_b;

  out.grad_weights_a = (w_a - masked_mean(w_a, mask_a)) * mask_a;
  out.grad_weights_b = (w_b - masked_mean(w_b, mask_b)) * mask_b;

  const at::Tensor dS_dC = options.position_gradient() == PositionGradient::kExact
                               ? T * (1.0 + (w_a.unsqueeze(2) + w_b.unsqueeze(1) - C) / eps)
                               : T;
  // C = (ΔR/R)^β ⇒ ∂C/∂(η, φ)_a = β C (Δη, Δφ)/ΔR²; zero subgradient where ΔR = 0.
  const at::Tensor safe_r2 = at::where(geo.distance > 0, geo.distance * geo.distance, at::ones_like(C));
  const at::Tensor coef = at::where(geo.distance > 0, dS_dC * options.ground().beta() * C / safe_r2,
                                    at::zeros_like(C));
  const at::Tensor ge = coef * geo.delta_eta, gp = coef * geo.delta_phi;
  out.grad_positions_a = at::stack({ge.sum(2), gp.sum(2)}, 2);
  out.grad_positions_b = -at::stack({ge.sum(1), gp.sum(1)}, 2);
}

}  // namespace

SinkhornOutputs sinkhorn_tensor(const at::Tensor& wa, const at::Tensor& xa, const at::Tensor& wb,
                                const at::Tensor& xb, const SinkhornOptions& options, bool with_gradient) {
  const PairwiseGeometry geo = pairwise_geometry(xa, xb, options.ground());
  const at::Tensor mask_a = (wa > 0).to(at::kDouble), mask_b = (wb > 0).to(at::kDouble);
  const std::vector<double> epsilons =
      epsilon_schedule(options.eps_start(), options.eps_end(), options.eps_steps());
  const TensorSolution solution = tensor_iterations(wa, wb, geo.cost, mask_a, mask_b, options, epsilons);
  SinkhornOutputs out;
  out.cost = (solution.plan * geo.cost).sum({1, 2});
  out.iterations = solution.iterations;
  out.marginal_error = solution.marginal_error;
  if (options.return_plan()) out.plan = solution.plan;
  if (with_gradient) tensor_gradient(solution.plan, geo, mask_a, mask_b, epsilons.back(), options, out);
  return out;
}

}  // namespace otae::ot::detail
