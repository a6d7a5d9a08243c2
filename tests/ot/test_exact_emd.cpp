// The exact EMD against POT's ot.emd2 on real W jets (tests/fixtures/exact_emd_pot.h5, written by
// make_exact_emd_fixtures.py), known answers, EnergyFlow's unequal-totals term, metric axioms,
// φ periodicity, flow marginals, bad input, graph reuse, threads and progress.
#include <array>
#include <cmath>
#include <initializer_list>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "otae/base/error.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/ot/exact_emd.hpp"
#include "otae/ot/pairwise.hpp"
#include "otae/physics/units.hpp"

namespace otae::ot {
namespace {

const std::string kFixture = std::string(OTAE_SOURCE_DIR) + "/tests/fixtures/exact_emd_pot.h5";

// The fixture: jets [240, 50, 3] float32, pairs [P, 2] int64, cases [C, 3] (R, β, norm) and
// expected [C, P] float64 from POT.
struct PotFixture {
  at::Tensor jets, pairs, cases, expected;
  static const PotFixture& get() {
    static const PotFixture fixture{data::read_array(kFixture, "jets"), data::read_array(kFixture, "pairs"),
                                    data::read_array(kFixture, "cases"), data::read_array(kFixture, "expected")};
    return fixture;
  }
};

at::Tensor real_jets(int64_t n) { return PotFixture::get().jets.slice(0, 0, n).to(at::kDouble); }

double relative_difference(double x, double y) { return std::abs(x - y) / std::max(std::abs(y), 1e-300); }

// A jet [M, 3] from rows {pT, η, φ}.
at::Tensor jet(std::initializer_list<std::array<double, 3>> rows) {
  at::Tensor t = at::zeros({static_cast<int64_t>(rows.size()), 3}, at::kDouble);
  int64_t r = 0;
  for (const auto& row : rows) {
    for (int c = 0; c < 3; ++c) t[r][c] = row[c];
    ++r;
  }
  return t;
}

// Every φ moved by δ, then wrapped back into [−π, π) when `wrap` (padding rows untouched).
at::Tensor rotate_phi(const at::Tensor& jets, double delta, bool wrap) {
  at::Tensor out = jets.clone();
  at::Tensor phi = out.select(-1, 2);
  at::Tensor moved = phi + delta;
  if (wrap) moved = moved - physics::kTwoPi * at::floor((moved + physics::kPi) / physics::kTwoPi);
  phi.copy_(at::where(out.select(-1, 0) > 0, moved, phi));
  return out;
}

void expect_contains(const std::string& message, const char* fragment) {
  EXPECT_NE(message.find(fragment), std::string::npos) << "\"" << fragment << "\" missing from: " << message;
}

template <typename Call>
void expect_invalid_argument(Call call, std::initializer_list<const char*> fragments) {
  try {
    call();
    ADD_FAILURE() << "expected otae::InvalidArgument";
  } catch (const InvalidArgument& e) {
    for (const char* fragment : fragments) expect_contains(e.what(), fragment);
  }
}

TEST(ExactEmd, MatchesPotOnRealWJetPairs) {
  const PotFixture& f = PotFixture::get();
  ASSERT_GE(f.pairs.size(0), 200);
  const at::Tensor jets_a = f.jets.index_select(0, f.pairs.select(1, 0));
  const at::Tensor jets_b = f.jets.index_select(0, f.pairs.select(1, 1));
  for (int64_t c = 0; c < f.cases.size(0); ++c) {
    const double R = f.cases[c][0].item<double>(), beta = f.cases[c][1].item<double>();
    const bool norm = f.cases[c][2].item<double>() != 0.0;
    SCOPED_TRACE("R=" + std::to_string(R) + " beta=" + std::to_string(beta) + " norm=" + std::to_string(norm));
    const ExactEmdOptions options = ExactEmdOptions().ground(GroundDistance().R(R).beta(beta)).norm(norm);
    const at::Tensor values = exact_emd_paired(jets_a, jets_b, PairwiseOptions().emd(options)).values;
    double worst = 0.0;
    for (int64_t p = 0; p < f.pairs.size(0); ++p) {
      const double expected = f.expected[c][p].item<double>();
      ASSERT_GT(expected, 0.0);
      EXPECT_LE(relative_difference(values[p].item<double>(), expected), 1e-9) << "pair " << p;
      worst = std::max(worst, relative_difference(values[p].item<double>(), expected));
    }
    std::ostringstream worst_text;
    worst_text << worst;
    RecordProperty("worst_relative_difference_case_" + std::to_string(c), worst_text.str());
    // The single-pair entry points give the same numbers.
    for (int64_t p = 0; p < 5; ++p)
      EXPECT_LE(relative_difference(exact_emd(jets_a[p], jets_b[p], options).value, f.expected[c][p].item<double>()),
                1e-9);
  }
}

TEST(ExactEmd, KnownAnswersForSingleParticles) {
  const std::vector<double> w_a{1.0}, x_a{0.0, 0.0}, w_b{1.0}, x_b{0.3, 0.4};
  EXPECT_DOUBLE_EQ(exact_emd(w_a, x_a, w_b, x_b).value, 0.5);
  EXPECT_DOUBLE_EQ(exact_emd(w_a, x_a, w_b, x_b, ExactEmdOptions().ground(GroundDistance().R(0.8).beta(2))).value,
                   (0.5 / 0.8) * (0.5 / 0.8));
  // EnergyFlow's norm=False: 2 GeV moved by ΔR = 0.5, and the 1 GeV surplus of b costs 1 GeV.
  EXPECT_DOUBLE_EQ(exact_emd(std::vector<double>{2.0}, x_a, std::vector<double>{3.0}, x_b).value, 2.0 * 0.5 + 1.0);
  EXPECT_DOUBLE_EQ(
      exact_emd(std::vector<double>{2.0}, x_a, std::vector<double>{3.0}, x_b, ExactEmdOptions().norm(true)).value, 0.5);
}

TEST(ExactEmd, TwoParticleJetsMoveEachParticleToItsNeighbour) {
  // Two particles shifted by 0.1 in η: each moves 0.1, not across to the far one.
  const at::Tensor a = jet({{0.5, 0.0, 0.0}, {0.5, 1.0, 0.0}});
  const at::Tensor b = jet({{0.5, 0.1, 0.0}, {0.5, 1.1, 0.0}});
  EXPECT_NEAR(exact_emd(a, b).value, 0.1, 1e-15);
}

TEST(ExactEmd, GroundCostKernelEqualsGroundDistance) {
  // The EMD of two unit particles is their ground cost, so the solver's inlined cost loop must
  // reproduce GroundDistance, across the φ seam, outside [−π, π) and without wrapping.
  const double points[][4] = {{0.1, 3.0, -0.2, -3.1}, {1.3, -2.9, 0.4, 3.05}, {0.0, 7.0, 0.5, -6.0},
                              {-2.0, 0.3, 1.5, 0.1},  {0.2, -9.5, 0.2, 9.5}};
  for (const GroundDistance& ground : {GroundDistance(), GroundDistance().R(0.8).beta(2.0),
                                       GroundDistance().R(0.4).beta(0.5), GroundDistance().wrap_phi(false)}) {
    for (const auto& p : points) {
      const double emd = exact_emd(std::vector<double>{1.0}, std::vector<double>{p[0], p[1]}, std::vector<double>{1.0},
                                   std::vector<double>{p[2], p[3]}, ExactEmdOptions().ground(ground))
                             .value;
      EXPECT_DOUBLE_EQ(emd, ground(p[0], p[1], p[2], p[3]));
    }
  }
}

TEST(ExactEmd, UnequalTotalsCostTheSurplusAsEnergyFlowDoes) {
  const at::Tensor a = real_jets(1)[0];
  const double total = a.select(1, 0).sum().item<double>();
  // The same particles with twice the pT: nothing moves, half of b is surplus.
  at::Tensor doubled = a.clone();
  doubled.select(1, 0).mul_(2.0);
  EXPECT_LE(relative_difference(exact_emd(a, doubled).value, total), 1e-12);
  EXPECT_LE(exact_emd(a, doubled, ExactEmdOptions().norm(true)).value, 1e-15);
  // One extra particle far away stays unmatched: it costs its pT, whatever its distance.
  at::Tensor extended = a.clone();
  const int64_t padding_row = a.size(0) - 1;
  ASSERT_EQ(a[padding_row][0].item<double>(), 0.0);
  extended[padding_row][0] = 7.5;
  extended[padding_row][1] = 2.5;
  EXPECT_LE(relative_difference(exact_emd(a, extended).value, 7.5), 1e-12);
  EXPECT_LE(relative_difference(exact_emd(extended, a).value, 7.5), 1e-12);
}

TEST(ExactEmd, FlowHasTheJetsAsMarginals) {
  const at::Tensor jets = real_jets(2);
  const at::Tensor a = jets[0], b = jets[1];
  const at::Tensor pt_a = a.select(1, 0), pt_b = b.select(1, 0);
  const GroundDistance ground = GroundDistance().R(0.8);
  at::Tensor cost = at::zeros({a.size(0), b.size(0)}, at::kDouble);
  for (int64_t i = 0; i < a.size(0); ++i)
    for (int64_t j = 0; j < b.size(0); ++j)
      cost[i][j] = ground(a[i][1].item<double>(), a[i][2].item<double>(), b[j][1].item<double>(), b[j][2].item<double>());

  const ExactEmdResult normed = exact_emd(a, b, ExactEmdOptions().ground(ground).norm(true).return_flow(true));
  ASSERT_TRUE(normed.flow.defined());
  ASSERT_EQ(normed.flow.sizes(), (at::IntArrayRef{a.size(0), b.size(0)}));
  EXPECT_GE(normed.flow.min().item<double>(), 0.0);
  EXPECT_TRUE(at::allclose(normed.flow.sum(1), pt_a / pt_a.sum(), 0.0, 1e-14));
  EXPECT_TRUE(at::allclose(normed.flow.sum(0), pt_b / pt_b.sum(), 0.0, 1e-14));
  EXPECT_EQ(normed.flow.index({pt_a == 0}).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(normed.flow.index({at::indexing::Slice(), pt_b == 0}).abs().sum().item<double>(), 0.0);
  EXPECT_LE(relative_difference((normed.flow * cost).sum().item<double>(), normed.value), 1e-13);

  // Unequal totals: the lighter jet is shipped in full, the heavier one only up to its pT.
  const ExactEmdResult raw = exact_emd(a, b, ExactEmdOptions().ground(ground).return_flow(true));
  const at::Tensor lighter_pt = pt_a.sum().item<double>() < pt_b.sum().item<double>() ? pt_a : pt_b;
  const at::Tensor lighter_sums = pt_a.sum().item<double>() < pt_b.sum().item<double>() ? raw.flow.sum(1) : raw.flow.sum(0);
  const at::Tensor heavier_pt = pt_a.sum().item<double>() < pt_b.sum().item<double>() ? pt_b : pt_a;
  const at::Tensor heavier_sums = pt_a.sum().item<double>() < pt_b.sum().item<double>() ? raw.flow.sum(0) : raw.flow.sum(1);
  ASSERT_GT(std::abs(pt_a.sum().item<double>() - pt_b.sum().item<double>()), 1.0);
  EXPECT_TRUE(at::allclose(lighter_sums, lighter_pt, 0.0, 1e-9));
  EXPECT_LE((heavier_sums - heavier_pt).max().item<double>(), 1e-9);
  EXPECT_LE(relative_difference(raw.flow.sum().item<double>(), lighter_pt.sum().item<double>()), 1e-14);
  const double surplus = std::abs(pt_a.sum().item<double>() - pt_b.sum().item<double>());
  EXPECT_LE(relative_difference((raw.flow * cost).sum().item<double>() + surplus, raw.value), 1e-13);
}

TEST(ExactEmd, IsAMetricOnRealJets) {
  const at::Tensor jets = real_jets(24);
  const PairwiseOptions options = PairwiseOptions().emd(ExactEmdOptions().norm(true));
  const at::Tensor d = exact_emd_symmetric(jets, options);
  const at::Tensor cross = exact_emd_matrix(jets, jets, options);  // both orders solved separately
  const int64_t n = jets.size(0);
  auto D = d.accessor<double, 2>();
  auto C = cross.accessor<double, 2>();
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_EQ(D[i][i], 0.0);
    EXPECT_LE(C[i][i], 1e-15) << "identity, jet " << i;
    for (int64_t j = 0; j < n; ++j) {
      if (i == j) continue;
      EXPECT_GT(D[i][j], 1e-3);
      EXPECT_EQ(D[i][j], D[j][i]);
      EXPECT_LE(relative_difference(C[i][j], C[j][i]), 1e-12) << "symmetry " << i << ", " << j;
      EXPECT_LE(relative_difference(C[i][j], D[i][j]), 1e-12);
      for (int64_t k = 0; k < n; ++k) EXPECT_LE(D[i][k], D[i][j] + D[j][k] + 1e-12) << i << " " << j << " " << k;
    }
  }
}

TEST(ExactEmd, AzimuthIsPeriodic) {
  // The fixture's last ten jets have particles on both sides of φ = ±π.
  const at::Tensor straddling = PotFixture::get().jets.slice(0, -10).to(at::kDouble);
  const at::Tensor a = straddling.slice(0, 0, 9), b = straddling.slice(0, 1, 10);
  const PairwiseOptions options = PairwiseOptions().emd(ExactEmdOptions().norm(true));
  const at::Tensor d = exact_emd_paired(a, b, options).values;
  for (const double delta : {physics::kPi, 1.0, -2.0}) {
    const at::Tensor rotated = exact_emd_paired(rotate_phi(a, delta, true), rotate_phi(b, delta, true), options).values;
    EXPECT_TRUE(at::allclose(rotated, d, 1e-12, 0.0)) << "rotation by " << delta;
  }
  // Shifting by 2π (not wrapped) moves every φ out of [−π, π).
  const at::Tensor shifted =
      exact_emd_paired(rotate_phi(a, physics::kTwoPi, false), rotate_phi(b, physics::kTwoPi, false), options).values;
  EXPECT_TRUE(at::allclose(shifted, d, 1e-12, 0.0));

  // A jet and its copy turned by 0.3, which takes its particles at φ > 2.9 across the seam:
  // every particle moves 0.3, the EMD of a translation. Without wrapping, the particles that
  // crossed are 2π − 0.3 away.
  const double turn = 0.3;
  const at::Tensor turned = rotate_phi(a, turn, true);
  EXPECT_TRUE(at::allclose(exact_emd_paired(a, turned, options).values, at::full({a.size(0)}, turn, at::kDouble), 1e-12, 0.0));
  const at::Tensor unwrapped =
      exact_emd_paired(a, turned, PairwiseOptions().emd(ExactEmdOptions().norm(true).ground(GroundDistance().wrap_phi(false))))
          .values;
  EXPECT_GT(unwrapped.min().item<double>(), turn + 1e-3);
}

TEST(ExactEmd, Float32AndFloat64JetsAgree) {
  const at::Tensor jets = PotFixture::get().jets.slice(0, 0, 6);
  const PairwiseOptions options;
  EXPECT_TRUE(at::equal(exact_emd_symmetric(jets, options), exact_emd_symmetric(jets.to(at::kDouble), options)));
}

TEST(ExactEmd, SolverReusesItsGraphWhileMultiplicitiesRepeat) {
  const at::Tensor jets = real_jets(200);
  std::vector<ParticleCloud> clouds;
  for (int64_t i = 0; i < jets.size(0); ++i) clouds.push_back(ParticleCloud::from_jet(jets[i]));
  // Two pairs with the same (n_a, n_b): two jets of one multiplicity, each paired with jet j.
  int64_t i0 = -1, i1 = -1;
  for (int64_t i = 0; i < jets.size(0) && i1 < 0; ++i)
    for (int64_t k = i + 1; k < jets.size(0); ++k)
      if (clouds[i].weight.size() == clouds[k].weight.size()) {
        i0 = i;
        i1 = k;
        break;
      }
  ASSERT_GE(i1, 0) << "no two jets of the same multiplicity among 200";
  const int64_t j0 = i0 == 0 ? 1 : 0, j1 = j0;
  const ParticleCloud single = ParticleCloud::from_arrays(std::vector<double>{1.0}, std::vector<double>{0.0, 0.0});

  ExactEmdSolver solver(ExactEmdOptions().norm(true));
  const double first = solver.solve(clouds[i0], clouds[j0]).value;
  const double second = solver.solve(clouds[i1], clouds[j1]).value;
  EXPECT_EQ(solver.graph_builds(), 1);
  solver.solve(single, clouds[j0]);
  EXPECT_EQ(solver.graph_builds(), 2);
  EXPECT_EQ(solver.solve(clouds[i0], clouds[j0]).value, first);
  EXPECT_EQ(solver.graph_builds(), 3);
  // A reused graph leaves nothing behind: a fresh solver gives the same number.
  EXPECT_EQ(ExactEmdSolver(ExactEmdOptions().norm(true)).solve(clouds[i1], clouds[j1]).value, second);
}

TEST(ExactEmd, ThreadsGiveTheSameMatrixAndProgressComesFromTheCaller) {
  const at::Tensor jets = real_jets(60);
  const at::Tensor a = jets.slice(0, 0, 30), b = jets.slice(0, 30, 60);
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<std::pair<int64_t, int64_t>> calls;
  bool from_other_thread = false;
  const auto record = [&](int64_t done, int64_t total) {
    if (std::this_thread::get_id() != caller) from_other_thread = true;
    calls.emplace_back(done, total);
  };
  const at::Tensor one = exact_emd_matrix(a, b, PairwiseOptions().threads(1));
  const at::Tensor two = exact_emd_matrix(a, b, PairwiseOptions().threads(2).progress(record));
  EXPECT_TRUE(at::equal(one, two));
  EXPECT_FALSE(from_other_thread);
  ASSERT_FALSE(calls.empty());
  EXPECT_LE(calls.size(), 102u);
  EXPECT_EQ(calls.back(), std::make_pair(int64_t{900}, int64_t{900}));
  for (size_t k = 1; k < calls.size(); ++k) EXPECT_GE(calls[k].first, calls[k - 1].first);

  // A single pair agrees with its matrix entry, and the paired batch with its flows.
  EXPECT_EQ(exact_emd(a[3], b[7]).value, one[3][7].item<double>());
  const PairedEmdResult paired =
      exact_emd_paired(a, b, PairwiseOptions().threads(2).emd(ExactEmdOptions().return_flow(true)));
  for (int64_t i = 0; i < a.size(0); ++i) {
    EXPECT_EQ(paired.values[i].item<double>(), one[i][i].item<double>());
    EXPECT_TRUE(at::equal(paired.flows[i], exact_emd(a[i], b[i], ExactEmdOptions().return_flow(true)).flow));
  }
}

TEST(ExactEmd, ProgressCallbackCanCancel) {
  const at::Tensor jets = real_jets(40);
  struct Cancelled {};
  int64_t calls = 0;
  const auto cancel = [&](int64_t, int64_t) {
    ++calls;
    throw Cancelled{};
  };
  EXPECT_THROW(exact_emd_symmetric(jets, PairwiseOptions().threads(2).progress(cancel)), Cancelled);
  EXPECT_EQ(calls, 1);
}

TEST(ExactEmd, BadJetsAreNamedInTheError) {
  const at::Tensor jets = real_jets(4);
  const double nan = std::nan("");
  at::Tensor with_nan = jets.clone();
  with_nan[2][1][0] = nan;
  expect_invalid_argument([&] { exact_emd_paired(jets, with_nan); }, {"jets_b[2]", "particle 1", "nan"});
  at::Tensor negative = jets.clone();
  negative[1][0][0] = -3.0;
  expect_invalid_argument([&] { exact_emd_matrix(negative, jets); }, {"jets_a[1]", "particle 0", "-3", "non-negative"});
  at::Tensor infinite_eta = jets.clone();
  infinite_eta[3][2][1] = INFINITY;
  expect_invalid_argument([&] { exact_emd_symmetric(infinite_eta); }, {"jets[3]", "particle 2", "inf", "position"});
  at::Tensor empty = jets.clone();
  empty[0].select(1, 0).zero_();
  expect_invalid_argument([&] { exact_emd_paired(empty, jets); }, {"jets_a[0]", "no particle"});
  // Padding rows may hold anything in η and φ.
  at::Tensor padded = jets.clone();
  padded[0][jets.size(1) - 1][1] = nan;
  EXPECT_NO_THROW(exact_emd_paired(padded, jets));

  expect_invalid_argument([&] { exact_emd_paired(jets, jets.slice(0, 0, 3)); }, {"4 jets", "3"});
  expect_invalid_argument([&] { exact_emd_matrix(jets.slice(2, 0, 2), jets); }, {"jets_a", "[N, M, 3]", "[4, 50, 2]"});
  expect_invalid_argument([&] { exact_emd_symmetric(jets.to(at::kInt)); }, {"jets", "float32 or float64"});
  expect_invalid_argument([&] { exact_emd(jets[0].slice(1, 0, 2), jets[1]); }, {"jet a", "[M, 3]"});
  expect_invalid_argument(
      [&] { exact_emd(std::vector<double>{1.0, 2.0}, std::vector<double>{0.0, 0.0, 1.0}, std::vector<double>{1.0},
                      std::vector<double>{0.0, 0.0}); },
      {"jet a", "2 weights", "3 position values"});
  expect_invalid_argument([&] { exact_emd(jets[0], jets[1], ExactEmdOptions().ground(GroundDistance().R(0.0))); },
                          {"R=0"});
  expect_invalid_argument([&] { exact_emd_symmetric(jets, PairwiseOptions().threads(-1)); }, {"threads=-1"});
}

TEST(ExactEmd, BadSolverStatusBecomesNumericalErrorWithHint) {
  EXPECT_NO_THROW(check_status(EmdStatus::kOptimal, "jets_a[1] and jets_b[2]"));
  try {
    check_status(EmdStatus::kInfeasible, "jets_a[1] and jets_b[2]");
    ADD_FAILURE() << "expected NumericalError";
  } catch (const NumericalError& e) {
    expect_contains(e.what(), "jets_a[1] and jets_b[2]");
    expect_contains(e.what(), "infeasible");
  }
  try {
    check_status(EmdStatus::kUnbounded, "jet a and jet b");
    ADD_FAILURE() << "expected NumericalError";
  } catch (const NumericalError& e) {
    expect_contains(e.what(), "unbounded");
    expect_contains(e.what(), "R and beta");
  }
  EXPECT_STREQ(to_string(EmdStatus::kOptimal), "optimal");
}

}  // namespace
}  // namespace otae::ot
