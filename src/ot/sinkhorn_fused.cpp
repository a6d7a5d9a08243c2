// Fused CPU Sinkhorn: one pair at a time on compacted (non-padding) particles, parallel over the
// batch. Multiplicative scaling with the potentials absorbed into the kernel at every ε step
// (one exp per matrix entry per step, multiply-adds in between), and the explicit gradient of
// the sharp cost computed in the same pass while the plan is hot in cache.
#include <algorithm>
#include <cmath>
#include <string>

#include <ATen/Parallel.h>

#include "otae/base/error.hpp"
#include "otae/physics/kinematics.hpp"
#include "sinkhorn_backends.hpp"

namespace otae::ot::detail {
namespace {

constexpr double kTiny = 1e-300;  // guards divisions by marginals that underflowed

/// Scratch for one pair, reused by a thread across pairs. Matrices are [n, stride] row-major.
struct PairScratch {
  int64_t n = 0, m = 0, stride = 0;
  std::vector<int64_t> index_a, index_b;
  std::vector<double> a, b, eta_a, phi_a, eta_b, phi_b;
  int64_t row_stride = 0;  // n rounded up to whole vectors: the stride of the transposed kernel
  std::vector<double> cost, plan, plan_transposed;
  std::vector<double> f, g, u, v, kv, ktu;
  // gradient only
  std::vector<double> row, col, h_a, h_b, inv_sqrt_col, scaled_plan, schur, rhs, w_a, w_b;
  std::vector<double> grad_eta_a, grad_phi_a, grad_eta_b, grad_phi_b;
};

void compact(const double* w, const double* x, int64_t count, std::vector<int64_t>& index,
             std::vector<double>& weight, std::vector<double>& eta, std::vector<double>& phi) {
  index.clear(); weight.clear(); eta.clear(); phi.clear();
  for (int64_t p = 0; p < count; ++p) {
    if (w[p] > 0) {
      index.push_back(p);
      weight.push_back(w[p]);
      eta.push_back(x[2 * p]);
      phi.push_back(x[2 * p + 1]);
    }
  }
}

/// Padding columns (j ≥ m, up to the stride) carry zero weight and a prohibitive cost, so the
/// vector loops run over whole rows without remainders and the padding never receives mass.
constexpr double kPaddingCost = 1e300;

void load_pair(PairScratch& s, const double* wa, const double* xa, int64_t n_max, const double* wb,
               const double* xb, int64_t m_max) {
  compact(wa, xa, n_max, s.index_a, s.a, s.eta_a, s.phi_a);
  compact(wb, xb, m_max, s.index_b, s.b, s.eta_b, s.phi_b);
  s.n = static_cast<int64_t>(s.a.size());
  s.m = static_cast<int64_t>(s.b.size());
  s.stride = (s.m + 7) / 8 * 8;  // whole AVX-512 vectors of doubles
  s.row_stride = (s.n + 7) / 8 * 8;
  for (auto* column : {&s.b, &s.eta_b, &s.phi_b}) column->resize(s.stride, 0.0);
  s.cost.assign(s.n * s.stride, kPaddingCost);
  s.plan.assign(s.n * s.stride, 0.0);
  s.plan_transposed.assign(s.m * s.row_stride, 0.0);  // padding rows i ≥ n stay 0
  s.f.assign(s.n, 0.0); s.u.assign(s.n, 1.0); s.kv.assign(s.row_stride, 0.0);
  s.g.assign(s.stride, 0.0); s.v.assign(s.stride, 0.0); s.ktu.assign(s.stride, 0.0);
}

/// out[c0 + k] = Σ_r scale[r] · M[r·stride + c0 + k] for k < W: W accumulators stay in registers
/// over the rows, where a loop that adds each row into `out` would reload and store it per row.
template <int W>
inline __attribute__((always_inline)) void weighted_row_block(const double* M, int64_t rows, int64_t stride,
                                                             const double* scale, int64_t c0, double* out) {
  double acc[W] = {};
  for (int64_t r = 0; r < rows; ++r) {
    const double s = scale[r];
    const double* row = M + r * stride + c0;
#pragma omp simd
    for (int k = 0; k < W; ++k) acc[k] += s * row[k];
  }
  for (int k = 0; k < W; ++k) out[c0 + k] = acc[k];
}

/// out[c] = Σ_r scale[r] · M[r·stride + c] for c < stride (a multiple of 8): Mᵀ·scale.
inline __attribute__((always_inline)) void weighted_row_sum(const double* M, int64_t rows, int64_t stride,
                                                           const double* scale, double* out) {
  int64_t c0 = 0;
  for (; c0 + 32 <= stride; c0 += 32) weighted_row_block<32>(M, rows, stride, scale, c0, out);
  for (; c0 < stride; c0 += 8) weighted_row_block<8>(M, rows, stride, scale, c0, out);
}

struct PairResult {
  double cost = 0;
  int64_t iterations = 0;
  double marginal_error = 0;
};

/// s.cost [n, stride] = (ΔR/R)^β between the pair's particles.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void fill_cost(PairScratch& s, const GroundDistance& ground) {
  const int64_t n = s.n, m = s.m, st = s.stride;
  const double inv_r = 1.0 / ground.R();
  const bool wrap = ground.wrap_phi();
  const double* eta_b = s.eta_b.data();
  const double* phi_b = s.phi_b.data();
  for (int64_t i = 0; i < n; ++i) {
    double* c = s.cost.data() + i * st;
    const double eta = s.eta_a[i], phi = s.phi_a[i];
    if (wrap) {
#pragma omp simd
      for (int64_t j = 0; j < m; ++j) {
        const double de = eta - eta_b[j], dp = physics::wrap_phi(phi - phi_b[j]);
        c[j] = std::sqrt(de * de + dp * dp) * inv_r;
      }
    } else {
#pragma omp simd
      for (int64_t j = 0; j < m; ++j) {
        const double de = eta - eta_b[j], dp = phi - phi_b[j];
        c[j] = std::sqrt(de * de + dp * dp) * inv_r;
      }
    }
    if (ground.beta() != 1.0)
      for (int64_t j = 0; j < m; ++j) c[j] = std::pow(c[j], ground.beta());
  }
}

/// The Sinkhorn iterations of one pair on s.cost; leaves the final plan in s.plan.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
PairResult solve_pair(PairScratch& s, const std::vector<double>& epsilons, int64_t iterations_per_step,
                      double tolerance) {
  const int64_t n = s.n, m = s.m, st = s.stride;
  PairResult result;
  double* K = s.plan.data();
  double* Kt = s.plan_transposed.data();
  const int64_t rst = s.row_stride;
  for (size_t step = 0; step < epsilons.size(); ++step) {
    const double eps = epsilons[step];
    absorbed_kernel(s.f.data(), s.g.data(), s.cost.data(), eps, n, st, st, K);
    // Kv as a weighted sum of Kᵀ's rows, so that both products keep their sums in registers
    for (int64_t j = 0; j < m; ++j)
      for (int64_t i = 0; i < n; ++i) Kt[j * rst + i] = K[i * st + j];
    std::fill(s.u.begin(), s.u.end(), 1.0);
    std::fill(s.v.begin(), s.v.begin() + m, 1.0);  // padding columns keep v = 0
    weighted_row_sum(Kt, m, rst, s.v.data(), s.kv.data());
    for (int64_t it = 0; it < iterations_per_step; ++it) {
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) s.u[i] = s.a[i] / std::max(s.kv[i], kTiny);
      weighted_row_sum(K, n, st, s.u.data(), s.ktu.data());
#pragma omp simd
      for (int64_t j = 0; j < st; ++j) s.v[j] = s.b[j] / std::max(s.ktu[j], kTiny);
      weighted_row_sum(Kt, m, rst, s.v.data(), s.kv.data());
      ++result.iterations;
      double error = 0;
#pragma omp simd reduction(+ : error)
      for (int64_t i = 0; i < n; ++i) error += std::abs(s.u[i] * s.kv[i] - s.a[i]);
      result.marginal_error = error;
      if (error < tolerance) break;
    }
    if (step + 1 < epsilons.size()) {
      absorb_scalings(s.u.data(), n, eps, s.f.data());
      absorb_scalings(s.v.data(), m, eps, s.g.data());
    }
  }
  double cost = 0;
  for (int64_t i = 0; i < n; ++i) {
    double* t = K + i * st;
    const double* c = s.cost.data() + i * st;
    const double ui = s.u[i];
#pragma omp simd reduction(+ : cost)
    for (int64_t j = 0; j < st; ++j) {
      t[j] *= ui * s.v[j];
      cost += j < m ? t[j] * c[j] : 0.0;
    }
  }
  result.cost = cost;
  return result;
}

/// Solves the symmetric positive definite system A x = y in place (A [k, k] lower part used,
/// overwritten by its Cholesky factor; y overwritten by x). Returns false if A is not positive
/// definite in floating point.
bool cholesky_solve(std::vector<double>& A, std::vector<double>& y, int64_t k) {
  for (int64_t j = 0; j < k; ++j) {
    double d = A[j * k + j];
    for (int64_t p = 0; p < j; ++p) d -= A[j * k + p] * A[j * k + p];
    if (!(d > 0)) return false;
    const double l = std::sqrt(d);
    A[j * k + j] = l;
    for (int64_t i = j + 1; i < k; ++i) {
      double x = A[i * k + j];
      for (int64_t p = 0; p < j; ++p) x -= A[i * k + p] * A[j * k + p];
      A[i * k + j] = x / l;
    }
  }
  for (int64_t i = 0; i < k; ++i) {
    double x = y[i];
    for (int64_t p = 0; p < i; ++p) x -= A[i * k + p] * y[p];
    y[i] = x / A[i * k + i];
  }
  for (int64_t i = k - 1; i >= 0; --i) {
    double x = y[i];
    for (int64_t p = i + 1; p < k; ++p) x -= A[p * k + i] * y[p];
    y[i] = x / A[i * k + i];
  }
  return true;
}

/// Fills s.schur [(n−1)², lower part] and s.rhs [n−1] of the adjoint system (see solve_adjoint)
/// without the row and column `dropped`, adding `ridge` to the diagonal.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void build_adjoint_system(PairScratch& s, int64_t dropped, double ridge) {
  const int64_t n = s.n, m = s.m, st = s.stride, k = n - 1;
  const double* q = s.scaled_plan.data();
  auto reduced = [dropped](int64_t i) { return i < dropped ? i : i - 1; };
  s.schur.assign(k * k, 0.0);
  s.rhs.assign(k, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    if (i == dropped) continue;
    const int64_t ri = reduced(i);
    const double* qi = q + i * st;
    double r = 0;
#pragma omp simd reduction(+ : r)
    for (int64_t j = 0; j < m; ++j) r += qi[j] * s.h_b[j] * s.inv_sqrt_col[j];
    s.rhs[ri] = s.h_a[i] - r;
    for (int64_t p = 0; p <= i; ++p) {
      if (p == dropped) continue;
      const double* qp = q + p * st;
      double x = 0;
#pragma omp simd reduction(+ : x)
      for (int64_t j = 0; j < m; ++j) x += qi[j] * qp[j];
      s.schur[ri * k + reduced(p)] = (i == p ? s.row[i] + ridge : 0.0) - x;
    }
  }
}

/// Adjoint of the entropic optimality conditions (Luise et al. 2018, Thm. 2, in Schur-complement
/// form). With r = T1, c = Tᵀ1, h_a = (T⊙C)1, h_b = (T⊙C)ᵀ1, solve
///   [diag(r) T; Tᵀ diag(c)] [w_a; w_b] = [h_a; h_b]
/// by eliminating w_b: (diag(r) − Q Qᵀ) w_a = h_a − T (h_b/c) with Q = T diag(c)^−½. The matrix
/// has the null vector 1 (w_a + t, w_b − t solve it too), so one row and column — of the
/// heaviest particle, for conditioning — is dropped, fixing that w_a component to 0.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void solve_adjoint(PairScratch& s) {
  const int64_t n = s.n, m = s.m, st = s.stride;
  const double* T = s.plan.data();
  const double* C = s.cost.data();
  s.row.assign(n, 0.0); s.h_a.assign(n, 0.0);
  s.col.assign(m, 0.0); s.h_b.assign(m, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    double row = 0, h_a = 0;
#pragma omp simd reduction(+ : row, h_a)
    for (int64_t j = 0; j < m; ++j) {
      const double t = T[i * st + j], tc = t * C[i * st + j];
      row += t; h_a += tc;
      s.col[j] += t; s.h_b[j] += tc;
    }
    s.row[i] = row; s.h_a[i] = h_a;
  }
  s.inv_sqrt_col.resize(m);
  for (int64_t j = 0; j < m; ++j) {
    s.col[j] = std::max(s.col[j], kTiny);
    s.inv_sqrt_col[j] = 1.0 / std::sqrt(s.col[j]);
  }
  s.scaled_plan.assign(n * st, 0.0);
  for (int64_t i = 0; i < n; ++i) {
#pragma omp simd
    for (int64_t j = 0; j < m; ++j) s.scaled_plan[i * st + j] = T[i * st + j] * s.inv_sqrt_col[j];
  }

  const int64_t dropped = std::max_element(s.row.begin(), s.row.end()) - s.row.begin();
  // Underflowed plan entries can disconnect the transport graph and make the system singular:
  // retry with a growing ridge, as the reference does with its fixed 1e-10.
  const double scale = s.row[dropped];
  bool solved = false;
  for (double ridge = 0; !solved && ridge <= 1e-6; ridge = ridge == 0 ? 1e-14 : ridge * 100) {
    build_adjoint_system(s, dropped, ridge * scale);
    solved = cholesky_solve(s.schur, s.rhs, n - 1);
  }
  if (!solved) throw NumericalError("sinkhorn_emd: the adjoint system of the gradient is singular");

  s.w_a.assign(n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    if (i != dropped) s.w_a[i] = s.rhs[i < dropped ? i : i - 1];
  s.w_b.assign(m, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const double wa = s.w_a[i];
#pragma omp simd
    for (int64_t j = 0; j < m; ++j) s.w_b[j] += T[i * st + j] * wa;
  }
  for (int64_t j = 0; j < m; ++j) s.w_b[j] = (s.h_b[j] - s.w_b[j]) / s.col[j];
}

/// ∂S/∂(η, φ) of both jets from ∂S/∂Cᵢⱼ (exact: Tᵢⱼ (1 + (w_aᵢ + w_bⱼ − Cᵢⱼ)/ε); frozen plan:
/// Tᵢⱼ). C = (ΔR/R)^β ⇒ ∂C/∂(η, φ)_a = β C (Δη, Δφ)/ΔR²; ΔR = 0 gets the zero subgradient.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void position_gradient(PairScratch& s, double eps, const GroundDistance& ground, bool exact) {
  const int64_t n = s.n, m = s.m, st = s.stride;
  const double beta = ground.beta(), inv_eps = 1.0 / eps;
  const bool wrap = ground.wrap_phi();
  s.grad_eta_a.assign(n, 0.0); s.grad_phi_a.assign(n, 0.0);
  s.grad_eta_b.assign(m, 0.0); s.grad_phi_b.assign(m, 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const double* t = s.plan.data() + i * st;
    const double* c = s.cost.data() + i * st;
    const double eta = s.eta_a[i], phi = s.phi_a[i], w_a = s.w_a[i];
    double ge = 0, gp = 0;
#pragma omp simd reduction(+ : ge, gp)
    for (int64_t j = 0; j < m; ++j) {
      const double de = eta - s.eta_b[j];
      const double dp = wrap ? physics::wrap_phi(phi - s.phi_b[j]) : phi - s.phi_b[j];
      const double r2 = de * de + dp * dp;
      const double dS_dC = exact ? t[j] * (1.0 + (w_a + s.w_b[j] - c[j]) * inv_eps) : t[j];
      const double coef = r2 > 0 ? dS_dC * beta * c[j] / r2 : 0.0;
      ge += coef * de; gp += coef * dp;
      s.grad_eta_b[j] -= coef * de;
      s.grad_phi_b[j] -= coef * dp;
    }
    s.grad_eta_a[i] = ge; s.grad_phi_a[i] = gp;
  }
}

/// Writes ∂S/∂(weights, positions) of both jets into the pair's rows of the output tensors.
/// Weight gradients are projected onto the simplex (zero mean over the jet's particles).
void pair_gradient(PairScratch& s, double eps, const SinkhornOptions& options, double* grad_wa,
                   double* grad_xa, double* grad_wb, double* grad_xb) {
  solve_adjoint(s);
  position_gradient(s, eps, options.ground(), options.position_gradient() == PositionGradient::kExact);
  double mean_a = 0, mean_b = 0;
  for (double w : s.w_a) mean_a += w;
  for (double w : s.w_b) mean_b += w;
  mean_a /= s.n; mean_b /= s.m;
  for (int64_t i = 0; i < s.n; ++i) {
    grad_wa[s.index_a[i]] = s.w_a[i] - mean_a;
    grad_xa[2 * s.index_a[i]] = s.grad_eta_a[i];
    grad_xa[2 * s.index_a[i] + 1] = s.grad_phi_a[i];
  }
  for (int64_t j = 0; j < s.m; ++j) {
    grad_wb[s.index_b[j]] = s.w_b[j] - mean_b;
    grad_xb[2 * s.index_b[j]] = s.grad_eta_b[j];
    grad_xb[2 * s.index_b[j] + 1] = s.grad_phi_b[j];
  }
}

}  // namespace

SinkhornOutputs sinkhorn_fused(const at::Tensor& weights_a, const at::Tensor& positions_a,
                               const at::Tensor& weights_b, const at::Tensor& positions_b,
                               const SinkhornOptions& options, bool with_gradient) {
  const int64_t batch = weights_a.size(0), n_max = weights_a.size(1), m_max = weights_b.size(1);
  const auto f64 = weights_a.options().dtype(at::kDouble);
  SinkhornOutputs out;
  out.cost = at::empty({batch}, f64);
  out.marginal_error = at::empty({batch}, f64);
  out.iterations = at::empty({batch}, f64.dtype(at::kLong));
  if (options.return_plan()) out.plan = at::zeros({batch, n_max, m_max}, f64);
  if (with_gradient) {
    out.grad_weights_a = at::zeros_like(weights_a);
    out.grad_positions_a = at::zeros_like(positions_a);
    out.grad_weights_b = at::zeros_like(weights_b);
    out.grad_positions_b = at::zeros_like(positions_b);
  }
  const std::vector<double> epsilons =
      epsilon_schedule(options.eps_start(), options.eps_end(), options.eps_steps());
  const double* wa = weights_a.data_ptr<double>();
  const double* xa = positions_a.data_ptr<double>();
  const double* wb = weights_b.data_ptr<double>();
  const double* xb = positions_b.data_ptr<double>();

  at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
    static thread_local PairScratch s;
    for (int64_t p = begin; p < end; ++p) {
      load_pair(s, wa + p * n_max, xa + p * n_max * 2, n_max, wb + p * m_max, xb + p * m_max * 2, m_max);
      fill_cost(s, options.ground());
      const PairResult r = solve_pair(s, epsilons, options.iterations_per_step(), options.tolerance());
      out.cost.data_ptr<double>()[p] = r.cost;
      out.iterations.data_ptr<int64_t>()[p] = r.iterations;
      out.marginal_error.data_ptr<double>()[p] = r.marginal_error;
      if (options.return_plan()) {
        double* plan = out.plan.data_ptr<double>() + p * n_max * m_max;
        for (int64_t i = 0; i < s.n; ++i)
          for (int64_t j = 0; j < s.m; ++j) plan[s.index_a[i] * m_max + s.index_b[j]] = s.plan[i * s.stride + j];
      }
      if (with_gradient)
        pair_gradient(s, epsilons.back(), options, out.grad_weights_a.data_ptr<double>() + p * n_max,
                      out.grad_positions_a.data_ptr<double>() + p * n_max * 2,
                      out.grad_weights_b.data_ptr<double>() + p * m_max,
                      out.grad_positions_b.data_ptr<double>() + p * m_max * 2);
    }
  });
  return out;
}

}  // namespace otae::ot::detail
