#include "otae/nn/von_mises.hpp"

#include <torch/autograd.h>

#include <array>
#include <cmath>
#include <string>

#include "otae/base/error.hpp"

namespace otae::nn {

namespace {

constexpr double kPi = 3.14159265358979323846;
/// Best–Fisher candidates drawn per element at once; each is accepted with probability > 0.65.
constexpr int64_t kCandidates = 8;

void require_positive_concentration(const torch::Tensor& kappa) {
  if (!(kappa > 0).logical_and(at::isfinite(kappa)).all().item<bool>())
    throw InvalidArgument("von Mises: every concentration kappa must be > 0 and finite, received min " +
                          std::to_string(kappa.min().item<double>()) + ", max " +
                          std::to_string(kappa.max().item<double>()));
}

/// 1 − A(κ) and ln i0e(κ), float64, elementwise: the scaled Bessel functions below
/// kVonMisesAsymptoticAbove, the asymptotic series (header) above it.
std::pair<torch::Tensor, torch::Tensor> bessel_terms(const torch::Tensor& kappa) {
  const torch::Tensor large = kappa > kVonMisesAsymptoticAbove;
  const torch::Tensor e = 1.0 / torch::where(large, kappa, torch::full_like(kappa, kVonMisesAsymptoticAbove));
  const torch::Tensor series_i0 = 1 + e * (1.0 / 8 + e * (9.0 / 128 + e * (225.0 / 3072 + e * (11025.0 / 98304))));
  const torch::Tensor series_gap = e * (0.5 + e * (3.0 / 16 + e * (45.0 / 256 + e * (525.0 / 2048))));
  const torch::Tensor i0e = at::special_i0e(kappa), i1e = at::special_i1e(kappa);
  const torch::Tensor one_minus_a = torch::where(large, series_gap / series_i0, (i0e - i1e) / i0e);
  const torch::Tensor log_i0e =
      torch::where(large, -0.5 * torch::log(2 * kPi / e) + torch::log(series_i0), torch::log(i0e));
  return {one_minus_a, log_i0e};
}

/// KL(vM(κ) ‖ U) with its analytic derivative κ(1 − A²) − A, all in float64.
class VonMisesKl : public torch::autograd::Function<VonMisesKl> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& kappa) {
    const torch::Tensor k = kappa.to(torch::kDouble);
    const auto [one_minus_a, log_i0e] = bessel_terms(k);
    ctx->save_for_backward({kappa});
    // κA − ln I₀ = κ(A − 1) − ln i0e: the e^κ of I₀ cancels the κ of κA without being formed.
    return (-k * one_minus_a - log_i0e).to(kappa.scalar_type());
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const torch::Tensor kappa = ctx->get_saved_variables()[0];
    const torch::Tensor k = kappa.to(torch::kDouble);
    const torch::Tensor one_minus_a = bessel_terms(k).first;
    const torch::Tensor a = 1 - one_minus_a;
    const torch::Tensor derivative = k * one_minus_a * (1 + a) - a;
    return {(grad_outputs[0].to(torch::kDouble) * derivative).to(kappa.scalar_type())};
  }
};

/// 16-point Gauss–Legendre nodes and weights on [−1, 1], by Newton's method on P₁₆ at first use.
struct GaussLegendre {
  static constexpr int kPoints = 16;
  std::array<double, kPoints> node{}, weight{};

  GaussLegendre() {
    for (int i = 0; i < kPoints; ++i) {
      double x = std::cos(kPi * (i + 0.75) / (kPoints + 0.5));
      double derivative = 0.0;
      for (int iteration = 0; iteration < 100; ++iteration) {
        double p0 = 1.0, p1 = x;
        for (int n = 2; n <= kPoints; ++n) {
          const double p2 = ((2 * n - 1) * x * p1 - (n - 1) * p0) / n;
          p0 = p1;
          p1 = p2;
        }
        derivative = kPoints * (x * p1 - p0) / (x * x - 1);
        const double step = p1 / derivative;
        x -= step;
        if (std::abs(step) < 1e-16) break;
      }
      node[i] = x;
      weight[i] = 2 / ((1 - x * x) * derivative * derivative);
    }
  }

  template <class F>
  double integrate(const F& f, double a, double b) const {
    const double half = 0.5 * (b - a), mid = 0.5 * (a + b);
    double sum = 0.0;
    for (int i = 0; i < kPoints; ++i) sum += weight[i] * f(mid + half * node[i]);
    return half * sum;
  }
};

/// ∫_a^b f of a one-signed f to relative accuracy ~1e-13, bisecting where 16 points disagree
/// with 2 × 16.
template <class F>
double adaptive_integral(const F& f, double a, double b, double whole, int depth = 0) {
  static const GaussLegendre rule;
  const double mid = 0.5 * (a + b);
  const double left = rule.integrate(f, a, mid), right = rule.integrate(f, mid, b);
  const double halves = left + right;
  if (std::abs(halves - whole) <= 1e-13 * std::abs(halves) || depth >= 40) return halves;
  return adaptive_integral(f, a, mid, left, depth + 1) + adaptive_integral(f, mid, b, right, depth + 1);
}

/// dθ₀/dκ of one sample (header): −∫_0^θ h or +∫_θ^π h, h(t) = (cos t − A) e^{κ(cos t − cos θ)},
/// whichever side of the sign change of cos t − A the sample is on; odd in θ.
double sample_derivative(double theta, double kappa, double one_minus_a) {
  const double t0 = std::abs(theta);
  if (t0 == 0.0) return 0.0;
  // cos t − A = (1 − A) − 2 sin²(t/2) and cos t − cos θ = −2 sin((t + θ)/2) sin((t − θ)/2),
  // both without cancellation for small angles and large κ.
  auto h = [&](double t) {
    const double s = std::sin(0.5 * t);
    return (one_minus_a - 2 * s * s) * std::exp(-2 * kappa * std::sin(0.5 * (t + t0)) * std::sin(0.5 * (t - t0)));
  };
  static const GaussLegendre rule;
  const bool before_sign_change = 2 * std::pow(std::sin(0.5 * t0), 2) < one_minus_a;
  const double value = before_sign_change ? -adaptive_integral(h, 0.0, t0, rule.integrate(h, 0.0, t0))
                                          : adaptive_integral(h, t0, kPi, rule.integrate(h, t0, kPi));
  return theta > 0 ? value : -value;
}

/// Best & Fisher (1979): θ₀ ~ vM(0, κ) from uniforms (u₁, u₂, u₃) per candidate.
bool best_fisher(double kappa, double u1, double u2, double u3, double& theta) {
  const double tau = 1 + std::sqrt(1 + 4 * kappa * kappa);
  const double rho = (tau - std::sqrt(2 * tau)) / (2 * kappa);
  const double r = (1 + rho * rho) / (2 * rho);
  const double z = std::cos(kPi * u1);
  const double f = (1 + r * z) / (r + z);
  const double c = kappa * (r - f);
  if (c * (2 - c) - u2 <= 0 && std::log(c / u2) + 1 - c < 0) return false;
  theta = (u3 > 0.5 ? 1.0 : -1.0) * std::acos(std::clamp(f, -1.0, 1.0));
  return true;
}

torch::Tensor draw_von_mises(const torch::Tensor& kappa, c10::optional<at::Generator> generator) {
  const torch::Tensor k = kappa.to(torch::kDouble).contiguous().cpu();
  const int64_t n = k.numel();
  const torch::Tensor uniforms = at::rand({n, kCandidates, 3}, generator, torch::dtype(torch::kDouble)).contiguous();
  torch::Tensor theta = torch::empty({n}, torch::kDouble);
  const double* kp = k.data_ptr<double>();
  const double* u = uniforms.data_ptr<double>();
  double* out = theta.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i) {
    bool accepted = false;
    for (int64_t j = 0; j < kCandidates && !accepted; ++j) {
      const double* c = u + (i * kCandidates + j) * 3;
      accepted = best_fisher(kp[i], c[0], c[1], c[2], out[i]);
    }
    // All candidates rejected (probability < 0.35⁸ ≈ 2·10⁻⁴ per element): draw on, still seeded.
    while (!accepted) {
      const torch::Tensor more = at::rand({3}, generator, torch::dtype(torch::kDouble));
      const double* c = more.data_ptr<double>();
      accepted = best_fisher(kp[i], c[0], c[1], c[2], out[i]);
    }
  }
  return theta.reshape(kappa.sizes());
}

/// θ₀ ~ vM(0, κ) with the implicit reparameterisation gradient in its backward.
class VonMisesSample : public torch::autograd::Function<VonMisesSample> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& kappa,
                               c10::optional<at::Generator> generator) {
    const torch::Tensor theta = draw_von_mises(kappa, generator).to(kappa.options());
    ctx->save_for_backward({theta, kappa});
    return theta;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor derivative = von_mises_sample_derivative(saved[0], saved[1]);
    return {(grad_outputs[0].to(torch::kDouble) * derivative.to(grad_outputs[0].device())).to(saved[1].scalar_type()),
            torch::Tensor()};
  }
};

}  // namespace

torch::Tensor von_mises_kl(const torch::Tensor& concentration) {
  require_positive_concentration(concentration);
  return VonMisesKl::apply(concentration);
}

torch::Tensor von_mises_sample(const torch::Tensor& concentration, c10::optional<at::Generator> generator) {
  require_positive_concentration(concentration);
  return VonMisesSample::apply(concentration, generator);
}

torch::Tensor von_mises_sample_derivative(const torch::Tensor& theta, const torch::Tensor& concentration) {
  if (theta.sizes() != concentration.sizes())
    throw InvalidArgument("von_mises_sample_derivative: theta " + std::string(c10::str(theta.sizes())) + " and kappa " +
                          std::string(c10::str(concentration.sizes())) + " differ in shape");
  require_positive_concentration(concentration);
  const torch::Tensor k = concentration.detach().to(torch::kDouble).cpu().contiguous();
  const torch::Tensor t = theta.detach().to(torch::kDouble).cpu().contiguous();
  const torch::Tensor one_minus_a = bessel_terms(k).first.contiguous();
  torch::Tensor derivative = torch::empty_like(k);
  for (int64_t i = 0; i < k.numel(); ++i)
    derivative.data_ptr<double>()[i] =
        sample_derivative(t.data_ptr<double>()[i], k.data_ptr<double>()[i], one_minus_a.data_ptr<double>()[i]);
  return derivative;
}

}  // namespace otae::nn
