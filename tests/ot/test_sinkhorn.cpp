// Sinkhorn EMD: schedule, explicit gradients against central finite differences, the fused
// kernel against the tensor version, padding and φ-wrap invariance, and input errors.
#include <gtest/gtest.h>

#include <cmath>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include "../support/error_message.hpp"
#include "otae/base/error.hpp"
#include "otae/ot/sinkhorn.hpp"

namespace otae::ot {
namespace {

struct JetPair {
  at::Tensor wa, xa, wb, xb;  // [B, N], [B, N, 2], [B, M], [B, M, 2] float64
};

/// Random normalised jets with `pad` zero-weight rows at the end of every jet.
JetPair random_jets(int64_t batch, int64_t n, int64_t m, int64_t pad, double spread, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto opts = at::TensorOptions().dtype(at::kDouble);
  JetPair p;
  p.wa = at::rand({batch, n + pad}, gen, opts) + 0.05;
  p.wb = at::rand({batch, m + pad}, gen, opts) + 0.05;
  p.wa.narrow(1, n, pad).zero_();
  p.wb.narrow(1, m, pad).zero_();
  p.wa /= p.wa.sum(1, true);
  p.wb /= p.wb.sum(1, true);
  p.xa = at::randn({batch, n + pad, 2}, gen, opts) * spread;
  p.xb = at::randn({batch, m + pad, 2}, gen, opts) * spread;
  return p;
}

at::Tensor cost_of(const JetPair& p, const SinkhornOptions& o) {
  return sinkhorn_emd(p.wa, p.xa, p.wb, p.xb, o).cost;
}

/// Converged iterations so that the explicit gradient (of the converged entropic plan) and
/// finite differences of the computed value describe the same function.
SinkhornOptions converged(double eps_end) {
  return SinkhornOptions().eps_end(eps_end).eps_steps(8).iterations_per_step(400).tolerance(0);
}

TEST(EpsilonSchedule, IsLogUniformFromStartToEnd) {
  const auto eps = epsilon_schedule(1.0, 0.01, 10);
  ASSERT_EQ(eps.size(), 10u);
  EXPECT_DOUBLE_EQ(eps.front(), 1.0);
  EXPECT_DOUBLE_EQ(eps.back(), 0.01);
  for (size_t k = 1; k < eps.size(); ++k) EXPECT_NEAR(eps[k] / eps[k - 1], std::pow(0.01, 1.0 / 9), 1e-12);
  EXPECT_EQ(epsilon_schedule(1.0, 0.1, 1), std::vector<double>{0.1});
  EXPECT_THROW(epsilon_schedule(0.01, 1.0, 10), InvalidArgument);
  EXPECT_THROW(epsilon_schedule(1.0, 0.0, 10), InvalidArgument);
}

TEST(SinkhornEmd, IdenticalJetsCostNearlyNothingAndShiftCostsTheShift) {
  JetPair p = random_jets(4, 12, 12, 0, 0.3, 1);
  p.wb = p.wa.clone();
  p.xb = p.xa.clone();
  const auto o = SinkhornOptions::sharp();
  EXPECT_LT(cost_of(p, o).max().item<double>(), 0.01);
  // Translating one jet rigidly by 2 in η, farther than its own spread, moves all pT by ≈ 2.
  p.xb.select(2, 0).add_(2.0);
  EXPECT_NEAR(cost_of(p, o)[0].item<double>(), 2.0, 0.02);
}

void expect_gradients_match_finite_differences(SinkhornBackend backend, PositionGradient mode) {
  JetPair p = random_jets(2, 6, 7, 2, 0.4, 7);
  const auto o = converged(0.05).backend(backend).position_gradient(mode);
  std::vector<at::Tensor> inputs = {p.wa, p.xa, p.wb, p.xb};
  for (auto& t : inputs) t.requires_grad_(true);
  const at::Tensor cost = sinkhorn_emd(inputs[0], inputs[1], inputs[2], inputs[3], o).cost.sum();
  const auto grads = torch::autograd::grad({cost}, inputs);

  auto value_at = [&](size_t which, const at::Tensor& delta) {
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> x = {p.wa, p.xa, p.wb, p.xb};
    x[which] = x[which] + delta;
    return sinkhorn_emd(x[0], x[1], x[2], x[3], o).cost.sum().item<double>();
  };
  const double h = 1e-6;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
  for (size_t which = 0; which < 4; ++which) {
    for (int trial = 0; trial < 3; ++trial) {
      at::Tensor d = at::randn(inputs[which].sizes(), gen, at::kDouble);
      if (which % 2 == 0) {  // weights: stay on the simplex and off the padding
        d = d * (inputs[which] > 0).detach();
        d = d - d.sum(1, true) / (inputs[which] > 0).sum(1, true) * (inputs[which] > 0);
      }
      const double fd = (value_at(which, h * d) - value_at(which, -h * d)) / (2 * h);
      const double analytic = (grads[which] * d).sum().item<double>();
      EXPECT_NEAR(analytic, fd, 1e-5 * std::max(1.0, std::abs(fd))) << "input " << which << " trial " << trial;
    }
  }
}

TEST(SinkhornGradient, FusedMatchesFiniteDifferences) {
  expect_gradients_match_finite_differences(SinkhornBackend::kFused, PositionGradient::kExact);
}

TEST(SinkhornGradient, TensorMatchesFiniteDifferences) {
  expect_gradients_match_finite_differences(SinkhornBackend::kTensor, PositionGradient::kExact);
}

TEST(SinkhornGradient, FrozenPlanIsThePlanWeightedCostGradientAndDiffersFromExact) {
  JetPair p = random_jets(3, 8, 9, 0, 0.5, 3);
  const auto o = converged(0.05).return_plan(true);
  at::Tensor xa = p.xa.clone().requires_grad_(true);
  const auto exact = torch::autograd::grad({sinkhorn_emd(p.wa, xa, p.wb, p.xb, o).cost.sum()}, {xa})[0];
  const auto frozen_result = sinkhorn_emd(p.wa, xa, p.wb, p.xb, SinkhornOptions(o).position_gradient(PositionGradient::kFrozenPlan));
  const auto frozen = torch::autograd::grad({frozen_result.cost.sum()}, {xa})[0];
  // Σⱼ Tᵢⱼ ∂ΔRᵢⱼ/∂xᵢ from the returned plan
  const at::Tensor T = frozen_result.plan;
  const at::Tensor de = p.xa.select(2, 0).unsqueeze(2) - p.xb.select(2, 0).unsqueeze(1);
  const at::Tensor dp = p.xa.select(2, 1).unsqueeze(2) - p.xb.select(2, 1).unsqueeze(1);
  const at::Tensor r = at::sqrt(de * de + dp * dp);
  const at::Tensor expected = at::stack({(T * de / r).sum(2), (T * dp / r).sum(2)}, 2);
  EXPECT_TRUE(at::allclose(frozen, expected, 1e-9, 1e-12));
  const double relative_gap = ((exact - frozen).norm() / exact.norm()).item<double>();
  EXPECT_GT(relative_gap, 1e-3);
}

TEST(SinkhornBackends, FusedAndTensorAgreeAtPaperDefaults) {
  for (double spread : {0.1, 2.0}) {  // centred-like and uncentred-like (ΔR of several units)
    JetPair p = random_jets(16, 30, 25, 10, spread, 5);
    std::vector<at::Tensor> in = {p.wa, p.xa, p.wb, p.xb};
    for (auto& t : in) t.requires_grad_(true);
    const auto defaults = SinkhornOptions().return_plan(true);
    const auto fused = sinkhorn_emd(in[0], in[1], in[2], in[3], SinkhornOptions(defaults).backend(SinkhornBackend::kFused));
    const auto tensor = sinkhorn_emd(in[0], in[1], in[2], in[3], SinkhornOptions(defaults).backend(SinkhornBackend::kTensor));
    EXPECT_TRUE(at::allclose(fused.cost, tensor.cost, 1e-10, 1e-14)) << "spread " << spread;
    EXPECT_TRUE(at::allclose(fused.plan, tensor.plan, 1e-10, 1e-14));
    EXPECT_TRUE(at::equal(fused.iterations, tensor.iterations));
    EXPECT_TRUE(at::allclose(fused.marginal_error, tensor.marginal_error, 1e-8, 1e-14));
    const auto gf = torch::autograd::grad({fused.cost.sum()}, in);
    const auto gt = torch::autograd::grad({tensor.cost.sum()}, in);
    // Weight gradients come from the adjoint system, whose condition number reaches ~1e13 when
    // ΔR/ε is in the hundreds (spread 2): Cholesky and LU then agree only to ~cond·1e-16.
    const double weight_tolerance = spread < 1 ? 1e-10 : 1e-5;
    for (size_t k = 0; k < 4; ++k) {
      const double scale = std::max(1.0, gf[k].abs().max().item<double>());
      const double tolerance = k % 2 == 0 ? weight_tolerance : 1e-10;
      EXPECT_LT((gf[k] - gt[k]).abs().max().item<double>(), tolerance * scale) << "input " << k << " spread " << spread;
    }
  }
}

TEST(SinkhornEmd, PaddingAndParticleOrderChangeNothing) {
  JetPair p = random_jets(5, 10, 11, 0, 0.5, 9);
  JetPair padded = p;
  padded.wa = at::cat({at::zeros({5, 3}, at::kDouble), p.wa}, 1);
  padded.xa = at::cat({at::randn({5, 3, 2}, at::kDouble), p.xa}, 1);
  const at::Tensor perm = at::randperm(11, at::kLong);
  padded.wb = p.wb.index_select(1, perm);
  padded.xb = p.xb.index_select(1, perm);
  const auto o = SinkhornOptions().tolerance(0);
  EXPECT_TRUE(at::allclose(cost_of(p, o), cost_of(padded, o), 1e-12, 1e-14));
}

TEST(SinkhornEmd, AzimuthIsPeriodic) {
  JetPair p = random_jets(4, 10, 10, 0, 0.2, 13);
  p.xa.select(2, 1).add_(3.1);  // both jets straddle φ = ±π
  p.xb.select(2, 1).add_(3.1);
  JetPair wrapped = p;
  wrapped.xa = p.xa.clone();
  wrapped.xb = p.xb.clone();
  auto wrap = [](at::Tensor phi) { phi.copy_(phi - 2 * M_PI * at::floor((phi + M_PI) / (2 * M_PI))); };
  wrap(wrapped.xa.select(2, 1));
  wrap(wrapped.xb.select(2, 1));
  JetPair shifted = p;
  shifted.xa = p.xa.clone();
  shifted.xb = p.xb.clone();
  shifted.xa.select(2, 1).add_(2 * M_PI);
  shifted.xb.select(2, 1).add_(2 * M_PI);
  const auto o = SinkhornOptions();
  EXPECT_TRUE(at::allclose(cost_of(p, o), cost_of(wrapped, o), 1e-10, 1e-12));
  EXPECT_TRUE(at::allclose(cost_of(p, o), cost_of(shifted, o), 1e-10, 1e-12));
  // Without the wrap the straddling jets look far apart.
  const auto no_wrap = SinkhornOptions().ground(GroundDistance().wrap_phi(false));
  EXPECT_GT(cost_of(wrapped, no_wrap).mean().item<double>(), 2 * cost_of(wrapped, o).mean().item<double>());
}

TEST(SinkhornEmd, ReportsIterationsAndMarginalError) {
  JetPair p = random_jets(8, 20, 20, 0, 1.0, 17);
  const auto full = sinkhorn_emd(p.wa, p.xa, p.wb, p.xb, SinkhornOptions().tolerance(0));
  EXPECT_TRUE((full.iterations == 100).all().item<bool>());
  const auto early = sinkhorn_emd(p.wa, p.xa, p.wb, p.xb, SinkhornOptions().return_plan(true));
  EXPECT_TRUE((early.iterations < 100).all().item<bool>());
  EXPECT_TRUE((early.iterations >= 10).all().item<bool>());
  // The reported error is the L1 row-marginal error of the returned plan; columns are exact.
  const at::Tensor row_error = (early.plan.sum(2) - p.wa).abs().sum(1);
  EXPECT_TRUE(at::allclose(early.marginal_error, row_error, 1e-9, 1e-15));
  EXPECT_TRUE(at::allclose(early.plan.sum(1), p.wb, 1e-12, 1e-15));
  // The sharp cost is ⟨T, C⟩ of that plan.
  const at::Tensor de = p.xa.select(2, 0).unsqueeze(2) - p.xb.select(2, 0).unsqueeze(1);
  at::Tensor dp = p.xa.select(2, 1).unsqueeze(2) - p.xb.select(2, 1).unsqueeze(1);
  dp = dp - 2 * M_PI * at::floor((dp + M_PI) / (2 * M_PI));
  const at::Tensor sharp = (early.plan * at::sqrt(de * de + dp * dp)).sum({1, 2});
  EXPECT_TRUE(at::allclose(early.cost, sharp, 1e-12, 1e-15));
}

TEST(SinkhornEmd, RejectsBadInputNamingThePair) {
  JetPair p = random_jets(3, 5, 5, 1, 0.5, 19);
  constexpr auto message_of = &otae::testing::message_of<InvalidArgument>;
  auto run = [&](JetPair q) { return [q] { sinkhorn_emd(q.wa, q.xa, q.wb, q.xb); }; };
  JetPair nan = p; nan.xa = p.xa.clone(); nan.xa[1][2][0] = NAN;
  EXPECT_NE(message_of(run(nan)).find("pair 1: positions_a contain NaN"), std::string::npos);
  JetPair neg = p; neg.wb = p.wb.clone(); neg.wb[2][0] = -0.1;
  EXPECT_NE(message_of(run(neg)).find("pair 2: jet b has a negative weight"), std::string::npos);
  JetPair empty = p; empty.wa = p.wa.clone(); empty.wa[0].zero_();
  EXPECT_NE(message_of(run(empty)).find("pair 0: jet a is empty"), std::string::npos);
  JetPair shape = p; shape.xb = p.xb.narrow(1, 0, 2);
  EXPECT_NE(message_of(run(shape)).find("positions_b must be [B, N, 2]"), std::string::npos);
  JetPair unbalanced = p; unbalanced.wb = p.wb * 2;
  EXPECT_NE(message_of(run(unbalanced)).find("pair 0 is unbalanced"), std::string::npos);
  EXPECT_THROW(sinkhorn_emd(p.wa, p.xa, p.wb, p.xb, SinkhornOptions().iterations_per_step(0)), InvalidArgument);
}

}  // namespace
}  // namespace otae::ot
