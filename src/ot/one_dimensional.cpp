// One-dimensional two-sample comparisons: W1/W2² through the monotone coupling, the KS statistic
// with its exact or asymptotic p-value, and the binned χ². The incomplete gamma and χ² survival
// functions come from Boost.Math; the Kolmogorov distribution, which Boost 1.74 lacks, is here.
#include "otae/ot/one_dimensional.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "otae/base/error.hpp"
#include "otae/physics/units.hpp"

namespace otae::ot {
namespace {

using physics::kPi;
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

/// A sample as sorted float64 values, after checking what every function here requires of it.
std::vector<double> sorted_sample(const at::Tensor& sample, const char* function, const char* name) {
  auto reject = [&](const std::string& what) {
    throw InvalidArgument(std::string(function) + ": sample " + name + " " + what);
  };
  if (!sample.defined()) reject("is an undefined tensor");
  if (sample.dim() != 1) {
    std::ostringstream msg;
    msg << "must be 1-D [N], received shape " << sample.sizes();
    reject(msg.str());
  }
  if (sample.is_complex() || sample.scalar_type() == at::kBool) {
    std::ostringstream msg;
    msg << "must hold real numbers, received dtype " << sample.scalar_type();
    reject(msg.str());
  }
  if (sample.numel() == 0) reject("is empty");
  const at::Tensor values = sample.detach().to(at::kCPU, at::kDouble).contiguous();
  const double* begin = values.data_ptr<double>();
  std::vector<double> sorted(begin, begin + values.numel());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (!std::isfinite(sorted[i])) {
      std::ostringstream msg;
      msg << "holds " << sorted[i] << " at index " << i;
      reject(msg.str());
    }
  }
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

/// c = max over the pooled values x of |i(x)·N_b − j(x)·N_a|, with i(x), j(x) the counts ≤ x; the
/// statistic is D = c / (N_a N_b). Kept as an integer so the exact p-value sees D without rounding.
int64_t ks_scaled_statistic(const std::vector<double>& a, const std::vector<double>& b) {
  const auto n_a = static_cast<int64_t>(a.size()), n_b = static_cast<int64_t>(b.size());
  int64_t i = 0, j = 0, largest = 0;
  while (i < n_a || j < n_b) {
    const double x = (j == n_b || (i < n_a && a[i] <= b[j])) ? a[i] : b[j];
    while (i < n_a && a[i] <= x) ++i;
    while (j < n_b && b[j] <= x) ++j;
    largest = std::max(largest, std::abs(i * n_b - j * n_a));
  }
  return largest;
}

/// P(D ≥ c/(N_a N_b)) under the null: a uniformly random interleaving of the two samples is a
/// lattice path from (0, 0) to (N_a, N_b) stepping in i (an a-point) with probability
/// (N_a − i)/(remaining) and in j otherwise. The path is inside while |i N_b − j N_a| < c; the mass
/// reaching a point outside is its first exit, added to the p-value and dropped, so the p-value is
/// a sum of positive terms. Row i only visits the band of rows i−1 and i, plus the exits beside it.
double ks_exact_p_value(int64_t n_a, int64_t n_b, int64_t c) {
  if (c == 0) return 1.0;
  // Band of row i: lowest j with j N_a > i N_b − c, highest j with j N_a < i N_b + c.
  auto band_low = [&](int64_t i) {
    const int64_t num = i * n_b - c;
    return num < 0 ? int64_t{0} : num / n_a + 1;
  };
  auto band_high = [&](int64_t i) { return std::min(n_b, (i * n_b + c + n_a - 1) / n_a - 1); };
  std::vector<double> from_below(static_cast<size_t>(n_b) + 1, 0.0);  // mass entering (i, j) from (i−1, j)
  from_below[0] = 1.0;
  double outside = 0.0;
  for (int64_t i = 0; i <= n_a; ++i) {
    const int64_t j_first = i == 0 ? 0 : band_low(i - 1);
    const int64_t j_last = std::min(n_b, band_high(i) + 1);
    double from_left = 0.0;  // mass entering (i, j) from (i, j−1)
    for (int64_t j = j_first; j <= j_last; ++j) {
      const double mass = from_below[j] + from_left;
      from_below[j] = 0.0;
      from_left = 0.0;
      if (mass == 0.0) continue;
      if (std::abs(i * n_b - j * n_a) >= c) {
        outside += mass;
        continue;
      }
      const int64_t remaining = (n_a - i) + (n_b - j);
      if (remaining == 0) continue;  // (N_a, N_b) reached without leaving the band
      from_left = mass * static_cast<double>(n_b - j) / static_cast<double>(remaining);
      from_below[j] = mass * static_cast<double>(n_a - i) / static_cast<double>(remaining);
    }
  }
  return std::min(1.0, outside);
}

/// Runs a Boost.Math special function, turning its failure to converge into otae's error.
template <typename Evaluate>
double run_boost_math(const char* function, double s, double x, const Evaluate& evaluate) {
  try {
    return evaluate();
  } catch (const boost::math::evaluation_error& e) {
    std::ostringstream msg;
    msg << function << ": did not converge for s=" << s << " x=" << x << " (" << e.what() << ")";
    throw NumericalError(msg.str());
  }
}

void check_gamma_domain(const char* function, double s, double x) {
  if (!(s > 0) || !(x >= 0) || std::isinf(s)) {
    std::ostringstream msg;
    msg << function << ": need s > 0 finite and x >= 0, received s=" << s << " x=" << x;
    throw InvalidArgument(msg.str());
  }
}

}  // namespace

QuantileCoupling quantile_coupling(int64_t n_a, int64_t n_b) {
  if (n_a < 1 || n_b < 1 || n_a > std::numeric_limits<int64_t>::max() / n_b) {
    throw InvalidArgument("quantile_coupling: need sample sizes >= 1 with n_a*n_b < 2^63, received n_a=" +
                          std::to_string(n_a) + " n_b=" + std::to_string(n_b));
  }
  // Quantile levels in units of 1/(n_a n_b): a's i-th point covers [i n_b, (i+1) n_b), b's j-th
  // point [j n_a, (j+1) n_a); each piece ends at the nearer of the two next cuts.
  QuantileCoupling coupling;
  coupling.index_a.reserve(n_a + n_b - 1);
  coupling.index_b.reserve(n_a + n_b - 1);
  coupling.weight.reserve(n_a + n_b - 1);
  const auto total = static_cast<double>(n_a) * static_cast<double>(n_b);
  int64_t i = 0, j = 0, level = 0;
  while (i < n_a && j < n_b) {
    const int64_t end_a = (i + 1) * n_b, end_b = (j + 1) * n_a;
    const int64_t end = std::min(end_a, end_b);
    coupling.index_a.push_back(i);
    coupling.index_b.push_back(j);
    coupling.weight.push_back(static_cast<double>(end - level) / total);
    level = end;
    if (end_a == end) ++i;
    if (end_b == end) ++j;
  }
  return coupling;
}

Wasserstein1dResult wasserstein_1d(const at::Tensor& a, const at::Tensor& b) {
  const std::vector<double> xs = sorted_sample(a, "wasserstein_1d", "a");
  const std::vector<double> ys = sorted_sample(b, "wasserstein_1d", "b");
  const QuantileCoupling coupling =
      quantile_coupling(static_cast<int64_t>(xs.size()), static_cast<int64_t>(ys.size()));
  Wasserstein1dResult result;
  for (size_t k = 0; k < coupling.weight.size(); ++k) {
    const double gap = xs[coupling.index_a[k]] - ys[coupling.index_b[k]];
    result.w1 += coupling.weight[k] * std::abs(gap);
    result.w2_squared += coupling.weight[k] * gap * gap;
  }
  result.w2 = std::sqrt(result.w2_squared);
  return result;
}

double kolmogorov_survival(double lambda) {
  if (std::isnan(lambda))
    throw InvalidArgument("kolmogorov_survival: received lambda=nan");
  if (lambda <= 0) return 1.0;
  // Below λ ≈ 1.18 the alternating series needs many terms; Jacobi's transform of the same theta
  // function, P(K ≤ λ) = √(2π)/λ Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)}, converges in a few.
  if (lambda < 1.18) {
    const double y = -kPi * kPi / (8.0 * lambda * lambda);
    double sum = 0.0;
    for (int k = 1; k < 100; ++k) {
      const double odd = 2.0 * k - 1.0;
      const double term = std::exp(odd * odd * y);
      sum += term;
      if (term <= sum * kEpsilon) break;
    }
    return 1.0 - std::sqrt(2.0 * kPi) / lambda * sum;
  }
  double sum = 0.0, sign = 1.0;
  for (int k = 1; k < 100; ++k) {
    const double term = std::exp(-2.0 * k * k * lambda * lambda);
    sum += sign * term;
    if (term <= std::abs(sum) * kEpsilon) break;
    sign = -sign;
  }
  return std::clamp(2.0 * sum, 0.0, 1.0);
}

KolmogorovSmirnovResult kolmogorov_smirnov(const at::Tensor& a, const at::Tensor& b, KsMethod method) {
  const std::vector<double> xs = sorted_sample(a, "kolmogorov_smirnov", "a");
  const std::vector<double> ys = sorted_sample(b, "kolmogorov_smirnov", "b");
  const auto n_a = static_cast<int64_t>(xs.size()), n_b = static_cast<int64_t>(ys.size());
  if (n_a > std::numeric_limits<int64_t>::max() / n_b)
    throw InvalidArgument("kolmogorov_smirnov: sample sizes too large, N_a*N_b must be < 2^63");
  constexpr int64_t kLargestAutoExact = 10000;  // SciPy's MAX_AUTO_N
  if (method == KsMethod::kAuto)
    method = std::max(n_a, n_b) <= kLargestAutoExact ? KsMethod::kExact : KsMethod::kAsymptotic;

  const int64_t c = ks_scaled_statistic(xs, ys);
  KolmogorovSmirnovResult result;
  result.statistic = static_cast<double>(c) / (static_cast<double>(n_a) * static_cast<double>(n_b));
  result.method = method;
  if (method == KsMethod::kExact) {
    result.p_value = ks_exact_p_value(n_a, n_b, c);
  } else {
    const double effective_n = static_cast<double>(n_a) * static_cast<double>(n_b) / static_cast<double>(n_a + n_b);
    result.p_value = kolmogorov_survival(std::sqrt(effective_n) * result.statistic);
  }
  return result;
}

void ChiSquaredOptions::validate() const {
  if (bins_ < 2) throw InvalidArgument("binned_chi_squared: bins must be >= 2, received bins=" + std::to_string(bins_));
  if (min_count_ < 1)
    throw InvalidArgument("binned_chi_squared: min_count must be >= 1, received min_count=" + std::to_string(min_count_));
}

namespace {

/// Equal-width edges computed as numpy.linspace does (k·step + low, the last one exactly `high`).
std::vector<double> equal_width_edges(double low, double high, int64_t bins) {
  const double step = (high - low) / static_cast<double>(bins);
  std::vector<double> edges(bins + 1);
  for (int64_t k = 0; k < bins; ++k) edges[k] = static_cast<double>(k) * step + low;
  edges[bins] = high;
  return edges;
}

/// Counts of a sorted sample, bins assigned by comparison with the edges, so that they equal
/// numpy.histogram's (the last bin closed).
std::vector<int64_t> histogram_counts(const std::vector<double>& sorted, const std::vector<double>& edges) {
  const auto bins = static_cast<int64_t>(edges.size()) - 1;
  std::vector<int64_t> counts(bins, 0);
  int64_t k = 0;
  for (double x : sorted) {
    while (k < bins - 1 && x >= edges[k + 1]) ++k;
    ++counts[k];
  }
  return counts;
}

/// Merges bins from the left until both samples reach min_count; a short remainder at the right
/// end joins the last merged bin rather than being dropped, so no count is lost.
ChiSquaredResult merged_bins(const std::vector<int64_t>& raw_a, const std::vector<int64_t>& raw_b,
                             const std::vector<double>& edges, int64_t min_count) {
  const auto bins = static_cast<int64_t>(raw_a.size());
  ChiSquaredResult result;
  result.edges.push_back(edges[0]);
  int64_t pending_a = 0, pending_b = 0;
  for (int64_t k = 0; k < bins; ++k) {
    pending_a += raw_a[k];
    pending_b += raw_b[k];
    if (pending_a >= min_count && pending_b >= min_count) {
      result.counts_a.push_back(pending_a);
      result.counts_b.push_back(pending_b);
      result.edges.push_back(edges[k + 1]);
      pending_a = pending_b = 0;
    }
  }
  if (!result.counts_a.empty() && (pending_a > 0 || pending_b > 0)) {
    result.counts_a.back() += pending_a;
    result.counts_b.back() += pending_b;
    result.edges.back() = edges[bins];
  }
  return result;
}

/// χ² of two unequal samples' merged counts (each scaled by √(N_other/N_own)), the ratio of the
/// normalised counts with its error, dof = bins − 1 and the p-value.
void add_chi_squared(ChiSquaredResult& result, double n_a, double n_b) {
  const auto merged = static_cast<int64_t>(result.counts_a.size());
  const double scale_a = std::sqrt(n_b / n_a), scale_b = std::sqrt(n_a / n_b);
  for (int64_t k = 0; k < merged; ++k) {
    const auto x = static_cast<double>(result.counts_a[k]), y = static_cast<double>(result.counts_b[k]);
    const double difference = scale_a * x - scale_b * y;
    result.chi2 += difference * difference / (x + y);
    const double ratio = (x / n_a) / (y / n_b);
    result.ratio.push_back(ratio);
    result.ratio_error.push_back(ratio * std::sqrt(1.0 / x + 1.0 / y));
  }
  result.dof = merged - 1;
  result.reduced_chi2 = result.chi2 / static_cast<double>(result.dof);
  result.p_value = chi_squared_survival(result.chi2, static_cast<double>(result.dof));
}

}  // namespace

ChiSquaredResult binned_chi_squared(const at::Tensor& a, const at::Tensor& b, const ChiSquaredOptions& options) {
  options.validate();
  const std::vector<double> xs = sorted_sample(a, "binned_chi_squared", "a");
  const std::vector<double> ys = sorted_sample(b, "binned_chi_squared", "b");
  const double low = std::min(xs.front(), ys.front()), high = std::max(xs.back(), ys.back());
  if (!(high > low)) {
    std::ostringstream msg;
    msg << "binned_chi_squared: every value of both samples equals " << low << "; there is no range to bin";
    throw InvalidArgument(msg.str());
  }
  const std::vector<double> edges = equal_width_edges(low, high, options.bins());
  ChiSquaredResult result =
      merged_bins(histogram_counts(xs, edges), histogram_counts(ys, edges), edges, options.min_count());
  const auto merged = static_cast<int64_t>(result.counts_a.size());
  if (merged < 2) {
    std::ostringstream msg;
    msg << "binned_chi_squared: only " << merged << " merged bin(s) hold >= " << options.min_count()
        << " counts in both samples (N_a=" << xs.size() << ", N_b=" << ys.size() << ", bins=" << options.bins()
        << "); at least 2 are needed, use larger samples or a smaller min_count";
    throw InvalidArgument(msg.str());
  }
  add_chi_squared(result, static_cast<double>(xs.size()), static_cast<double>(ys.size()));
  return result;
}

double regularized_gamma_p(double s, double x) {
  check_gamma_domain("regularized_gamma_p", s, x);
  if (x == 0) return 0.0;
  if (std::isinf(x)) return 1.0;
  return run_boost_math("regularized_gamma_p", s, x, [&] { return boost::math::gamma_p(s, x); });
}

double regularized_gamma_q(double s, double x) {
  check_gamma_domain("regularized_gamma_q", s, x);
  if (x == 0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return run_boost_math("regularized_gamma_q", s, x, [&] { return boost::math::gamma_q(s, x); });
}

double chi_squared_survival(double chi2, double dof) {
  if (!(dof > 0) || std::isinf(dof) || !(chi2 >= 0)) {
    std::ostringstream msg;
    msg << "chi_squared_survival: need dof > 0 finite and chi2 >= 0, received chi2=" << chi2 << " dof=" << dof;
    throw InvalidArgument(msg.str());
  }
  if (std::isinf(chi2)) return 0.0;
  return run_boost_math("chi_squared_survival", 0.5 * dof, 0.5 * chi2, [&] {
    return boost::math::cdf(boost::math::complement(boost::math::chi_squared(dof), chi2));
  });
}

}  // namespace otae::ot
