// Exact EMD by LEMON's network simplex on the complete bipartite graph jet a → jet b.
//
// LEMON compares flows and reduced costs exactly (`== 0`, `< 0`). In float64 the supplies rarely
// sum to exactly 0, an artificial arc left with 1e-17 of flow makes LEMON report INFEASIBLE, and
// potentials updated by differences drift, so round-off picks pivots; the solver therefore sees
// integers (weights and costs scaled to 64-bit integers) and every step is exact arithmetic. Unequal totals need no extra particle: the lighter jet is shipped in
// full and the heavier one only up to its weights (LEMON's GEQ/LEQ supply types), which is
// EnergyFlow's extra particle at cost (R/R)^β = 1 without the extra row.
#include "otae/ot/exact_emd.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>
#include <utility>

#include <lemon/network_simplex.h>
#include <lemon/static_graph.h>

#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::ot {
namespace {

using Graph = lemon::StaticDigraph;
using Simplex = lemon::NetworkSimplex<Graph, int64_t, int64_t>;

// The heavier jet's total weight becomes 2^50 flow units: rounding a weight moves at most 2⁻⁵¹
// of the total, and sums over a few hundred particles stay far below 2^63.
constexpr int kFlowBits = 50;
// The largest cost becomes at most 2^51 cost units (a relative resolution of 4e-16), fewer
// when the graph is so large that LEMON's potentials (its artificial cost 2^62 plus a path of
// real costs) could otherwise pass 2^63.
constexpr int kMaxCostBits = 51;

// LEMON reads costs and supplies through maps indexed by arcs and nodes; these read our arrays.
// StaticDigraph numbers the arc i → n_a + j as i·n_b + j because arcs are built in that order.
struct ArcArray {
  using Key = Graph::Arc;
  using Value = int64_t;
  const int64_t* values;
  int64_t operator[](const Graph::Arc& arc) const { return values[Graph::index(arc)]; }
};
struct NodeArray {
  using Key = Graph::Node;
  using Value = int64_t;
  const int64_t* values;
  int64_t operator[](const Graph::Node& node) const { return values[Graph::index(node)]; }
};

// cost[i·n_b + j] = (ΔR_ij / R)^β with exactly GroundDistance's operations (physics::wrap_phi,
// physics::delta_r), spelled out over contiguous arrays so that the loop stays inline. Returns
// the largest cost.
double fill_ground_costs(const ParticleCloud& a, const ParticleCloud& b, const GroundDistance& ground,
                         double* cost) {
  const size_t n_a = a.weight.size(), n_b = b.weight.size();
  const double R = ground.R(), beta = ground.beta();
  const bool wrap = ground.wrap_phi();
  double largest = 0.0;
  for (size_t i = 0; i < n_a; ++i) {
    const double eta_i = a.eta[i], phi_i = a.phi[i];
    double* row = cost + i * n_b;
    for (size_t j = 0; j < n_b; ++j) {
      const double deta = eta_i - b.eta[j];
      const double dphi = wrap ? physics::wrap_phi(phi_i - b.phi[j]) : phi_i - b.phi[j];
      const double dr = std::sqrt(deta * deta + dphi * dphi) / R;
      const double c = beta == 1.0 ? dr : std::pow(dr, beta);
      row[j] = c;
      largest = std::max(largest, c);
    }
  }
  return largest;
}

// round(x · scale) for 0 ≤ x · scale < 2^51, where adding ½ and truncating is exact.
int64_t round_to_units(double x, double scale) { return static_cast<int64_t>(x * scale + 0.5); }

}  // namespace

const char* to_string(EmdStatus status) {
  switch (status) {
    case EmdStatus::kOptimal: return "optimal";
    case EmdStatus::kInfeasible: return "infeasible";
    case EmdStatus::kUnbounded: return "unbounded";
  }
  return "unknown";
}

void check_status(EmdStatus status, const std::string& pair) {
  switch (status) {
    case EmdStatus::kOptimal:
      return;
    case EmdStatus::kInfeasible:
      throw NumericalError("exact EMD of " + pair +
                           ": the network simplex found no feasible flow (status infeasible); the "
                           "weights must be finite, non-negative and not all zero, so check the "
                           "jets for values that changed after they were validated");
    case EmdStatus::kUnbounded:
      throw NumericalError("exact EMD of " + pair +
                           ": the network simplex reports an unbounded problem (status unbounded), "
                           "which needs a negative or infinite ground cost; check that R and beta "
                           "are positive and finite and the positions finite");
  }
}

void ExactEmdOptions::validate() const { ground_.validate(); }

namespace {

template <typename Scalar>
void fill_cloud_from_rows(const Scalar* rows, int64_t n_rows, const std::string& name, ParticleCloud& cloud) {
  for (int64_t r = 0; r < n_rows; ++r) {
    const double w = static_cast<double>(rows[3 * r]);
    const double eta = static_cast<double>(rows[3 * r + 1]);
    const double phi = static_cast<double>(rows[3 * r + 2]);
    if (!std::isfinite(w) || w < 0.0)
      throw InvalidArgument(name + ": particle " + std::to_string(r) + " has weight (pT) " + shortest_decimal(w) +
                            "; weights must be finite and non-negative (pT in GeV, or pT/HT)");
    if (w == 0.0) continue;  // padding
    if (!std::isfinite(eta) || !std::isfinite(phi))
      throw InvalidArgument(name + ": particle " + std::to_string(r) + " has position (eta, phi) = (" +
                            shortest_decimal(eta) + ", " + shortest_decimal(phi) + "); positions must be finite");
    cloud.weight.push_back(w);
    cloud.eta.push_back(eta);
    cloud.phi.push_back(phi);
    cloud.row.push_back(r);
    cloud.total_weight += w;
  }
  cloud.input_rows = n_rows;
  if (!std::isfinite(cloud.total_weight) || (cloud.total_weight > 0.0 && cloud.total_weight < 1e-300))
    throw InvalidArgument(name + ": the total weight " + shortest_decimal(cloud.total_weight) +
                          " is outside float64's range for the EMD; rescale the weights (e.g. to pT/HT)");
  if (cloud.weight.empty())
    throw InvalidArgument(name + ": no particle has a positive weight (all " + std::to_string(n_rows) +
                          " rows are padding); the EMD of an empty jet is undefined, drop the jet");
}

}  // namespace

ParticleCloud ParticleCloud::from_arrays(at::ArrayRef<double> weights, at::ArrayRef<double> positions,
                                         const std::string& name) {
  if (positions.size() != 2 * weights.size())
    throw InvalidArgument(name + ": " + std::to_string(weights.size()) + " weights but " +
                          std::to_string(positions.size()) + " position values; expected " +
                          std::to_string(2 * weights.size()) + " (eta, phi per particle)");
  // Rows (w, η, φ) are gathered first so that one validation path serves arrays and tensors.
  std::vector<double> rows(3 * weights.size());
  for (size_t r = 0; r < weights.size(); ++r) {
    rows[3 * r] = weights[r];
    rows[3 * r + 1] = positions[2 * r];
    rows[3 * r + 2] = positions[2 * r + 1];
  }
  ParticleCloud cloud;
  fill_cloud_from_rows(rows.data(), static_cast<int64_t>(weights.size()), name, cloud);
  return cloud;
}

ParticleCloud ParticleCloud::from_jet(const at::Tensor& jet, const std::string& name) {
  if (!jet.defined() || jet.dim() != 2 || jet.size(1) != 3)
    throw InvalidArgument(name + ": a jet must be [M, 3] (pT, eta, phi), received " +
                          (jet.defined() ? c10::str(jet.sizes()) : std::string("an undefined tensor")));
  const at::Tensor rows = jet.to(at::kCPU).contiguous();
  ParticleCloud cloud;
  if (rows.scalar_type() == at::kFloat)
    fill_cloud_from_rows(rows.data_ptr<float>(), rows.size(0), name, cloud);
  else if (rows.scalar_type() == at::kDouble)
    fill_cloud_from_rows(rows.data_ptr<double>(), rows.size(0), name, cloud);
  else
    throw InvalidArgument(name + ": a jet must be float32 or float64, received " +
                          std::string(c10::toString(rows.scalar_type())));
  return cloud;
}

/// Integer supplies' sums and the factor from flow units back to weights.
struct FlowUnits {
  int64_t sum_a = 0, sum_b = 0;
  double flow_to_weight = 0;
};

struct ExactEmdSolver::Workspace {
  Graph graph;
  std::unique_ptr<Simplex> simplex;  // reads `graph`; reset whenever the graph is rebuilt
  int64_t n_a = -1, n_b = -1;
  int64_t builds = 0;
  std::vector<std::pair<int, int>> arcs;
  std::vector<double> cost;         // [n_a · n_b] ground costs
  std::vector<int64_t> cost_units;  // the same in integer units, what LEMON sees
  std::vector<int64_t> supply;      // [n_a + n_b]: +a, then −b, in flow units

  // The complete bipartite graph i → n_a + j; kept while the multiplicities stay the same.
  void prepare_graph(int64_t new_n_a, int64_t new_n_b) {
    if (new_n_a == n_a && new_n_b == n_b) return;
    if (new_n_a * new_n_b > INT_MAX / 2)
      throw InvalidArgument("exact EMD: " + std::to_string(new_n_a) + " x " + std::to_string(new_n_b) +
                            " particles give more arcs than LEMON's int indices hold; cluster the jets "
                            "into fewer particles first");
    arcs.clear();
    arcs.reserve(static_cast<size_t>(new_n_a * new_n_b));
    for (int i = 0; i < new_n_a; ++i)
      for (int j = 0; j < new_n_b; ++j) arcs.emplace_back(i, static_cast<int>(new_n_a) + j);
    graph.build(static_cast<int>(new_n_a + new_n_b), arcs.begin(), arcs.end());
    if (simplex)
      simplex->reset();
    else
      simplex = std::make_unique<Simplex>(graph);
    n_a = new_n_a;
    n_b = new_n_b;
    cost.resize(static_cast<size_t>(n_a * n_b));
    cost_units.resize(cost.size());
    supply.resize(static_cast<size_t>(n_a + n_b));
    ++builds;
  }

  /// Ground costs, and the same in integer units: a power-of-two scale keeps the largest below
  /// 2^bits, with room for the sums the network simplex forms over 2·nodes arcs.
  void integer_costs(const ParticleCloud& a, const ParticleCloud& b, const GroundDistance& ground) {
    const double largest = fill_ground_costs(a, b, ground, cost.data());
    if (!std::isfinite(largest))
      throw InvalidArgument("exact EMD: a ground cost (dR/R)^beta overflows float64 (R=" + shortest_decimal(ground.R()) +
                            ", beta=" + shortest_decimal(ground.beta()) + "); use a larger R or a smaller beta");
    int node_bits = 0;
    while ((int64_t{1} << node_bits) <= 2 * (n_a + n_b) + 1) ++node_bits;
    const int cost_bits = std::min(kMaxCostBits, 61 - node_bits);
    int largest_exponent = 0;  // largest < 2^largest_exponent
    std::frexp(largest, &largest_exponent);
    const double cost_scale = std::ldexp(1.0, cost_bits - largest_exponent);
    for (size_t k = 0; k < cost.size(); ++k) cost_units[k] = round_to_units(cost[k], cost_scale);
  }

  /// Weights in flow units: each jet to 2^50 with norm, else both on the heavier jet's scale.
  FlowUnits integer_supplies(const ParticleCloud& a, const ParticleCloud& b, bool norm) {
    const double unit = std::ldexp(1.0, kFlowBits);
    const double scale_a = norm ? unit / a.total_weight : unit / std::max(a.total_weight, b.total_weight);
    const double scale_b = norm ? unit / b.total_weight : scale_a;
    FlowUnits units;
    for (int64_t i = 0; i < n_a; ++i) units.sum_a += (supply[i] = round_to_units(a.weight[i], scale_a));
    for (int64_t j = 0; j < n_b; ++j) {
      const int64_t q = round_to_units(b.weight[j], scale_b);
      supply[n_a + j] = -q;
      units.sum_b += q;
    }
    units.flow_to_weight = norm ? 1.0 / unit : 1.0 / scale_a;
    return units;
  }
};

ExactEmdSolver::ExactEmdSolver(const ExactEmdOptions& options)
    : options_(options), workspace_(std::make_unique<Workspace>()) {
  options_.validate();
}
ExactEmdSolver::~ExactEmdSolver() = default;
ExactEmdSolver::ExactEmdSolver(ExactEmdSolver&&) noexcept = default;
ExactEmdSolver& ExactEmdSolver::operator=(ExactEmdSolver&&) noexcept = default;

int64_t ExactEmdSolver::graph_builds() const noexcept { return workspace_ ? workspace_->builds : 0; }

ExactEmdResult ExactEmdSolver::solve(const ParticleCloud& a, const ParticleCloud& b) {
  Workspace& ws = *workspace_;
  const int64_t n_a = static_cast<int64_t>(a.weight.size()), n_b = static_cast<int64_t>(b.weight.size());
  if (n_a == 0 || n_b == 0)
    throw InvalidArgument("exact EMD: a ParticleCloud without particles; build clouds with "
                          "ParticleCloud::from_arrays or from_jet, which reject empty jets");
  ws.prepare_graph(n_a, n_b);

  ws.integer_costs(a, b, options_.ground());
  const FlowUnits units = ws.integer_supplies(a, b, options_.norm());

  // GEQ: every node of a sends its weight, b receives at most its weights (a is lighter);
  // LEQ: b receives its weights in full, a sends at most its weights. Equal sums are plain EQ.
  Simplex& simplex = *ws.simplex;
  simplex.costMap(ArcArray{ws.cost_units.data()})
      .supplyMap(NodeArray{ws.supply.data()})
      .supplyType(units.sum_a <= units.sum_b ? Simplex::GEQ : Simplex::LEQ);
  const Simplex::ProblemType outcome = simplex.run(Simplex::BLOCK_SEARCH);

  ExactEmdResult result;
  result.status = outcome == Simplex::OPTIMAL      ? EmdStatus::kOptimal
                  : outcome == Simplex::INFEASIBLE ? EmdStatus::kInfeasible
                                                   : EmdStatus::kUnbounded;
  if (result.status != EmdStatus::kOptimal) return result;

  // The value from the float64 costs: the integer costs only decide which flow is optimal.
  const double flow_to_weight = units.flow_to_weight;
  double transport = 0.0;
  for (int64_t k = 0; k < n_a * n_b; ++k)
    transport += static_cast<double>(simplex.flow(Graph::arc(static_cast<int>(k)))) * ws.cost[k];
  result.value = transport * flow_to_weight;
  if (!options_.norm()) result.value += std::abs(a.total_weight - b.total_weight);

  if (options_.return_flow()) {
    result.flow = at::zeros({a.input_rows, b.input_rows}, at::kDouble);
    double* flow = result.flow.data_ptr<double>();
    for (int64_t i = 0; i < n_a; ++i)
      for (int64_t j = 0; j < n_b; ++j) {
        const int64_t f = simplex.flow(Graph::arc(static_cast<int>(i * n_b + j)));
        if (f != 0) flow[a.row[i] * b.input_rows + b.row[j]] = static_cast<double>(f) * flow_to_weight;
      }
  }
  return result;
}

ExactEmdResult exact_emd(at::ArrayRef<double> weights_a, at::ArrayRef<double> positions_a,
                         at::ArrayRef<double> weights_b, at::ArrayRef<double> positions_b,
                         const ExactEmdOptions& options) {
  ExactEmdSolver solver(options);
  const ParticleCloud a = ParticleCloud::from_arrays(weights_a, positions_a, "jet a");
  const ParticleCloud b = ParticleCloud::from_arrays(weights_b, positions_b, "jet b");
  ExactEmdResult result = solver.solve(a, b);
  check_status(result.status, "jet a and jet b");
  return result;
}

ExactEmdResult exact_emd(const at::Tensor& jet_a, const at::Tensor& jet_b, const ExactEmdOptions& options) {
  ExactEmdSolver solver(options);
  const ParticleCloud a = ParticleCloud::from_jet(jet_a, "jet a");
  const ParticleCloud b = ParticleCloud::from_jet(jet_b, "jet b");
  ExactEmdResult result = solver.solve(a, b);
  check_status(result.status, "jet a and jet b");
  return result;
}

}  // namespace otae::ot
