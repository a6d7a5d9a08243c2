// The one place otae compiles with -ffast-math: the absorbed Sinkhorn kernel, whose exp
// dominates a Sinkhorn ε step, and the log of the scalings absorbed at its end. Inputs are
// clamped or positive and finite, so finite-math holds by construction.
#include <algorithm>
#include <cmath>

#include "sinkhorn_backends.hpp"

namespace otae::ot::detail {

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void absorbed_kernel(const double* f, const double* g, const double* cost, double eps, int64_t n,
                     int64_t m, int64_t stride, double* kernel) {
  const double inv_eps = 1.0 / eps;
  for (int64_t i = 0; i < n; ++i) {
    const double fi = f[i];
    const double* c = cost + i * stride;
    double* k = kernel + i * stride;
#pragma omp simd
    for (int64_t j = 0; j < m; ++j) {
      const double x = (fi + g[j] - c[j]) * inv_eps;
      k[j] = std::exp(std::min(std::max(x, -700.0), 700.0));
    }
  }
}

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void absorb_scalings(const double* scaling, int64_t count, double eps, double* potential) {
#pragma omp simd
  for (int64_t k = 0; k < count; ++k) potential[k] += eps * std::log(scaling[k]);
}

}  // namespace otae::ot::detail
