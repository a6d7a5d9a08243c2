// Energy-flow polynomials (Komiske, Metodiev & Thaler, JHEP 04 (2018) 013, eq. 2.11): for a
// multigraph G with N vertices and d edges,
//   EFP_G = Σ_{i1…iN} z_i1 ⋯ z_iN Π_{(k,l) ∈ G} θ_{ik il},
// with the hadronic measure z_i = pT_i / Σ_j pT_j and θ_ij = ΔR_ij^β, β = 1 (Δφ wrapped), the
// choice of JetNet's FPD/KPD/W1EFP metrics. The 36 graphs with d ≤ 4 (all of them, connected or
// not, the empty graph included) are the features of FPD and KPD.
//
// Computed by variable elimination, never by the O(M^N) sum over particle tuples: a graph that is
// a product of connected graphs is the product of their EFPs (Σ z = 1 makes lone vertices 1);
// a connected tree is a pass of messages from its leaves, O(M²) per edge; the four connected
// graphs with d ≤ 4 that hold a cycle all reduce to the one matrix P = Θ·diag(z)·Θ (O(M³) once
// per jet) followed by O(M²) sums.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace otae::physics {

/// A multigraph of an EFP: vertices 0…vertices−1, one entry per edge (a doubled edge is listed
/// twice), and a name such as "d4_n4_square" (see `efp_graphs`).
struct EfpGraph {
  std::string name;
  int vertices = 0;
  std::vector<std::pair<int, int>> edges;
  /// Indices into `efp_prime_graphs()` of the connected graphs whose product this graph is
  /// (empty for the d = 0 graph, one entry for a connected graph).
  std::vector<int> factors;

  int degree() const { return static_cast<int>(edges.size()); }
};

/// The 20 connected multigraphs with 1 ≤ d ≤ 4 edges, by degree, then by vertex count.
const std::vector<EfpGraph>& efp_prime_graphs();

/// The 36 multigraphs with d ≤ 4 (connected or not), by degree: the d = 0 graph (EFP = 1), then
/// for each d the connected graphs followed by the products of smaller ones. Named as
/// "d<degree>_n<vertices>_<shape>" (connected) or the factors' names joined by '*'.
const std::vector<EfpGraph>& efp_graphs();

/// Number of EFPs in `efp_graphs()`, the width of the feature vector of FPD and KPD.
inline constexpr int kEfpCount = 36;

/// Indices into `efp_graphs()` of the five connected graphs with N = 4 vertices and d = 4
/// edges, the EFPs of JetNet's W1EFP.
const std::array<int, 5>& w1efp_graph_indices();

/// The 36 EFPs of one jet (order of `efp_graphs()`), in float64.
/// The jet is `n_particles` rows (pT [GeV or pT/HT: only ratios matter], η, φ [rad]) of float32,
/// row i at rows[3i…3i+2]; rows with pT = 0 are padding and are skipped.
/// REQUIRES: Σ pT > 0, every value finite, pT ≥ 0 (throws otae::InvalidArgument otherwise).
std::array<double, kEfpCount> energy_flow_polynomials(const float* rows, int64_t n_particles);

}  // namespace otae::physics
