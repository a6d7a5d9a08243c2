// The Fréchet (Gaussian W2²) distance through symmetric eigendecompositions.
#include "otae/ot/gaussian.hpp"

#include <sstream>
#include <string>

#include "otae/base/error.hpp"

namespace otae::ot {
namespace {

at::Tensor checked(const at::Tensor& t, int64_t rank, int64_t dimension, const char* name) {
  std::ostringstream problem;
  if (!t.defined() || t.dim() != rank || (dimension >= 0 && t.size(0) != dimension) ||
      (rank == 2 && t.size(0) != t.size(1))) {
    problem << "frechet_distance: " << name << " must be " << (rank == 1 ? "[D]" : "[D, D]");
    if (dimension >= 0) problem << " with D = " << dimension;
    if (t.defined()) problem << ", received shape " << t.sizes();
    throw InvalidArgument(problem.str());
  }
  const at::Tensor values = t.detach().to(at::kCPU, at::kDouble);
  if (!at::isfinite(values).all().item<bool>())
    throw InvalidArgument(std::string("frechet_distance: ") + name + " holds NaN or inf");
  return values;
}

/// S^½ of a symmetric positive semi-definite S, eigenvalues below 0 (rounding) taken as 0.
at::Tensor symmetric_sqrt(const at::Tensor& s) {
  const auto [eigenvalues, eigenvectors] = at::linalg_eigh(s);
  return at::matmul(eigenvectors * eigenvalues.clamp_min(0).sqrt().unsqueeze(0), eigenvectors.transpose(0, 1));
}

}  // namespace

double frechet_distance(const at::Tensor& mean_a, const at::Tensor& covariance_a, const at::Tensor& mean_b,
                        const at::Tensor& covariance_b) {
  const at::Tensor mu_a = checked(mean_a, 1, -1, "mean_a");
  const int64_t d = mu_a.size(0);
  const at::Tensor mu_b = checked(mean_b, 1, d, "mean_b");
  const at::Tensor sigma_a = checked(covariance_a, 2, d, "covariance_a");
  const at::Tensor sigma_b = checked(covariance_b, 2, d, "covariance_b");
  const at::Tensor root_a = symmetric_sqrt(0.5 * (sigma_a + sigma_a.transpose(0, 1)));
  const at::Tensor middle = at::matmul(root_a, at::matmul(sigma_b, root_a));
  const at::Tensor cross = at::linalg_eigvalsh(0.5 * (middle + middle.transpose(0, 1))).clamp_min(0).sqrt().sum();
  return ((mu_a - mu_b).square().sum() + sigma_a.trace() + sigma_b.trace() - 2 * cross).item<double>();
}

}  // namespace otae::ot
