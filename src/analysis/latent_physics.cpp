// Rank correlation and k-NN mutual information between latent directions and jet quantities.
// The neighbour search runs on points sorted by their x copula value, walking outwards from each
// point until the x gap alone exceeds the k-th distance found: ~√(kN) points per point for
// independent variables, fewer the more dependent they are.
#include "otae/analysis/latent_physics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <queue>
#include <random>

#include "otae/base/error.hpp"

namespace otae::analysis {
namespace {

std::string describe(const at::Tensor& t) {
  return t.defined() ? c10::str(t.sizes(), " ", t.scalar_type()) : std::string("an undefined tensor");
}

std::vector<double> as_vector(const at::Tensor& t) {
  const at::Tensor values = t.to(at::kCPU, at::kDouble).contiguous();
  return {values.data_ptr<double>(), values.data_ptr<double>() + values.numel()};
}

// x and y as float64 vectors, after checking they are finite [N] and [N] with N ≥ min_n.
std::pair<std::vector<double>, std::vector<double>> paired_samples(const at::Tensor& x, const at::Tensor& y,
                                                                   int64_t min_n, const char* function) {
  const bool shaped = x.defined() && y.defined() && x.dim() == 1 && y.dim() == 1 && x.size(0) == y.size(0) &&
                      at::isFloatingType(x.scalar_type()) && at::isFloatingType(y.scalar_type());
  if (!shaped || x.size(0) < min_n)
    throw InvalidArgument(std::string(function) + ": x and y must be floating [N] tensors of one length N >= " +
                          std::to_string(min_n) + ", received x " + describe(x) + " and y " + describe(y));
  std::vector<double> xs = as_vector(x), ys = as_vector(y);
  for (size_t i = 0; i < xs.size(); ++i)
    if (!std::isfinite(xs[i]) || !std::isfinite(ys[i]))
      throw InvalidArgument(std::string(function) + ": values must be finite; x[" + std::to_string(i) +
                            "]=" + c10::str(xs[i]) + ", y[" + std::to_string(i) + "]=" + c10::str(ys[i]));
  return {std::move(xs), std::move(ys)};
}

// Ranks 1…N, each group of tied values sharing the mean of its ranks.
std::vector<double> tied_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t start = 0; start < order.size();) {
    size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    const double shared = 0.5 * static_cast<double>(start + 1 + end);  // mean of ranks start+1 … end
    for (size_t k = start; k < end; ++k) ranks[order[k]] = shared;
    start = end;
  }
  return ranks;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double mean_a = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mean_b = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double da = a[i] - mean_a, db = b[i] - mean_b;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  if (aa == 0 || bb == 0) return std::nan("");
  return std::clamp(ab / std::sqrt(aa * bb), -1.0, 1.0);
}

// (rank + u)/N with ties broken at random: values distinct with probability one, order kept.
std::vector<double> copula(const std::vector<double>& values, std::mt19937_64& random) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> tie_key(values.size());
  for (double& key : tie_key) key = uniform(random);
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return values[a] < values[b] || (values[a] == values[b] && tie_key[a] < tie_key[b]);
  });
  const double n = static_cast<double>(values.size());
  std::vector<double> u(values.size());
  for (size_t r = 0; r < order.size(); ++r) u[order[r]] = (static_cast<double>(r) + uniform(random)) / n;
  return u;
}

// ψ(m) for m = 1 … n: ψ(1) = −γ, ψ(m + 1) = ψ(m) + 1/m.
std::vector<double> digamma_table(size_t n) {
  constexpr double kEulerGamma = 0.57721566490153286061;
  std::vector<double> psi(n + 1, 0.0);
  psi[1] = -kEulerGamma;
  for (size_t m = 1; m < n; ++m) psi[m + 1] = psi[m] + 1.0 / static_cast<double>(m);
  return psi;
}

// Max-norm distance from point i to its k-th neighbour. `by_x` lists the points sorted by x
// and `position` is i's place in it.
double kth_neighbour_distance(const std::vector<double>& x, const std::vector<double>& y,
                              const std::vector<size_t>& by_x, size_t position, size_t k) {
  const size_t i = by_x[position];
  std::priority_queue<double> nearest;  // the k smallest distances so far, largest on top
  size_t left = position, right = position + 1;
  while (true) {
    const double gap_left = left > 0 ? x[i] - x[by_x[left - 1]] : INFINITY;
    const double gap_right = right < by_x.size() ? x[by_x[right]] - x[i] : INFINITY;
    const double gap = std::min(gap_left, gap_right);
    if (gap == INFINITY || (nearest.size() == k && gap >= nearest.top())) break;
    const size_t j = gap_left <= gap_right ? by_x[--left] : by_x[right++];
    const double distance = std::max(gap, std::abs(y[j] - y[i]));
    if (nearest.size() < k) {
      nearest.push(distance);
    } else if (distance < nearest.top()) {
      nearest.pop();
      nearest.push(distance);
    }
  }
  return nearest.top();
}

// Points other than the one at `value` lying strictly within `radius` of it, in a sorted sample.
int64_t strictly_within(const std::vector<double>& sorted, double value, double radius) {
  const auto low = std::upper_bound(sorted.begin(), sorted.end(), value - radius);
  const auto high = std::lower_bound(sorted.begin(), sorted.end(), value + radius);
  return static_cast<int64_t>(high - low) - 1;
}

std::vector<std::pair<std::string, at::Tensor>> table_columns(const std::vector<PhysicsQuantity>& quantities,
                                                              int64_t n) {
  std::vector<std::pair<std::string, at::Tensor>> columns;
  for (const PhysicsQuantity& q : quantities) {
    if (q.name.empty() || !q.values.defined() || q.values.dim() != 1 || q.values.size(0) != n)
      throw InvalidArgument("latent_physics_table: quantity '" + q.name +
                            "' must be named and [N=" + std::to_string(n) + "], received " + describe(q.values));
    if (q.circular) {
      columns.emplace_back("sin(" + q.name + ")", at::sin(q.values.to(at::kDouble)));
      columns.emplace_back("cos(" + q.name + ")", at::cos(q.values.to(at::kDouble)));
    } else {
      columns.emplace_back(q.name, q.values.to(at::kDouble));
    }
  }
  return columns;
}

}  // namespace

double spearman_correlation(const at::Tensor& x, const at::Tensor& y) {
  const auto [xs, ys] = paired_samples(x, y, 2, "spearman_correlation");
  return pearson(tied_ranks(xs), tied_ranks(ys));
}

void MutualInformationOptions::validate() const {
  if (neighbours_ < 1)
    throw InvalidArgument("MutualInformationOptions: neighbours must be >= 1, received " + std::to_string(neighbours_));
}

double mutual_information(const at::Tensor& x, const at::Tensor& y, const MutualInformationOptions& options) {
  options.validate();
  const auto [xs, ys] = paired_samples(x, y, options.neighbours() + 1, "mutual_information");
  std::mt19937_64 random(options.seed());
  const std::vector<double> u = copula(xs, random), v = copula(ys, random);

  std::vector<size_t> by_u(u.size());
  std::iota(by_u.begin(), by_u.end(), size_t{0});
  std::sort(by_u.begin(), by_u.end(), [&](size_t a, size_t b) { return u[a] < u[b]; });
  std::vector<double> sorted_u(u), sorted_v(v);
  std::sort(sorted_u.begin(), sorted_u.end());
  std::sort(sorted_v.begin(), sorted_v.end());

  const size_t n = u.size(), k = static_cast<size_t>(options.neighbours());
  const std::vector<double> psi = digamma_table(n);
  double marginal_terms = 0;
  for (size_t position = 0; position < n; ++position) {
    const size_t i = by_u[position];
    const double epsilon = kth_neighbour_distance(u, v, by_u, position, k);
    marginal_terms += psi[static_cast<size_t>(strictly_within(sorted_u, u[i], epsilon)) + 1] +
                      psi[static_cast<size_t>(strictly_within(sorted_v, v[i], epsilon)) + 1];
  }
  return psi[k] + psi[n] - marginal_terms / static_cast<double>(n);
}

LatentPhysicsTable latent_physics_table(const at::Tensor& latents, const std::vector<int64_t>& directions,
                                        const std::vector<PhysicsQuantity>& quantities,
                                        const MutualInformationOptions& options) {
  if (!latents.defined() || latents.dim() != 2)
    throw InvalidArgument("latent_physics_table: latents must be [N, K], received " + describe(latents));
  const int64_t n = latents.size(0), latent_dim = latents.size(1);
  const auto columns = table_columns(quantities, n);
  LatentPhysicsTable table;
  table.directions = directions;
  const auto rows = static_cast<int64_t>(directions.size()), cols = static_cast<int64_t>(columns.size());
  table.spearman = at::empty({rows, cols}, at::kDouble);
  table.mutual_information = at::empty({rows, cols}, at::kDouble);
  for (const auto& column : columns) table.quantities.push_back(column.first);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t direction = directions[static_cast<size_t>(r)];
    if (direction < 0 || direction >= latent_dim)
      throw InvalidArgument("latent_physics_table: direction " + std::to_string(direction) +
                            " is outside the latent space [0, " + std::to_string(latent_dim) + ")");
    const at::Tensor latent = latents.select(1, direction);
    for (int64_t c = 0; c < cols; ++c) {
      const at::Tensor& values = columns[static_cast<size_t>(c)].second;
      table.spearman[r][c] = spearman_correlation(latent, values);
      table.mutual_information[r][c] = mutual_information(latent, values, options);
    }
  }
  return table;
}

std::vector<BestMatch> best_matching_quantities(const LatentPhysicsTable& table, MatchBy by) {
  if (table.quantities.empty()) throw InvalidArgument("best_matching_quantities: the table has no quantity to match");
  const at::Tensor score = by == MatchBy::kSpearman ? table.spearman.abs().nan_to_num(-1.0) : table.mutual_information;
  std::vector<BestMatch> matches;
  for (size_t r = 0; r < table.directions.size(); ++r) {
    const auto row = static_cast<int64_t>(r);
    const int64_t best = score[row].argmax().item<int64_t>();
    matches.push_back({table.directions[r], table.quantities[static_cast<size_t>(best)],
                       table.spearman[row][best].item<double>(), table.mutual_information[row][best].item<double>()});
  }
  return matches;
}

nlohmann::json to_json(const LatentPhysicsTable& table) {
  auto rows_of = [](const at::Tensor& matrix) {
    nlohmann::json rows = nlohmann::json::array();
    for (int64_t r = 0; r < matrix.size(0); ++r) {
      nlohmann::json row = nlohmann::json::array();
      // NaN (a constant column) has no JSON form; null says "undefined".
      for (double v : as_vector(matrix[r])) row.push_back(std::isnan(v) ? nlohmann::json() : nlohmann::json(v));
      rows.push_back(row);
    }
    return rows;
  };
  return {{"directions", table.directions},
          {"quantities", table.quantities},
          {"spearman", rows_of(table.spearman)},
          {"mutual_information", rows_of(table.mutual_information)}};
}

}  // namespace otae::analysis
