// Energy-flow polynomials by variable elimination against their definition, the sum over every
// tuple of particles (O(M^N), feasible for a handful of particles), and against closed forms.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "otae/base/error.hpp"
#include "otae/physics/energy_flow_polynomials.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::physics {
namespace {

using Rows = std::vector<float>;  // (pT, η, φ) per particle

/// EFP_G = Σ_{i1…iN} Π z_ik Π_{(k,l)∈G} ΔR_{ik il}, summed over all M^N tuples.
double brute_force_efp(const EfpGraph& g, const Rows& rows) {
  std::vector<double> z, eta, phi;
  double ht = 0;
  for (size_t i = 0; i < rows.size() / 3; ++i) {
    if (rows[3 * i] == 0) continue;
    z.push_back(rows[3 * i]);
    eta.push_back(rows[3 * i + 1]);
    phi.push_back(rows[3 * i + 2]);
    ht += rows[3 * i];
  }
  for (double& v : z) v /= ht;
  const int m = static_cast<int>(z.size());
  std::vector<int> tuple(g.vertices, 0);
  double total = 0;
  while (true) {
    double term = 1;
    for (int v : tuple) term *= z[v];
    for (auto [a, b] : g.edges) term *= delta_r(eta[tuple[a]], phi[tuple[a]], eta[tuple[b]], phi[tuple[b]]);
    total += term;
    int k = 0;
    while (k < g.vertices && ++tuple[k] == m) tuple[k++] = 0;
    if (k == g.vertices) break;
  }
  return total;
}

Rows random_jet(int particles, int padding, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> pt(1.0f, 100.0f), angle(-0.8f, 0.8f);
  Rows rows;
  for (int i = 0; i < particles; ++i) rows.insert(rows.end(), {pt(gen), angle(gen), 3.0f + angle(gen)});
  for (int i = 0; i < padding; ++i) rows.insert(rows.end(), {0.0f, 0.0f, 0.0f});
  return rows;
}

TEST(EfpGraphs, AreThe36MultigraphsWithDegreeUpTo4) {
  const auto& graphs = efp_graphs();
  ASSERT_EQ(graphs.size(), 36u);
  std::vector<int> per_degree(5, 0);
  std::set<std::string> names;
  for (const EfpGraph& g : graphs) {
    ++per_degree[g.degree()];
    names.insert(g.name);
  }
  // connected + disconnected multigraphs without lone vertices: 1, 1, 3, 8, 23 (EnergyFlow's counts)
  EXPECT_EQ(per_degree, (std::vector<int>{1, 1, 3, 8, 23}));
  EXPECT_EQ(names.size(), 36u);
  EXPECT_EQ(efp_prime_graphs().size(), 20u);
  for (int i : w1efp_graph_indices()) {
    EXPECT_EQ(graphs[i].vertices, 4);
    EXPECT_EQ(graphs[i].degree(), 4);
    EXPECT_EQ(graphs[i].factors.size(), 1u);
  }
}

TEST(EnergyFlowPolynomials, EqualTheSumOverParticleTuplesForEveryGraph) {
  for (unsigned seed : {1u, 2u, 3u}) {
    const Rows jet = random_jet(4 + static_cast<int>(seed % 2), 2, seed);  // φ near 3 rad: Δφ wraps across ±π
    const auto fast = energy_flow_polynomials(jet.data(), static_cast<int64_t>(jet.size() / 3));
    for (int g = 0; g < kEfpCount; ++g) {
      const double reference = brute_force_efp(efp_graphs()[g], jet);
      EXPECT_NEAR(fast[g], reference, 1e-12 * std::max(1.0, std::abs(reference)))
          << efp_graphs()[g].name << " seed " << seed;
    }
  }
}

TEST(EnergyFlowPolynomials, OfTwoParticlesAreClosedForms) {
  // z = (1/4, 3/4), ΔR = 0.5: a graph with 2 vertices and k edges gives 2 z1 z2 ΔR^k; the
  // d = 2 path gives Σ_j z_j (Σ_i z_i ΔR_ij)² = z1 (z2 ΔR)² + z2 (z1 ΔR)².
  const Rows jet = {10, 0.0f, 0.0f, 30, 0.3f, 0.4f};
  const auto efp = energy_flow_polynomials(jet.data(), 2);
  const double z1 = 0.25, z2 = 0.75, r = 0.5;
  for (int g = 0; g < kEfpCount; ++g) {
    const EfpGraph& graph = efp_graphs()[g];
    if (graph.name == "d0_n1") EXPECT_DOUBLE_EQ(efp[g], 1.0);
    if (graph.name == "d1_n2_edge") EXPECT_NEAR(efp[g], 2 * z1 * z2 * r, 1e-7);
    if (graph.name == "d4_n2_quadruple") EXPECT_NEAR(efp[g], 2 * z1 * z2 * std::pow(r, 4), 1e-7);
    if (graph.name == "d2_n3_path") EXPECT_NEAR(efp[g], z1 * z2 * z2 * r * r + z2 * z1 * z1 * r * r, 1e-7);
    if (graph.name == "d3_n3_triangle") EXPECT_NEAR(efp[g], 0.0, 1e-15);  // three distinct corners need ΔR_ii = 0
  }
}

TEST(EnergyFlowPolynomials, DependOnlyOnPtFractionsAndIgnorePadding) {
  Rows jet = random_jet(5, 0, 7), scaled = jet, padded = random_jet(5, 3, 7);
  for (size_t i = 0; i < scaled.size(); i += 3) scaled[i] /= 500.0f;
  const auto a = energy_flow_polynomials(jet.data(), 5);
  const auto b = energy_flow_polynomials(scaled.data(), 5);
  const auto c = energy_flow_polynomials(padded.data(), 8);
  for (int g = 0; g < kEfpCount; ++g) {
    EXPECT_NEAR(a[g], b[g], 1e-6 * std::abs(a[g]));
    EXPECT_EQ(a[g], c[g]);
  }
}

TEST(EnergyFlowPolynomials, RefuseEmptyJetsAndNaN) {
  const Rows empty = {0, 0, 0, 0, 0, 0};
  EXPECT_THROW(energy_flow_polynomials(empty.data(), 2), InvalidArgument);
  const Rows nan = {1.0f, std::nanf(""), 0.0f};
  EXPECT_THROW(energy_flow_polynomials(nan.data(), 1), InvalidArgument);
}

}  // namespace
}  // namespace otae::physics
