// Sliced Wasserstein: identity and permutation invariance, the exact 1-D W₂² in D = 1, the closed
// form of a shifted sample, gradients against finite differences, fused against tensor backend,
// determinism by seed, and the error messages.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "../support/error_message.hpp"
#include "otae/base/error.hpp"
#include "otae/ot/one_dimensional.hpp"
#include "otae/ot/sliced_wasserstein.hpp"

namespace {

using otae::InvalidArgument;
namespace ot = otae::ot;
using Backend = ot::SlicedWassersteinBackend;

constexpr Backend kBackends[] = {Backend::kFused, Backend::kTensor};

const char* name(Backend backend) { return backend == Backend::kFused ? "fused" : "tensor"; }

/// Seeded Gaussian samples, so every test sees the same numbers on every run.
at::Tensor gaussian(int64_t rows, int64_t columns, uint64_t seed, at::ScalarType dtype = at::kDouble) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return at::randn({rows, columns}, generator, at::TensorOptions().dtype(dtype));
}

double sw2_squared(const at::Tensor& x, const at::Tensor& y, const ot::SlicedWassersteinOptions& options) {
  return ot::sliced_wasserstein(x, y, options).sw2_squared.item<double>();
}

/// Exact 1-D W₂² by replication: each a-value repeated N_b times and each b-value N_a times are two
/// samples of N_a·N_b points whose sorted pairing is the quantile coupling; independent of
/// `quantile_coupling`.
double w2_squared_by_replication(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const size_t n_a = a.size(), n_b = b.size();
  double sum = 0;
  for (size_t t = 0; t < n_a * n_b; ++t) {
    const double gap = a[t / n_b] - b[t / n_a];
    sum += gap * gap;
  }
  return sum / static_cast<double>(n_a * n_b);
}

std::vector<double> column(const at::Tensor& t) {
  const at::Tensor c = t.reshape({-1}).to(at::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

constexpr auto message_of = &otae::testing::message_of<InvalidArgument>;

TEST(SlicedWasserstein, IdenticalOrPermutedSamplesGiveZero) {
  const at::Tensor x = gaussian(500, 5, 1);
  const at::Tensor permuted = x.index_select(0, at::randperm(500, at::kLong));
  for (Backend backend : kBackends) {
    SCOPED_TRACE(name(backend));
    const auto options = ot::SlicedWassersteinOptions().slices(50).backend(backend);
    EXPECT_EQ(sw2_squared(x, x, options), 0.0);
    EXPECT_EQ(sw2_squared(x, permuted, options), 0.0);  // only a sort makes this exact
    EXPECT_GT(sw2_squared(x, gaussian(500, 5, 2), options), 1e-4);
  }
}

TEST(SlicedWasserstein, OneDimensionIsTheExactW2Squared) {
  // In D = 1 every direction is ±1 and W₂² is unchanged by a reflection, so SW₂² = W₂².
  const at::Tensor x = gaussian(200, 1, 3);
  for (int64_t n_y : {200, 130, 1}) {
    const at::Tensor y = 0.5 + 1.7 * gaussian(n_y, 1, 4);
    const double reference = w2_squared_by_replication(column(x), column(y));
    EXPECT_NEAR(ot::wasserstein_1d(x.reshape({-1}), y.reshape({-1})).w2_squared, reference, 1e-12 * reference);
    for (Backend backend : kBackends) {
      SCOPED_TRACE(std::string(name(backend)) + " n_y=" + std::to_string(n_y));
      const auto options = ot::SlicedWassersteinOptions().slices(7).backend(backend);
      const ot::SlicedWassersteinResult result = ot::sliced_wasserstein(x, y, options);
      EXPECT_NEAR(result.sw2_squared.item<double>(), reference, 1e-12 * reference);
      EXPECT_NEAR(result.sw2.item<double>(), std::sqrt(reference), 1e-12 * std::sqrt(reference));
      EXPECT_NEAR(sw2_squared(y, x, options), reference, 1e-12 * reference);  // symmetric
    }
  }
}

TEST(SlicedWasserstein, ShiftedSampleGivesTheProjectedShift) {
  // Y = X + s moves every projection on θ by θ·s without reordering it, so W₂²(θ) = (θ·s)² exactly,
  // whatever the law of X, and SW₂² = (1/L) Σ_l (θ_l·s)². For θ uniform on S^{D−1}, E[θ₁²] = 1/D
  // and E[θ₁⁴] = 3/(D(D+2)), so over the directions E[SW₂²] = |s|²/D with standard deviation
  // |s|² √(2(D−1) / (D²(D+2) L)): 3.7 % of the mean for D = 8, L = 1,000.
  const int64_t dimension = 8, slices = 1000;
  const at::Tensor shift = at::tensor(std::vector<double>{1.0, -2.0, 0.5, 3.0, 0.0, 1.0, -1.0, 2.0}, at::kDouble);
  const double shift_squared = shift.pow(2).sum().item<double>();
  const double mean = shift_squared / dimension;
  const double sigma =
      shift_squared * std::sqrt(2.0 * (dimension - 1) / (dimension * dimension * (dimension + 2.0) * slices));
  const at::Tensor x = gaussian(1000, dimension, 5);
  for (at::ScalarType dtype : {at::kDouble, at::kFloat}) {
    for (Backend backend : kBackends) {
      SCOPED_TRACE(std::string(name(backend)) + (dtype == at::kFloat ? " float32" : " float64"));
      const at::Tensor xs = x.to(dtype), ys = (x + shift).to(dtype);
      const ot::SlicedWassersteinResult result =
          ot::sliced_wasserstein(xs, ys, ot::SlicedWassersteinOptions().slices(slices).seed(11).backend(backend));
      const double given_directions = (result.directions.to(at::kDouble).matmul(shift)).pow(2).mean().item<double>();
      const double value = result.sw2_squared.item<double>();
      EXPECT_NEAR(value, given_directions, (dtype == at::kDouble ? 1e-12 : 2e-5) * given_directions);
      EXPECT_NEAR(value, mean, 4.0 * sigma);  // |s|² (no 1/D) or |s|/√D would be off by > 80 σ
    }
  }
}

TEST(SlicedWasserstein, GradientMatchesFiniteDifferences) {
  const at::Tensor directions = ot::random_directions(16, 3, 7);
  for (int64_t n_y : {6, 4}) {
    for (Backend backend : kBackends) {
      SCOPED_TRACE(std::string(name(backend)) + " n_y=" + std::to_string(n_y));
      const auto options = ot::SlicedWassersteinOptions().directions(directions).backend(backend);
      const at::Tensor x = gaussian(6, 3, 8).requires_grad_(true);
      const at::Tensor y = (0.3 + gaussian(n_y, 3, 9)).requires_grad_(true);
      const at::Tensor value = ot::sliced_wasserstein(x, y, options).sw2_squared;
      const auto grads = torch::autograd::grad({value}, {x, y});
      for (int side = 0; side < 2; ++side) {
        const at::Tensor point = (side == 0 ? x : y).detach();
        const at::Tensor other = (side == 0 ? y : x).detach();
        for (int64_t k = 0; k < point.numel(); ++k) {
          const double h = 1e-6;
          auto evaluate = [&](double step) {
            at::Tensor moved = point.clone();
            moved.view({-1})[k] += step;
            return side == 0 ? sw2_squared(moved, other, options) : sw2_squared(other, moved, options);
          };
          const double numeric = (evaluate(h) - evaluate(-h)) / (2 * h);
          EXPECT_NEAR(grads[side].view({-1})[k].item<double>(), numeric, 1e-7) << "side " << side << " entry " << k;
        }
      }
    }
  }
}

TEST(SlicedWasserstein, FusedAndTensorBackendsAgree) {
  for (int64_t n_y : {300, 217}) {
    for (at::ScalarType dtype : {at::kDouble, at::kFloat}) {
      SCOPED_TRACE("n_y=" + std::to_string(n_y) + (dtype == at::kFloat ? " float32" : " float64"));
      const double tolerance = dtype == at::kDouble ? 1e-12 : 2e-5;
      std::vector<at::Tensor> values, grad_x, grad_y;
      for (Backend backend : kBackends) {
        const at::Tensor x = gaussian(300, 4, 12, dtype).requires_grad_(true);
        const at::Tensor y = (0.5 * gaussian(n_y, 4, 13, dtype) + 0.2).requires_grad_(true);
        const at::Tensor value =
            ot::sliced_wasserstein(x, y, ot::SlicedWassersteinOptions().slices(40).backend(backend)).sw2_squared;
        EXPECT_EQ(value.scalar_type(), dtype);
        value.backward();
        values.push_back(value.detach());
        grad_x.push_back(x.grad());
        grad_y.push_back(y.grad());
      }
      EXPECT_NEAR(values[0].item<double>(), values[1].item<double>(), tolerance * values[1].item<double>());
      const double scale_x = grad_x[1].abs().max().item<double>(), scale_y = grad_y[1].abs().max().item<double>();
      EXPECT_LE((grad_x[0] - grad_x[1]).abs().max().item<double>(), tolerance * scale_x);
      EXPECT_LE((grad_y[0] - grad_y[1]).abs().max().item<double>(), tolerance * scale_y);
    }
  }
}

TEST(SlicedWasserstein, ChunkingDoesNotChangeTheResult) {
  const at::Tensor x = gaussian(120, 3, 14), y = gaussian(95, 3, 15);
  for (Backend backend : kBackends) {
    SCOPED_TRACE(name(backend));
    const auto options = ot::SlicedWassersteinOptions().slices(23).backend(backend);
    const double whole = sw2_squared(x, y, options);
    for (int64_t chunk : {1, 5, 23, 100})
      EXPECT_NEAR(sw2_squared(x, y, ot::SlicedWassersteinOptions(options).slices_per_chunk(chunk)), whole, 1e-13 * whole);
  }
}

TEST(SlicedWasserstein, LargeUnequalBatchesForwardAndBackward) {
  // The OTUS scale in B (20,000) with few slices: int32 sort indices, several chunks, both sides.
  const at::Tensor x = gaussian(20000, 4, 16), y = 0.1 + gaussian(15000, 4, 17);
  std::vector<at::Tensor> grads;
  std::vector<double> values;
  for (Backend backend : kBackends) {
    const at::Tensor xg = x.clone().requires_grad_(true), yg = y.clone().requires_grad_(true);
    const at::Tensor value =
        ot::sliced_wasserstein(xg, yg, ot::SlicedWassersteinOptions().slices(24).slices_per_chunk(10).backend(backend))
            .sw2_squared;
    value.backward();
    values.push_back(value.item<double>());
    grads.push_back(at::cat({xg.grad(), yg.grad()}));
  }
  EXPECT_NEAR(values[0], values[1], 1e-12 * values[1]);
  EXPECT_LE((grads[0] - grads[1]).abs().max().item<double>(), 1e-12 * grads[1].abs().max().item<double>());
}

TEST(SlicedWasserstein, DeterministicBySeed) {
  const at::Tensor x = gaussian(64, 6, 18), y = gaussian(80, 6, 19);
  const auto options = ot::SlicedWassersteinOptions().slices(30).seed(42);
  const ot::SlicedWassersteinResult first = ot::sliced_wasserstein(x, y, options);
  const ot::SlicedWassersteinResult again = ot::sliced_wasserstein(x, y, options);
  EXPECT_TRUE(at::equal(first.directions, again.directions));
  EXPECT_EQ(first.sw2_squared.item<double>(), again.sw2_squared.item<double>());
  EXPECT_TRUE(at::equal(first.directions, ot::random_directions(30, 6, 42)));

  const ot::SlicedWassersteinResult other = ot::sliced_wasserstein(x, y, ot::SlicedWassersteinOptions(options).seed(43));
  EXPECT_FALSE(at::equal(first.directions, other.directions));
  EXPECT_NE(first.sw2_squared.item<double>(), other.sw2_squared.item<double>());

  // Reusing the returned directions reproduces the value, whatever seed is set.
  const auto reuse = ot::SlicedWassersteinOptions().directions(first.directions).seed(99);
  EXPECT_EQ(sw2_squared(x, y, reuse), first.sw2_squared.item<double>());
}

TEST(SlicedWasserstein, RandomDirectionsAreUnitAndIsotropic) {
  const at::Tensor theta = ot::random_directions(20000, 4, 3);
  ASSERT_EQ(theta.sizes(), (at::IntArrayRef{20000, 4}));
  EXPECT_EQ(theta.scalar_type(), at::kDouble);
  EXPECT_LT((theta.norm(2, {1}) - 1).abs().max().item<double>(), 1e-15);
  // E[θθᵀ] = I/D and E[θ] = 0. Over L = 20,000 directions in D = 4 the entries of the sample
  // second moment have standard deviations √(2(D−1)/(D²(D+2))/L) ≈ 0.0018 (diagonal) and
  // √(1/(D(D+2))/L) ≈ 0.0014 (off-diagonal), those of the mean √(1/(D L)) ≈ 0.0035.
  const at::Tensor second_moment = theta.t().matmul(theta) / 20000.0;
  EXPECT_LT((second_moment - at::eye(4, at::kDouble) / 4.0).abs().max().item<double>(), 0.015);
  EXPECT_LT(theta.mean(0).abs().max().item<double>(), 0.02);
}

TEST(SlicedWasserstein, FusedRefusesSecondDerivativesTensorGivesThem) {
  const at::Tensor y = gaussian(10, 2, 21);
  for (Backend backend : kBackends) {
    SCOPED_TRACE(name(backend));
    const at::Tensor x = gaussian(10, 2, 20).requires_grad_(true);
    const at::Tensor value =
        ot::sliced_wasserstein(x, y, ot::SlicedWassersteinOptions().slices(5).backend(backend)).sw2_squared;
    if (backend == Backend::kFused) {
      EXPECT_THROW(torch::autograd::grad({value}, {x}, {}, true, /*create_graph=*/true), InvalidArgument);
    } else {
      // SW₂² is quadratic in x for a fixed order: ∂²/∂x² of (1/(LB)) Σ (θ·x_i − …)² contracted with
      // the gradient direction g gives H g = (2/(LB)) Σ_l θ_l θ_lᵀ g, i.e. ∇(½|∇|²) = H ∇.
      const at::Tensor grad = torch::autograd::grad({value}, {x}, {}, true, true)[0];
      const at::Tensor hessian_times_grad = torch::autograd::grad({0.5 * grad.pow(2).sum()}, {x})[0];
      const at::Tensor theta = ot::random_directions(5, 2, 0);
      const at::Tensor expected = grad.detach().matmul(theta.t()).matmul(theta) * (2.0 / (5 * 10));
      EXPECT_LE((hessian_times_grad - expected).abs().max().item<double>(), 1e-12);
    }
  }
}

TEST(SlicedWasserstein, InvalidInputsNameTheProblem) {
  const at::Tensor x = gaussian(10, 3, 22);
  auto run = [](const at::Tensor& a, const at::Tensor& b, ot::SlicedWassersteinOptions options = {}) {
    return message_of([&] { ot::sliced_wasserstein(a, b, options.slices(4)); });
  };
  at::Tensor with_nan = x.clone();
  with_nan[3][1] = std::nan("");
  EXPECT_NE(run(with_nan, x).find("x[3, 1] = nan"), std::string::npos) << run(with_nan, x);
  at::Tensor with_inf = x.clone();
  with_inf[7][2] = -INFINITY;
  EXPECT_NE(run(x, with_inf).find("y[7, 2] = -inf"), std::string::npos) << run(x, with_inf);
  const std::string dimension = run(x, gaussian(10, 4, 23));
  EXPECT_NE(dimension.find("x [10, 3] and y [10, 4]"), std::string::npos) << dimension;
  EXPECT_NE(run(x.narrow(0, 0, 0), x).find("x is empty, shape [0, 3]"), std::string::npos);
  EXPECT_NE(run(x.reshape({-1}), x).find("x must be [B, D], received shape [30]"), std::string::npos);
  EXPECT_NE(run(x.to(at::kLong), x.to(at::kLong)).find("float32 or float64, received dtype Long"), std::string::npos);
  EXPECT_NE(run(x, x.to(at::kFloat)).find("share one dtype"), std::string::npos);
  EXPECT_NE(message_of([&] { ot::sliced_wasserstein(x, x, ot::SlicedWassersteinOptions().slices(0)); }).find("slices=0"),
            std::string::npos);
  EXPECT_NE(message_of([&] { ot::sliced_wasserstein(x, x, ot::SlicedWassersteinOptions().slices_per_chunk(-2)); })
                .find("received -2"),
            std::string::npos);
  const std::string wrong_d = run(x, x, ot::SlicedWassersteinOptions().directions(ot::random_directions(5, 2, 0)));
  EXPECT_NE(wrong_d.find("D = 3"), std::string::npos) << wrong_d;
  const std::string not_unit = run(x, x, ot::SlicedWassersteinOptions().directions(2.0 * ot::random_directions(5, 3, 0)));
  EXPECT_NE(not_unit.find("row 0 has norm 2"), std::string::npos) << not_unit;
  EXPECT_THROW(ot::random_directions(0, 3, 0), InvalidArgument);
}

}  // namespace
