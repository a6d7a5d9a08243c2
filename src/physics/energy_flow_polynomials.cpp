// Energy-flow polynomials with d ≤ 4 by variable elimination: trees by messages from the leaves,
// the four graphs with a cycle through the shared matrix P = Θ·diag(z)·Θ. The O(M^N) sum over
// particle tuples, their definition, is the reference in tests/physics/test_energy_flow_polynomials.cpp.
#include "otae/physics/energy_flow_polynomials.hpp"

#include <cmath>
#include <functional>
#include <string>

#include "otae/base/error.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::physics {
namespace {

/// How a connected graph is summed: trees by messages, the graphs with a cycle by their own
/// factorisation through P (the vertex labels of `prime_table` are the ones these assume).
enum class Elimination { kTree, kTriangle, kTriangleDoubledEdge, kSquare, kTrianglePendant };

struct PrimeGraph {
  EfpGraph graph;
  Elimination elimination;
};

EfpGraph connected(std::string name, int vertices, std::vector<std::pair<int, int>> edges) {
  return EfpGraph{std::move(name), vertices, std::move(edges), {}};
}

const std::vector<PrimeGraph>& prime_table() {
  using E = Elimination;
  static const std::vector<PrimeGraph> table = [] {
    std::vector<PrimeGraph> t = {
        {connected("d1_n2_edge", 2, {{0, 1}}), E::kTree},
        {connected("d2_n2_double", 2, {{0, 1}, {0, 1}}), E::kTree},
        {connected("d2_n3_path", 3, {{0, 1}, {1, 2}}), E::kTree},
        {connected("d3_n2_triple", 2, {{0, 1}, {0, 1}, {0, 1}}), E::kTree},
        {connected("d3_n3_path_double", 3, {{0, 1}, {0, 1}, {1, 2}}), E::kTree},
        {connected("d3_n3_triangle", 3, {{0, 1}, {1, 2}, {2, 0}}), E::kTriangle},
        {connected("d3_n4_path", 4, {{0, 1}, {1, 2}, {2, 3}}), E::kTree},
        {connected("d3_n4_star", 4, {{0, 1}, {0, 2}, {0, 3}}), E::kTree},
        {connected("d4_n2_quadruple", 2, {{0, 1}, {0, 1}, {0, 1}, {0, 1}}), E::kTree},
        {connected("d4_n3_path_triple", 3, {{0, 1}, {0, 1}, {0, 1}, {1, 2}}), E::kTree},
        {connected("d4_n3_path_double_double", 3, {{0, 1}, {0, 1}, {1, 2}, {1, 2}}), E::kTree},
        {connected("d4_n3_triangle_double", 3, {{0, 1}, {0, 1}, {1, 2}, {2, 0}}), E::kTriangleDoubledEdge},
        {connected("d4_n4_path_double_end", 4, {{0, 1}, {0, 1}, {1, 2}, {2, 3}}), E::kTree},
        {connected("d4_n4_path_double_middle", 4, {{0, 1}, {1, 2}, {1, 2}, {2, 3}}), E::kTree},
        {connected("d4_n4_star_double", 4, {{0, 1}, {0, 1}, {0, 2}, {0, 3}}), E::kTree},
        {connected("d4_n4_square", 4, {{0, 1}, {1, 2}, {2, 3}, {3, 0}}), E::kSquare},
        {connected("d4_n4_triangle_pendant", 4, {{0, 1}, {1, 2}, {2, 0}, {2, 3}}), E::kTrianglePendant},
        {connected("d4_n5_path", 5, {{0, 1}, {1, 2}, {2, 3}, {3, 4}}), E::kTree},
        {connected("d4_n5_star", 5, {{0, 1}, {0, 2}, {0, 3}, {0, 4}}), E::kTree},
        {connected("d4_n5_fork", 5, {{0, 1}, {0, 2}, {0, 3}, {3, 4}}), E::kTree},
    };
    for (size_t i = 0; i < t.size(); ++i) t[i].graph.factors = {static_cast<int>(i)};
    return t;
  }();
  return table;
}

/// Every multiset of prime graphs (indices ascending from `first`) with total degree ≤ `budget`
/// beyond `chosen`, appended to `out` as products.
void add_products(const std::vector<PrimeGraph>& primes, std::vector<int>& chosen, int first, int budget,
                  std::vector<std::vector<int>>& out) {
  for (int p = first; p < static_cast<int>(primes.size()); ++p) {
    const int d = primes[p].graph.degree();
    if (d > budget) continue;
    chosen.push_back(p);
    out.push_back(chosen);
    add_products(primes, chosen, p, budget - d, out);
    chosen.pop_back();
  }
}

EfpGraph product_graph(const std::vector<int>& factors) {
  EfpGraph g;
  for (int p : factors) {
    const EfpGraph& f = prime_table()[p].graph;
    if (!g.name.empty()) g.name += "*";
    g.name += f.name;
    for (auto [a, b] : f.edges) g.edges.emplace_back(a + g.vertices, b + g.vertices);
    g.vertices += f.vertices;
  }
  g.factors = factors;
  if (factors.empty()) {
    g.name = "d0_n1";
    g.vertices = 1;
  }
  return g;
}

/// One jet's particles (padding dropped): z_i = pT_i / Σ pT and θ_ij^k = ΔR_ij^k for k = 1…4,
/// row-major [M, M].
struct JetMeasure {
  int m = 0;
  std::vector<double> z;
  std::array<std::vector<double>, 5> theta_power;  // [k]; k = 0 unused

  const double* theta(int k) const { return theta_power[k].data(); }
};

JetMeasure measure_jet(const float* rows, int64_t n_particles) {
  std::vector<double> pt, eta, phi;
  double ht = 0;
  for (int64_t i = 0; i < n_particles; ++i) {
    const float* r = rows + 3 * i;
    if (!std::isfinite(r[0]) || !std::isfinite(r[1]) || !std::isfinite(r[2]) || r[0] < 0)
      throw InvalidArgument("energy_flow_polynomials: particle " + std::to_string(i) +
                            " must have finite (pT, eta, phi) with pT >= 0, received (" + std::to_string(r[0]) + ", " +
                            std::to_string(r[1]) + ", " + std::to_string(r[2]) + ")");
    if (r[0] == 0) continue;
    pt.push_back(r[0]);
    eta.push_back(r[1]);
    phi.push_back(r[2]);
    ht += r[0];
  }
  if (!(ht > 0)) throw InvalidArgument("energy_flow_polynomials: the jet has no particle with pT > 0");
  JetMeasure jet;
  jet.m = static_cast<int>(pt.size());
  const int m = jet.m;
  for (double p : pt) jet.z.push_back(p / ht);
  for (int k = 1; k <= 4; ++k) jet.theta_power[k].assign(static_cast<size_t>(m) * m, 0.0);
  for (int i = 0; i < m; ++i) {
    for (int j = i + 1; j < m; ++j) {
      const double dr = delta_r(eta[i], phi[i], eta[j], phi[j]);
      double power = 1;
      for (int k = 1; k <= 4; ++k) {
        power *= dr;
        jet.theta_power[k][i * m + j] = jet.theta_power[k][j * m + i] = power;
      }
    }
  }
  return jet;
}

/// The weight of `vertex` after summing out the subtree hanging from it away from `parent`:
/// w(i) = z_i Π_children Σ_j θ^k_ij w_child(j), k the multiplicity of the edge to the child.
std::vector<double> subtree_weight(const EfpGraph& g, int vertex, int parent, const JetMeasure& jet) {
  std::vector<double> w = jet.z;
  const int m = jet.m;
  std::vector<int> multiplicity(g.vertices, 0);
  for (auto [a, b] : g.edges) {
    if (a == vertex) ++multiplicity[b];
    if (b == vertex) ++multiplicity[a];
  }
  for (int child = 0; child < g.vertices; ++child) {
    if (child == parent || multiplicity[child] == 0) continue;
    const std::vector<double> below = subtree_weight(g, child, vertex, jet);
    const double* theta = jet.theta(multiplicity[child]);
    for (int i = 0; i < m; ++i) {
      double message = 0;
      for (int j = 0; j < m; ++j) message += theta[i * m + j] * below[j];
      w[i] *= message;
    }
  }
  return w;
}

/// P = Θ·diag(z)·Θ, P_ij = Σ_k θ_ik z_k θ_kj: every cycle of length 3 or 4 passes through it.
std::vector<double> two_step_matrix(const JetMeasure& jet) {
  const int m = jet.m;
  const double* theta = jet.theta(1);
  std::vector<double> weighted(static_cast<size_t>(m) * m), p(static_cast<size_t>(m) * m);
  for (int i = 0; i < m; ++i)
    for (int k = 0; k < m; ++k) weighted[i * m + k] = theta[i * m + k] * jet.z[k];
  for (int i = 0; i < m; ++i) {
    for (int j = i; j < m; ++j) {
      double sum = 0;
      for (int k = 0; k < m; ++k) sum += weighted[i * m + k] * theta[j * m + k];  // Θ symmetric
      p[i * m + j] = p[j * m + i] = sum;
    }
  }
  return p;
}

double connected_efp(const PrimeGraph& prime, const JetMeasure& jet, const std::vector<double>& p) {
  const int m = jet.m;
  const std::vector<double>& z = jet.z;
  double sum = 0;
  switch (prime.elimination) {
    case Elimination::kTree: {
      for (double w : subtree_weight(prime.graph, 0, -1, jet)) sum += w;
      return sum;
    }
    case Elimination::kTriangle:  // Σ_ij z_i z_j θ_ij P_ij
    case Elimination::kTriangleDoubledEdge: {  // Σ_ij z_i z_j θ²_ij P_ij
      const double* theta = jet.theta(prime.elimination == Elimination::kTriangle ? 1 : 2);
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j) sum += z[i] * z[j] * theta[i * m + j] * p[i * m + j];
      return sum;
    }
    case Elimination::kSquare: {  // opposite corners i, j joined by two paths: Σ_ij z_i z_j P_ij²
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j) sum += z[i] * z[j] * p[i * m + j] * p[i * m + j];
      return sum;
    }
    case Elimination::kTrianglePendant: {  // corner k carries the pendant: Σ_k z_k s_k Σ_j z_j θ_kj P_kj
      const double* theta = jet.theta(1);
      for (int k = 0; k < m; ++k) {
        double pendant = 0, triangle = 0;
        for (int j = 0; j < m; ++j) {
          pendant += theta[k * m + j] * z[j];
          triangle += z[j] * theta[k * m + j] * p[k * m + j];
        }
        sum += z[k] * pendant * triangle;
      }
      return sum;
    }
  }
  return sum;
}

}  // namespace

const std::vector<EfpGraph>& efp_prime_graphs() {
  static const std::vector<EfpGraph> graphs = [] {
    std::vector<EfpGraph> g;
    for (const PrimeGraph& p : prime_table()) g.push_back(p.graph);
    return g;
  }();
  return graphs;
}

const std::vector<EfpGraph>& efp_graphs() {
  static const std::vector<EfpGraph> graphs = [] {
    std::vector<std::vector<int>> products;
    std::vector<int> chosen;
    add_products(prime_table(), chosen, 0, 4, products);
    std::vector<EfpGraph> g{product_graph({})};
    for (int d = 1; d <= 4; ++d) {
      for (const auto& factors : products) {  // connected ones first: they are the one-factor products
        const EfpGraph candidate = product_graph(factors);
        if (candidate.degree() == d && factors.size() == 1) g.push_back(candidate);
      }
      for (const auto& factors : products) {
        const EfpGraph candidate = product_graph(factors);
        if (candidate.degree() == d && factors.size() > 1) g.push_back(candidate);
      }
    }
    if (static_cast<int>(g.size()) != kEfpCount)
      throw NumericalError("efp_graphs: built " + std::to_string(g.size()) + " graphs, expected 36");
    return g;
  }();
  return graphs;
}

const std::array<int, 5>& w1efp_graph_indices() {
  static const std::array<int, 5> indices = [] {
    std::array<int, 5> found{};
    int n = 0;
    const auto& graphs = efp_graphs();
    for (int i = 0; i < static_cast<int>(graphs.size()); ++i)
      if (graphs[i].factors.size() == 1 && graphs[i].vertices == 4 && graphs[i].degree() == 4) found[n++] = i;
    return found;
  }();
  return indices;
}

std::array<double, kEfpCount> energy_flow_polynomials(const float* rows, int64_t n_particles) {
  const JetMeasure jet = measure_jet(rows, n_particles);
  const std::vector<double> p = two_step_matrix(jet);
  const auto& primes = prime_table();
  std::vector<double> prime_values(primes.size());
  for (size_t i = 0; i < primes.size(); ++i) prime_values[i] = connected_efp(primes[i], jet, p);
  std::array<double, kEfpCount> values{};
  const auto& graphs = efp_graphs();
  for (int g = 0; g < kEfpCount; ++g) {
    double product = 1;
    for (int f : graphs[g].factors) product *= prime_values[f];
    values[g] = product;
  }
  return values;
}

}  // namespace otae::physics
