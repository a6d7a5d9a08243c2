// OTUS training: acceptance and anchor costs on hand-made events, the restricted decoder's
// P̂_D(S), the shipped configurations and overrides, every written configuration key read back and
// every unknown one named, resuming equals not stopping, the global generator changing nothing,
// and the known answers: x = z + Gaussian noise of known width, and a calorimeter resolution
// s(E), learnt from unpaired events.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/error_message.hpp"
#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/data/split.hpp"
#include "otae/ot/one_dimensional.hpp"
#include "otae/train/config_file.hpp"
#include "otae/train/otus_config.hpp"
#include "otae/train/otus_loss.hpp"
#include "otae/train/otus_training.hpp"
#include "otae/train/otus_training_log.hpp"

namespace {

namespace train = otae::train;
namespace nn = otae::nn;
namespace data = otae::data;

constexpr auto error_of = &otae::testing::message_of<otae::ConfigError>;

std::string fresh_folder(const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() / ("otae_test_otus_" + name);
  std::filesystem::remove_all(path);
  return path.string();
}

/// One massless object per event from (pT, η) at φ = 0: (pT, 0, pT sinh η, pT cosh η).
at::Tensor object_at(double pt, double eta) {
  return at::tensor({pt, 0.0, pt * std::sinh(eta), pt * std::cosh(eta)}, at::kFloat);
}

TEST(OtusAcceptance, CutsOnPtAndEta) {
  const at::Tensor events = at::stack({at::cat({object_at(15, 0.0), object_at(25, 1.0)}),
                                       at::cat({object_at(5, 0.0), object_at(25, 1.0)}),
                                       at::cat({object_at(15, 2.6), object_at(25, 1.0)}),
                                       at::cat({object_at(15, 0.0), object_at(25, 4.6)})});
  const std::vector<train::ObjectCut> cuts = {{{0}, 10.0, 2.5}, {{1}, 20.0, 4.5}};
  const at::Tensor accepted = train::event_acceptance(events, cuts);
  EXPECT_TRUE(at::equal(accepted, at::tensor({1, 0, 0, 0}, at::kLong).to(at::kBool)));
  EXPECT_TRUE(train::event_acceptance(events, {}).all().item<bool>());
  EXPECT_THROW(train::event_acceptance(events, {{{2}, 0.0, 1.0}}), otae::InvalidArgument);
}

TEST(OtusAcceptance, CutsOnTheMassOfTheListedObjects) {
  // back-to-back massless pairs at η = 0: M = 2 pT
  auto pair = [](double pt) {
    return at::cat({object_at(pt, 0.0), object_at(pt, 0.0) * at::tensor({-1.0, 1.0, 1.0, 1.0}, at::kFloat)});
  };
  const at::Tensor events = at::stack({pair(45), pair(20), pair(65), pair(29.5)});
  train::ObjectCut window{{0, 1}, 0.0};
  window.mass_min = 60;
  window.mass_max = 120;
  EXPECT_TRUE(at::equal(train::event_acceptance(events, {window}), at::tensor({1, 0, 0, 0}, at::kLong).to(at::kBool)));
  window.objects = {0};  // one massless object alone has M = 0
  EXPECT_FALSE(train::event_acceptance(events, {window}).any().item<bool>());
  YAML::Node bad = YAML::Load("loss: {acceptance: [{objects: [0, 1], mass_min: 120, mass_max: 60}]}");
  EXPECT_THROW(train::parse_otus_config(bad), otae::ConfigError);
}

TEST(OtusAnchor, CosineOfTheChosenObjects) {
  const at::Tensor a = at::cat({object_at(30, 0.5), object_at(40, -1.0)}).unsqueeze(0);
  const at::Tensor opposite = -a;
  EXPECT_NEAR(train::anchor_cost(a, 0, a, 0).item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(train::anchor_cost(a, 1, opposite, 1).item<double>(), 2.0, 1e-6);
  EXPECT_THROW(train::anchor_cost(a, 2, a, 0), otae::InvalidArgument);
}

TEST(OtusLoss, RestrictedDecoderScalesByTheAcceptedFraction) {
  at::manual_seed(3);
  const auto stats = nn::GeneratorStatistics{at::zeros({8}), at::full({8}, 40.0), at::zeros({6}), at::full({6}, 40.0)};
  nn::OtusGenerator encoder(nn::OtusGeneratorOptions(), stats), decoder(nn::OtusGeneratorOptions(), stats);
  const at::Tensor z = at::randn({400, 8}) * 40, x = at::randn({400, 8}) * 40;
  const auto options = train::OtusLossOptions().slices(50).acceptance({{{0}, 20.0}});
  const auto weights = train::OtusLossWeights().reconstruction(0).latent(0).data(1);
  at::manual_seed(11);
  const train::OtusLossTerms terms = train::otus_loss(encoder, decoder, {z, x, {}, {}}, weights, options, {}, 5);
  at::manual_seed(11);
  const at::Tensor decoded = decoder->forward(z);
  const at::Tensor accepted = train::event_acceptance(decoded, options.acceptance());
  EXPECT_NEAR(terms.acceptance, accepted.to(at::kDouble).mean().item<double>(), 1e-12);
  EXPECT_GT(terms.acceptance, 0.05);
  EXPECT_LT(terms.acceptance, 0.95);
  EXPECT_FALSE(terms.latent.defined());  // weight 0: never computed
  EXPECT_NEAR(terms.total.item<double>(), terms.data.item<double>(), 1e-6);
}

/// Massless events [n, 8] of two objects with random momenta [GeV].
at::Tensor massless_pairs(int64_t n, uint64_t seed) {
  at::manual_seed(seed);
  const at::Tensor p = at::randn({n, 2, 3}) * 30;
  return at::cat({p, p.norm(2, {2}, true)}, 2).view({n, 8});
}

// The mass term against its definition: with generators that start as the identity (relative
// residual), D(z) = z and E(x) = x, so the term is W₂²(M(x), M(z)) in each side's σ_M units, summed
// over the two sides; for equal sizes W₂² is the mean squared difference of the sorted samples.
TEST(OtusLoss, MassTermIsTheOneDimensionalW2OfTheMasses) {
  const at::Tensor z = massless_pairs(300, 1), x = massless_pairs(300, 2);
  const at::Tensor back_to_back = at::tensor({45.f, 0.f, 0.f, 45.f, -45.f, 0.f, 0.f, 45.f}).view({1, 8});
  EXPECT_NEAR(train::total_invariant_mass(back_to_back).item<double>(), 90.0, 1e-4);
  const auto identity = nn::OtusGeneratorOptions().input_residual(true).relative_residual(true);
  const auto stats = nn::GeneratorStatistics{at::zeros({8}), at::full({8}, 40.0), at::zeros({6}), at::full({6}, 40.0)};
  nn::OtusGenerator encoder(identity, stats), decoder(identity, stats);
  train::OtusLossScales scales{at::ones({8}), at::ones({8}), 7.0, 11.0};
  const auto weights = train::OtusLossWeights().reconstruction(0).latent(0).data(0).mass(2.0);
  const train::OtusLossTerms terms = train::otus_loss(encoder, decoder, {z, x, {}, {}}, weights, {}, scales, 3);
  auto w2 = [](const at::Tensor& a, const at::Tensor& b) {
    return (std::get<0>(a.flatten().to(at::kDouble).sort()) - std::get<0>(b.flatten().to(at::kDouble).sort()))
        .pow(2).mean().item<double>();
  };
  const at::Tensor mz = train::total_invariant_mass(z), mx = train::total_invariant_mass(x);
  const double expected = w2(mx / 11.0, mz / 11.0) + w2(mz / 7.0, mx / 7.0);
  EXPECT_GT(expected, 0.01);
  EXPECT_NEAR(terms.mass.item<double>(), expected, 1e-4 * expected);
  EXPECT_NEAR(terms.total.item<double>(), 2.0 * expected, 2e-4 * expected);
}

// The transport term against its definition: the identity encoder moves nothing, a perturbed one
// moves each event by E(x) − x, counted in units of each column's σ; z and x of different objects
// are refused.
TEST(OtusLoss, TransportTermIsTheUnfoldersMeanSquaredMove) {
  const at::Tensor z = massless_pairs(200, 1), x = massless_pairs(200, 2);
  const auto identity = nn::OtusGeneratorOptions().input_residual(true).relative_residual(true);
  const auto stats = nn::GeneratorStatistics{at::zeros({8}), at::full({8}, 40.0), at::zeros({6}), at::full({6}, 40.0)};
  nn::OtusGenerator encoder(identity, stats), decoder(identity, stats);
  train::OtusLossScales scales{at::full({8}, 20.0), at::full({8}, 20.0), 7.0, 11.0};
  const auto weights = train::OtusLossWeights().reconstruction(0).latent(0).data(0).transport(3.0);
  const auto standardised = train::OtusLossOptions().standardised(true);
  EXPECT_NEAR(train::otus_loss(encoder, decoder, {z, x, {}, {}}, weights, standardised, scales, 3)
                  .transport.item<double>(),
              0.0, 1e-10);
  {
    torch::NoGradGuard no_grad;
    at::manual_seed(9);
    for (auto& p : encoder->parameters()) p.add_(0.05 * at::randn_like(p));
  }
  at::manual_seed(4);  // the encoder's noise: the same draw here and inside the loss
  const at::Tensor moved = encoder->forward(x).detach();
  const double expected = ((moved - x) / 20.0).pow(2).mean().item<double>();
  EXPECT_GT(expected, 1e-4);
  at::manual_seed(4);
  const train::OtusLossTerms terms = train::otus_loss(encoder, decoder, {z, x, {}, {}}, weights, standardised, scales, 3);
  EXPECT_NEAR(terms.transport.item<double>(), expected, 1e-5 * expected);
  EXPECT_NEAR(terms.total.item<double>(), 3.0 * expected, 3e-5 * expected);
  nn::OtusGenerator narrow(nn::OtusGeneratorOptions().output_objects(1).output_masses({0.0}),
                           nn::GeneratorStatistics{at::zeros({8}), at::full({8}, 40.0), at::zeros({3}), at::full({3}, 40.0)});
  EXPECT_THROW(train::otus_loss(narrow, decoder, {z.narrow(1, 0, 4), x, {}, {}}, weights, {}, scales, 3),
               otae::InvalidArgument);
}

// The simulated-pairs term against its definition: over the decoded events inside the acceptance,
// the unfolder's error ‖E(D(z)) − z‖² in units of each column's σ; the identity unfolder's error is
// then the simulator's own move, and the term's gradient reaches the encoder, never the decoder.
TEST(OtusLoss, SimulatedPairTermTeachesTheUnfolderAlone) {
  const at::Tensor z = massless_pairs(300, 1), x = massless_pairs(300, 2);
  const auto identity = nn::OtusGeneratorOptions().input_residual(true).relative_residual(true);
  const auto stats = nn::GeneratorStatistics{at::zeros({8}), at::full({8}, 40.0), at::zeros({6}), at::full({6}, 40.0)};
  nn::OtusGenerator encoder(identity, stats), decoder(identity, stats);
  {
    torch::NoGradGuard no_grad;
    at::manual_seed(9);
    for (auto& p : decoder->parameters()) p.add_(0.05 * at::randn_like(p));
  }
  train::OtusLossScales scales{at::full({8}, 20.0), at::full({8}, 20.0), 7.0, 11.0};
  const auto weights = train::OtusLossWeights().reconstruction(0).latent(0).data(0).simulated_pairs(2.0);
  const auto options = train::OtusLossOptions().standardised(true).acceptance({{{0}, 25.0}});
  at::manual_seed(4);  // the decoder's noise: the same draw here and inside the loss
  const at::Tensor simulated = decoder->forward(z).detach();
  const at::Tensor rows = train::event_acceptance(simulated, options.acceptance()).nonzero().squeeze(1);
  ASSERT_GT(rows.size(0), 30);
  ASSERT_LT(rows.size(0), 270);
  const double expected =
      ((simulated.index_select(0, rows) - z.index_select(0, rows)) / 20.0).pow(2).mean().item<double>();
  EXPECT_GT(expected, 1e-3);
  at::manual_seed(4);
  const train::OtusLossTerms terms = train::otus_loss(encoder, decoder, {z, x, {}, {}}, weights, options, scales, 3);
  EXPECT_NEAR(terms.simulated_pairs.item<double>(), expected, 1e-5 * expected);
  EXPECT_NEAR(terms.total.item<double>(), 2.0 * expected, 2e-5 * expected);
  terms.total.backward();
  double encoder_gradient = 0, decoder_gradient = 0;
  for (const auto& p : encoder->parameters())
    if (p.grad().defined()) encoder_gradient += p.grad().abs().sum().item<double>();
  for (const auto& p : decoder->parameters())
    if (p.grad().defined()) decoder_gradient += p.grad().abs().sum().item<double>();
  EXPECT_GT(encoder_gradient, 1e-3);
  EXPECT_EQ(decoder_gradient, 0.0);
}

// The simulator's transport cost against hand sums: events (ν, jet, jet), the neutrino seen as missing
// momentum (px, py only) and the jets in either order; a simulation that swaps the jets, drops the
// neutrino's pz and sets E = |pT| costs nothing, whatever σ each jet slot has (the jets share their
// mean σ), a move of one σ in one component costs 1 over the 10 components compared, and the same
// swap with the jets held in place costs the swap's squares.
TEST(OtusLoss, SimulationTransportCostIsTheLeastMoveOverTheJetsOrders) {
  const at::Tensor z = at::tensor({3.f, 4.f, 12.f, 13.f, 30.f, 0.f, 40.f, 50.f, -20.f, 0.f, 0.f, 20.f}).view({1, 12});
  const at::Tensor swapped =
      at::tensor({3.f, 4.f, 0.f, 5.f, -20.f, 0.f, 0.f, 20.f, 30.f, 0.f, 40.f, 50.f}).view({1, 12});
  const at::Tensor sigma = at::full({12}, 2.0);
  const std::vector<int64_t> jets = {1, 2}, met = {0};
  EXPECT_NEAR(train::simulation_transport_cost(z, swapped, sigma, jets, met).item<double>(), 0.0, 1e-12);
  const at::Tensor slot_sigmas = at::cat({at::full({4}, 2.0), at::full({4}, 1.0), at::full({4}, 3.0)});
  EXPECT_NEAR(train::simulation_transport_cost(z, swapped, slot_sigmas, jets, met).item<double>(), 0.0, 1e-12);
  at::Tensor moved = swapped.clone();
  moved[0][8] += 2.0f;  // one σ in one jet's px
  EXPECT_NEAR(train::simulation_transport_cost(z, moved, sigma, jets, met).item<double>(), 1.0 / 10.0, 1e-6);
  const at::Tensor jet_a = z.narrow(1, 4, 4), jet_b = z.narrow(1, 8, 4);
  const double swap = ((jet_a - jet_b) / 2.0).pow(2).sum().item<double>() * 2;
  EXPECT_NEAR(train::simulation_transport_cost(z, swapped, sigma, {}, met).item<double>(), swap / 10.0, 1e-4 * swap);
  EXPECT_NEAR(train::simulation_transport_cost(z, z, sigma, {}, {}).item<double>(), 0.0, 1e-12);
  EXPECT_THROW(train::simulation_transport_cost(z, swapped.narrow(1, 0, 8), sigma, jets, met), otae::InvalidArgument);
  EXPECT_THROW(train::simulation_transport_cost(z, swapped, sigma, {1, 3}, met), otae::InvalidArgument);
  const at::Tensor nine = at::zeros({1, 36});
  EXPECT_THROW(train::simulation_transport_cost(nine, nine, at::ones({36}), {0, 1, 2, 3, 4, 5, 6, 7}, {}),
               otae::InvalidArgument);
}

/// Events of two massless electrons of energy E each at opening angle 2a in the x–z plane, so that
/// M_ee = 2E sin a: one row per (E, M) given.
at::Tensor electron_pairs(const std::vector<std::pair<double, double>>& energy_and_mass) {
  std::vector<float> rows;
  for (const auto& [e, m] : energy_and_mass) {
    const double s = m / (2 * e), c = std::sqrt(1 - s * s);
    for (double sign : {1.0, -1.0})
      for (double v : {sign * e * s, 0.0, e * c, e}) rows.push_back(static_cast<float>(v));
  }
  return at::tensor(rows).view({static_cast<int64_t>(energy_and_mass.size()), 8});
}

// Data: electrons of 50 GeV make M = 50 GeV, of 100 GeV M = 90 GeV; generated: the other way
// round. One M distribution cannot tell them apart, the mass in two energy bins sees the 40 GeV.
TEST(OtusLoss, BinnedMassTermSeesTheMassAtEachEnergy) {
  std::vector<std::pair<double, double>> data_rows, generated_rows;
  for (int i = 0; i < 40; ++i) {
    data_rows.push_back(i % 2 ? std::pair{50.0, 50.0} : std::pair{100.0, 90.0});
    generated_rows.push_back(i % 2 ? std::pair{50.0, 90.0} : std::pair{100.0, 50.0});
  }
  const at::Tensor data = electron_pairs(data_rows);
  const at::Tensor generated = electron_pairs(generated_rows).requires_grad_(true);
  EXPECT_NEAR(train::total_invariant_mass(data).mean().item<double>(), 70.0, 1e-3);
  EXPECT_NEAR(train::binned_mass_distance(data, generated, 10.0, 1, 0.0).item<double>(), 0.0, 1e-6);
  const at::Tensor binned = train::binned_mass_distance(data, generated, 10.0, 2, 0.0);
  EXPECT_NEAR(binned.item<double>(), (40.0 / 10.0) * (40.0 / 10.0), 1e-3);
  binned.backward();
  EXPECT_TRUE(at::isfinite(generated.grad()).all().item<bool>());
  EXPECT_GT(generated.grad().abs().sum().item<double>(), 0.0);
  EXPECT_THROW(train::binned_mass_distance(data, generated, 10.0, 0, 0.0), otae::InvalidArgument);
  EXPECT_THROW(train::binned_mass_distance(data, generated, 10.0, 1, 0.5), otae::InvalidArgument);
}

// Untrimmed, the mass term is W2^2 of the two mass samples, as ot::wasserstein_1d computes it
// (unequal sizes too). Trimmed at 10 %, a far tail event in the data no longer counts, while a
// shift of the core still does, by its square.
TEST(OtusLoss, TrimmedMassTermIgnoresTheTailsNotTheCore) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(7);
  auto lineshape = [&](int64_t n, double peak) {
    const at::Tensor m = peak + 2.5 * at::randn({n}, generator, at::kDouble);
    std::vector<std::pair<double, double>> rows;
    for (int64_t i = 0; i < n; ++i) rows.push_back({60.0, m[i].item<double>()});
    return rows;
  };
  // the same lineshape with one far radiative tail event on the data side only
  auto generated_rows = lineshape(199, 91.0), data_rows = generated_rows;
  data_rows.push_back({60.0, 30.0});
  const at::Tensor data = electron_pairs(data_rows), generated = electron_pairs(generated_rows);
  const double exact = otae::ot::wasserstein_1d(train::total_invariant_mass(data).squeeze(1),
                                          train::total_invariant_mass(generated).squeeze(1))
                           .w2_squared;
  EXPECT_NEAR(train::binned_mass_distance(data, generated, 1.0, 1, 0.0).item<double>(), exact, 1e-4 * exact);
  const double trimmed = train::binned_mass_distance(data, generated, 1.0, 1, 0.1).item<double>();
  EXPECT_LT(trimmed, 0.01 * exact);

  auto shifted_rows = generated_rows;
  for (auto& row : shifted_rows) row.second += 1.0;
  const double shifted = train::binned_mass_distance(data, electron_pairs(shifted_rows), 1.0, 1, 0.1).item<double>();
  EXPECT_NEAR(shifted, 1.0, 0.05);
}

// Listed masses: events of two electron pairs side by side (objects 0, 1 and 2, 3), the data's
// pairs at 90 and 50 GeV, the generated ones swapped. The mass of all four objects hides the swap
// (each pair's angle is fixed by its own mass); each listed pair's mass sees it, and the term is
// the mean of the two exact 1-D W₂² over the data's σ of that mass.
TEST(OtusLoss, ListedMassesAreComparedOneByOne) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(11);
  auto pairs = [&](double peak) {
    const at::Tensor m = peak + 2.5 * at::randn({300}, generator, at::kDouble);
    std::vector<std::pair<double, double>> rows;
    for (int64_t i = 0; i < 300; ++i) rows.push_back({60.0, m[i].item<double>()});
    return electron_pairs(rows);
  };
  const at::Tensor data = at::cat({pairs(90.0), pairs(50.0)}, 1);
  const at::Tensor generated = at::cat({pairs(50.0), pairs(90.0)}, 1).requires_grad_(true);
  double expected = 0;
  for (const std::vector<int64_t>& pair : {std::vector<int64_t>{0, 1}, std::vector<int64_t>{2, 3}}) {
    const at::Tensor m_data = train::invariant_mass_of(data, pair).squeeze(1).to(at::kDouble);
    const at::Tensor m_generated = train::invariant_mass_of(generated, pair).squeeze(1).detach().to(at::kDouble);
    const double sigma = m_data.std().item<double>();
    expected += 0.5 * otae::ot::wasserstein_1d(m_data / sigma, m_generated / sigma).w2_squared;
  }
  EXPECT_GT(expected, 100.0);  // 40 GeV apart at σ ≈ 2.5 GeV
  const at::Tensor listed = train::listed_mass_distance(data, generated, {{0, 1}, {3, 2}}, 0.0);
  EXPECT_NEAR(listed.item<double>(), expected, 1e-4 * expected);
  EXPECT_NEAR(train::listed_mass_distance(data, data, {{0, 1}, {2, 3}}, 0.0).item<double>(), 0.0, 1e-9);
  listed.backward();
  EXPECT_TRUE(at::isfinite(generated.grad()).all().item<bool>());
  EXPECT_GT(generated.grad().abs().sum().item<double>(), 0.0);
  EXPECT_NEAR(train::invariant_mass_of(data, {0, 1, 2, 3}).sum().item<double>(),
              train::total_invariant_mass(data).sum().item<double>(), 1e-3);
  EXPECT_THROW(train::listed_mass_distance(data, generated, {{0, 4}}, 0.0), otae::InvalidArgument);
  EXPECT_THROW(train::listed_mass_distance(data, generated, {{}}, 0.0), otae::InvalidArgument);
  EXPECT_THROW(train::listed_mass_distance(data, generated, {}, 0.0), otae::InvalidArgument);
}

TEST(OtusConfig, ShippedConfigurationsParseAndOverride) {
  for (const char* name : {"zee", "zee_cpu", "zee_quick", "ttbar", "ttbar_quick", "cms2011"}) {
    YAML::Node tree = train::load_config_file(std::string(OTAE_SOURCE_DIR) + "/configs/otus/" + name + ".yaml");
    train::apply_overrides(tree, {"phases.0.epochs=3", "loss.standardised=true"});
    train::OtusConfig c = train::parse_otus_config(tree);
    EXPECT_EQ(c.phases.at(0).epochs, 3) << name;
    EXPECT_TRUE(c.loss.standardised()) << name;
    const train::OtusConfig again = train::parse_otus_config(train::to_yaml(c));
    YAML::Emitter a, b;
    a << train::to_yaml(c);
    b << train::to_yaml(again);
    EXPECT_EQ(std::string(a.c_str()), std::string(b.c_str())) << name;
  }
  const train::OtusConfig ttbar =
      train::parse_otus_config(train::load_config_file(std::string(OTAE_SOURCE_DIR) + "/configs/otus/ttbar.yaml"));
  EXPECT_EQ(ttbar.loss.acceptance().size(), 2u);
  EXPECT_EQ(ttbar.decoder.missing_momentum(), std::vector<int64_t>({1}));
  EXPECT_EQ(ttbar.decoder.pt_ordered(), std::vector<int64_t>({2, 3, 4, 5}));
  EXPECT_DOUBLE_EQ(ttbar.phases.at(0).weights.latent(), 20.0);
  EXPECT_EQ(ttbar.phases.at(1).trains, train::PhaseTrains::kDecoder);
}

// `trains` names its choices; a run folder written with the key before it (decoder_only) still reads.
TEST(OtusConfig, PhaseTrainsReadsItsChoicesAndTheOlderKey) {
  EXPECT_EQ(train::parse_otus_config(YAML::Load("phases: [{trains: encoder}]")).phases.at(0).trains,
            train::PhaseTrains::kEncoder);
  const std::string unknown = error_of([] { train::parse_otus_config(YAML::Load("phases: [{trains: unfolder}]")); });
  EXPECT_NE(unknown.find("'phases.0.trains'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("both, decoder or encoder"), std::string::npos) << unknown;
  const YAML::Node older = YAML::Load("phases: [{name: fit}, {name: tune, decoder_only: true}, {decoder_only: false}]");
  const train::OtusConfig read = train::parse_otus_config(older);
  EXPECT_EQ(read.phases.at(0).trains, train::PhaseTrains::kBoth);
  EXPECT_EQ(read.phases.at(1).trains, train::PhaseTrains::kDecoder);
  EXPECT_EQ(read.phases.at(2).trains, train::PhaseTrains::kBoth);
  EXPECT_TRUE(older["phases"][1]["decoder_only"].IsDefined());  // the caller's tree is left alone
  const std::string both =
      error_of([] { train::parse_otus_config(YAML::Load("phases: [{decoder_only: true, trains: both}]")); });
  EXPECT_NE(both.find("'phases.0.decoder_only' and 'phases.0.trains'"), std::string::npos) << both;
}

TEST(OtusConfig, UnknownKeysAndBadOverridesAreErrors) {
  YAML::Node tree = YAML::Load("loss: {slices: 10, slice: 3}");
  EXPECT_THROW(train::parse_otus_config(tree), otae::ConfigError);
  YAML::Node ok = YAML::Load("phases: [{epochs: 1}]");
  EXPECT_THROW(train::apply_overrides(ok, {"phases.4.epochs=2"}), otae::ConfigError);
  EXPECT_THROW(train::apply_overrides(ok, {"phases.0.epochs"}), otae::ConfigError);
  train::apply_overrides(ok, {"phases.0.epochs=2"});
  EXPECT_EQ(train::parse_otus_config(ok).phases.at(0).epochs, 2);
  EXPECT_THROW(train::parse_otus_config(YAML::Load("phases: [{epochs: many}]")), otae::ConfigError);
}

TEST(OtusConfig, RangeErrorsNameTheKeyTheValueAndTheRange) {
  const YAML::Node shipped = train::load_config_file(std::string(OTAE_SOURCE_DIR) + "/configs/otus/zee_quick.yaml");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"loss.mass_trim=0.7", "'loss.mass_trim' must be in [0, 0.5) (the fraction cut from each end), received 0.7"},
      {"phases.1.learning_rate=0", "'phases.1.learning_rate' must be > 0, received 0"},
      {"phases.0.weights.mass=-1", "'phases.0.weights.mass' must be finite and >= 0, received -1"},
      {"training.batch_size=1", "'training.batch_size' must be >= 2, received 1"},
      {"loss.detector_masses=[[0, 1], []]",
       "'loss.detector_masses' must be lists of object indices, none empty, received [[0, 1], []]"},
      {"data.paired_fraction=1.5", "'data.paired_fraction' must be in [0, 1], received 1.5"}};
  for (const auto& [setting, message] : cases) {
    YAML::Node tree = YAML::Clone(shipped);
    train::apply_overrides(tree, {setting});
    EXPECT_EQ(error_of([&] { train::parse_otus_config(tree); }), "configuration key " + message);
  }
  train::OtusConfig config;  // built in code: validate checks it against the same table
  config.loss.slices(0);
  EXPECT_EQ(error_of([&] { config.validate(); }), "configuration key 'loss.slices' must be >= 1, received 0");
}

/// The dotted path of every value in `node` ("loss.anchor.z_object", "phases.0.weights.mass"): maps
/// and lists of maps are walked, a list of numbers is one value.
void collect_keys(const YAML::Node& node, const std::string& path, std::vector<std::string>& keys) {
  if (node.IsMap()) {
    for (const auto& entry : node)
      collect_keys(entry.second, (path.empty() ? "" : path + ".") + entry.first.as<std::string>(), keys);
  } else if (node.IsSequence() && node.size() > 0 && node[0].IsMap()) {
    for (size_t i = 0; i < node.size(); ++i) collect_keys(node[i], path + "." + std::to_string(i), keys);
  } else {
    keys.push_back(path);
  }
}

/// The value at a dotted path as one line of YAML, "(absent)" where the path leads nowhere.
std::string value_at(const YAML::Node& node, const std::string& path) {
  const auto dot = path.find('.');
  const std::string part = path.substr(0, dot);
  const YAML::Node next = node.IsSequence() ? node[std::stoul(part)] : node[part];
  if (!next.IsDefined()) return "(absent)";
  if (dot != std::string::npos) return value_at(next, path.substr(dot + 1));
  YAML::Emitter out;
  out << YAML::Flow << next;
  return out.c_str();
}

// Every key of the written configuration is one the reader sets: in a file that changes every
// value from its default, each written value differs from the default's, so none was dropped on
// reading (and a key added to the schema fails here until this file sets it). A misspelt key
// beside any of them is refused, named by its dotted path.
TEST(OtusConfig, EveryWrittenKeyIsReadAndEveryUnknownKeyIsNamed) {
  const YAML::Node every_value_changed = YAML::Load(R"(
seed: 7
data:
  split: {train: 0.6, validation: 0.1, test: 0.3, seed: 3}
  max_train_events: 100
  paired_fraction: 0.25
  parton_mass_window: [80, 100]
training: {batch_size: 500, batch_shards: 2, threads: 2, device: cuda, checkpoint_every: 5}
encoder: &generator
  architecture: residual
  hidden: 64
  hidden_layers: 2
  residual_blocks: 2
  noise: calorimeter
  noise_dimension: 4
  noise_hidden: 32
  input_residual: true
  relative_residual: true
  shared_response: true
  missing_momentum: [1]
  pt_ordered: [0, 1]
  residual_pt_ordered: true
  masses: [0.5, 0]
  resolution_start: [0.03, 0.3, 0.6]
  tail_fraction_start: 0.05
  tail_scale_start: 0.01
  object_wise: true
  object_identity: true
  object_angles: true
  calorimeter_rate: 10
decoder: *generator
loss:
  slices: 50
  standardised: true
  mass_bins: 4
  mass_trim: 0.1
  detector_masses: [[0, 1], [1]]
  parton_masses: [[0]]
  anchor: {z_object: 1, x_object: -1}
  acceptance: [{objects: [0, 1], pt_min: 25, abs_eta_max: 2.5, mass_min: 60, mass_max: 120}]
phases:
  - name: fine-tune
    epochs: 30
    learning_rate: 1.0e-4
    lr_decay_epochs: 10
    trains: encoder
    weights: {reconstruction: 0, latent: 20, data: 2, encoder_anchor: 1, decoder_anchor: 1, paired: 0.5, mass: 10,
              transport: 1.0e+4, simulated_pairs: 3,
              simulation_transport: 0.5}
)");
  // the defaults, with the one cut a default cut cannot be (it must list its objects)
  const YAML::Node defaults =
      train::to_yaml(train::parse_otus_config(YAML::Load("loss: {acceptance: [{objects: [1]}]}")));
  const YAML::Node written = train::to_yaml(train::parse_otus_config(every_value_changed));
  std::vector<std::string> keys;
  collect_keys(written, "", keys);
  for (const char* deep : {"encoder.object_wise", "loss.acceptance.0.mass_max", "phases.0.weights.transport"})
    EXPECT_NE(std::find(keys.begin(), keys.end(), deep), keys.end()) << deep;
  for (const auto& key : keys) {
    EXPECT_NE(value_at(defaults, key), "(absent)") << key;
    EXPECT_NE(value_at(written, key), value_at(defaults, key)) << key;
  }
  YAML::Emitter once, twice;
  once << written;
  twice << train::to_yaml(train::parse_otus_config(written));
  EXPECT_EQ(std::string(once.c_str()), std::string(twice.c_str()));
  // numbers as YAML 1.1 readers (PyYAML) take them: an exponent only after a decimal point
  EXPECT_NE(std::string(once.c_str()).find("transport: 10000"), std::string::npos) << once.c_str();
  EXPECT_NE(std::string(once.c_str()).find("learning_rate: 1.0e-04"), std::string::npos) << once.c_str();
  EXPECT_FALSE(std::regex_search(std::string(once.c_str()), std::regex("(^|[^0-9.])[0-9]+e[-+]"))) << once.c_str();

  for (const auto& key : keys) {
    YAML::Node misspelt = YAML::Clone(written);
    train::apply_overrides(misspelt, {key + "x=1"});
    EXPECT_NE(error_of([&] { train::parse_otus_config(misspelt); }).find("'" + key + "x'"), std::string::npos) << key;
  }
  YAML::Node ttbar = train::load_config_file(std::string(OTAE_SOURCE_DIR) + "/configs/otus/ttbar.yaml");
  for (const char* misspelt : {"loss.mass_trm", "phases.1.weights.mas", "loss.acceptance.1.pt_mn", "sead"}) {
    YAML::Node tree = YAML::Clone(ttbar);
    train::apply_overrides(tree, {std::string(misspelt) + "=0.1"});
    const std::string message = error_of([&] { train::parse_otus_config(tree); });
    EXPECT_NE(message.find("unknown configuration key '" + std::string(misspelt) + "'"), std::string::npos) << message;
  }
}

train::OtusConfig small_zee_config() {
  YAML::Node tree = train::load_config_file(std::string(OTAE_SOURCE_DIR) + "/configs/otus/zee_quick.yaml");
  train::apply_overrides(tree, {"phases.0.epochs=1", "phases.1.epochs=1", "data.max_train_events=1000",
                                "training.batch_size=250", "training.threads=1", "loss.slices=20",
                                "encoder.hidden=16", "decoder.hidden=16", "encoder.noise_hidden=8",
                                "decoder.noise_hidden=8", "data.paired_fraction=0.1", "phases.1.weights.paired=0.5",
                                "data.split.train=0.4", "data.split.validation=0.1", "phases.1.weights.mass=1"});
  return train::parse_otus_config(tree);
}

// An encoder phase leaves the simulator as the phase before left it, to the last bit, and trains
// the unfolder (here on its simulated pairs).
TEST(OtusTraining, EncoderPhaseLeavesTheDecoderAlone) {
  const data::EventPairs events = data::load_event_pairs(std::string(OTAE_SOURCE_DIR) + "/samples/zee_small.h5");
  const auto quiet = train::OtusTrainOptions().show_progress(false);
  YAML::Node tree = train::to_yaml(small_zee_config());
  train::apply_overrides(tree, {"phases.1.trains=encoder", "phases.1.weights.simulated_pairs=1"});
  const train::OtusConfig config = train::parse_otus_config(tree);
  const std::string folder = fresh_folder("encoder_phase");
  train::train_otus(config, events, "zee_small.h5", folder, train::OtusTrainOptions(quiet).epoch_limit(1));
  train::OtusModel before = train::load_otus_model(folder);
  train::OtusModel after = train::train_otus(config, events, "zee_small.h5", folder,
                                             train::OtusTrainOptions(quiet).resume(true));
  const at::Tensor z = events.z().narrow(0, 0, 50), x = events.x().narrow(0, 0, 50);
  EXPECT_TRUE(at::equal(train::generate_events(before.decoder, z, 1), train::generate_events(after.decoder, z, 1)));
  EXPECT_FALSE(at::equal(train::generate_events(before.encoder, x, 1), train::generate_events(after.encoder, x, 1)));
  std::filesystem::remove_all(folder);
}

TEST(OtusTraining, ResumingEqualsNotStopping) {
  const data::EventPairs events = data::load_event_pairs(std::string(OTAE_SOURCE_DIR) + "/samples/zee_small.h5");
  const auto quiet = train::OtusTrainOptions().show_progress(false);
  const std::string straight = fresh_folder("straight"), stopped = fresh_folder("stopped");
  train::OtusModel a = train::train_otus(small_zee_config(), events, "zee_small.h5", straight, quiet);
  train::train_otus(small_zee_config(), events, "zee_small.h5", stopped, train::OtusTrainOptions(quiet).epoch_limit(1));
  EXPECT_FALSE(std::filesystem::exists(stopped + "/model.pt"));
  train::train_otus(small_zee_config(), events, "zee_small.h5", stopped, train::OtusTrainOptions(quiet).resume(true));
  train::OtusModel b = train::load_otus_model(stopped);
  const at::Tensor z = events.z().narrow(0, 0, 50);
  EXPECT_TRUE(at::equal(train::generate_events(a.decoder, z, 1), train::generate_events(b.decoder, z, 1)));
  for (const char* file : {"config.yaml", "run.json", "log.csv", "phase_0_fit.json", "phase_1_decay.pt", "model.pt",
                           "best.pt", "best.json"})
    EXPECT_TRUE(std::filesystem::exists(straight + "/" + file)) << file;
  // validating leaves the training numbers alone: the same validation losses, stopped or not
  auto validation_column = [](const std::string& folder) {
    std::istringstream lines(otae::read_text_file(folder + "/log.csv"));
    std::string line, column;
    std::getline(lines, line);  // the header
    while (std::getline(lines, line)) column += line.substr(line.rfind(',') + 1) + ";";
    return column;
  };
  EXPECT_EQ(validation_column(straight), validation_column(stopped));
  EXPECT_NE(validation_column(straight).front(), ';');  // a number, not an empty cell
  train::OtusModel best = train::load_otus_model(straight, train::OtusCheckpoint::kBest);
  const at::Tensor from_best = train::generate_events(best.decoder, z, 1);
  EXPECT_TRUE(at::isfinite(from_best).all().item<bool>());
  // a changed configuration refuses to resume
  train::OtusConfig other = small_zee_config();
  other.seed = 99;
  EXPECT_THROW(train::train_otus(other, events, "zee_small.h5", stopped, train::OtusTrainOptions(quiet).resume(true)),
               otae::ConfigError);
  // a damaged best.json is named with its field, not left to a JSON library's message
  otae::write_text_file(stopped + "/best.json", R"({"phase": "fit", "phase_index": 0, "epoch": 0, "global_epoch": 0})");
  EXPECT_EQ(otae::testing::message_of<otae::IoError>([&] {
              train::train_otus(small_zee_config(), events, "zee_small.h5", stopped,
                                train::OtusTrainOptions(quiet).resume(true));
            }),
            stopped + "/best.json: field 'validation_distance' is missing");
}

TEST(OtusTraining, GlobalSeedChangesNothing) {
  // every random number of a run (initial weights, noise, validation) comes from the run's own
  // generators: reseeding LibTorch's global one in between, even between steps, changes no number
  const data::EventPairs events = data::load_event_pairs(std::string(OTAE_SOURCE_DIR) + "/samples/zee_small.h5");
  train::OtusTrainingObserver reseeding;
  int64_t epochs_seen = 0;
  reseeding.on_step_end = [](int64_t steps_done) { at::manual_seed(1000 + steps_done); };
  reseeding.on_epoch_end = [&](const train::OtusEpochRecord& record) {
    at::manual_seed(2000 + record.global_epoch);
    ++epochs_seen;
  };
  const auto quiet = train::OtusTrainOptions().show_progress(false);
  const std::string first = fresh_folder("seed_first"), second = fresh_folder("seed_second");
  at::manual_seed(1);
  train::OtusModel a = train::train_otus(small_zee_config(), events, "zee_small.h5", first, quiet);
  EXPECT_EQ(epochs_seen, 0);
  at::manual_seed(2);
  train::train_otus(small_zee_config(), events, "zee_small.h5", second,
                    train::OtusTrainOptions(quiet).epoch_limit(1).observer(reseeding));
  at::manual_seed(3);
  train::OtusModel b = train::train_otus(small_zee_config(), events, "zee_small.h5", second,
                                         train::OtusTrainOptions(quiet).resume(true).observer(reseeding));
  EXPECT_EQ(epochs_seen, 2);  // one epoch in each call
  const at::Tensor z = events.z().narrow(0, 0, 50);
  at::manual_seed(4);
  const at::Tensor from_a = train::generate_events(a.decoder, z, 1);
  at::manual_seed(5);
  EXPECT_TRUE(at::equal(from_a, train::generate_events(b.decoder, z, 1)));
  auto without_seconds = [](const std::string& folder) {
    std::istringstream lines(otae::read_text_file(folder + "/log.csv"));
    std::string line, rows;
    while (std::getline(lines, line)) {
      std::vector<std::string> cells;
      std::stringstream row(line);
      for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
      const auto& columns = train::otus_log_columns();
      cells.erase(cells.begin() + (std::find(columns.begin(), columns.end(), "seconds") - columns.begin()));
      for (const auto& cell : cells) rows += cell + ",";
      rows += "\n";
    }
    return rows;
  };
  EXPECT_EQ(without_seconds(first), without_seconds(second));
}

TEST(OtusTraining, PartonMassWindowKeepsOnlyThoseTrainingRows) {
  const data::EventPairs events = data::load_event_pairs(std::string(OTAE_SOURCE_DIR) + "/samples/zee_small.h5");
  train::OtusConfig config = small_zee_config();
  config.max_train_events = 0;
  config.parton_mass_window = {85, 95};
  for (auto& phase : config.phases) phase.epochs = 0;
  const std::string folder = fresh_folder("mass_window");
  train::train_otus(config, events, "zee_small.h5", folder, train::OtusTrainOptions().show_progress(false));
  // the same rows counted by hand: M² = (E₁ + E₂)² − |p₁ + p₂|² of the parton pair
  const at::Tensor train_rows = data::split_rows(events.size(), config.split).train;
  const at::Tensor z = events.z().index_select(0, train_rows).to(at::kDouble).view({-1, 2, 4}).sum(1);
  const at::Tensor mass = (z.select(1, 3).pow(2) - z.narrow(1, 0, 3).pow(2).sum(1)).sqrt();
  const int64_t expected = ((mass >= 85) & (mass < 95)).sum().item<int64_t>();
  const train::OtusRunRecord run = train::OtusRunRecord::read(folder);
  EXPECT_EQ(run.train_events, expected);
  EXPECT_EQ(run.z_objects, 2);
  EXPECT_EQ(run.data, "zee_small.h5");
  EXPECT_TRUE(run.x_data.empty());
  EXPECT_LT(expected, train_rows.size(0));
  EXPECT_GT(expected, train_rows.size(0) / 4);
  EXPECT_EQ(train::load_otus_model(folder).config.parton_mass_window, std::vector<double>({85, 95}));
  YAML::Node bad = YAML::Load("data: {parton_mass_window: [95, 85]}");
  EXPECT_THROW(train::parse_otus_config(bad), otae::ConfigError);
}

// run.json read back as the trainer wrote it; a damaged one is an error that names the file and
// the field, not a JSON library's message.
TEST(OtusRunRecord, RoundTripsAndNamesTheBadField) {
  train::OtusRunRecord written;
  written.data = "/data/ttbar.h5";
  written.x_data = "/data/cms.csv";
  written.z_objects = 6;
  written.x_objects = 6;
  written.train_events = 40000;
  written.batch_size = 5000;
  written.device = "cuda:1";
  const std::string folder = fresh_folder("run_record");
  std::filesystem::create_directories(folder);
  otae::write_text_file(folder + "/run.json", written.to_json().dump());
  const train::OtusRunRecord read = train::OtusRunRecord::read(folder);
  EXPECT_EQ(read.to_json(), written.to_json());
  nlohmann::json paired = written.to_json();
  paired.erase("x_data");
  paired.erase("device");  // a run from before the device was recorded
  otae::write_text_file(folder + "/run.json", paired.dump());
  EXPECT_TRUE(train::OtusRunRecord::read(folder).x_data.empty());
  EXPECT_EQ(train::OtusRunRecord::read(folder).device, "cpu");
  auto error_reading = [&](const std::string& text) {
    otae::write_text_file(folder + "/run.json", text);
    return otae::testing::message_of<otae::IoError>([&] { train::OtusRunRecord::read(folder); });
  };
  nlohmann::json no_objects = paired;
  no_objects.erase("z_objects");
  EXPECT_EQ(error_reading(no_objects.dump()), folder + "/run.json: field 'z_objects' is missing");
  nlohmann::json text_count = paired;
  text_count["x_objects"] = "six";
  EXPECT_EQ(error_reading(text_count.dump()), folder + "/run.json: field 'x_objects' must be an integer, found \"six\"");
  EXPECT_NE(error_reading("{\"data\": ").find(folder + "/run.json is not valid JSON"), std::string::npos);
  std::filesystem::remove(folder + "/run.json");
  EXPECT_NE(otae::testing::message_of<otae::IoError>([&] { train::OtusRunRecord::read(folder); }).find("holds no run.json"),
            std::string::npos);
}

/// Massless events [N, 4] from 3-momenta [N, 3]: E = |p|.
at::Tensor with_energy(const at::Tensor& p) { return at::cat({p, p.norm(2, {1}, true)}, 1); }

/// A known-answer run: every row trains, no anchors, 100 slices; `specific` adds the seed, the
/// batch, the generators and the phases.
train::OtusModel train_known_answer(const at::Tensor& z_momenta, const at::Tensor& x_momenta, const std::string& specific,
                                    const std::string& name) {
  const data::EventPairs events(with_energy(z_momenta), with_energy(x_momenta));
  YAML::Node tree = YAML::Load(specific);
  tree["data"] = YAML::Load("{split: {train: 1.0, validation: 0.0, test: 0.0}}");
  tree["loss"] = YAML::Load("{slices: 100, anchor: {z_object: -1, x_object: -1}}");
  return train::train_otus(train::parse_otus_config(tree), events, "toy", fresh_folder(name),
                           train::OtusTrainOptions().show_progress(false));
}

// The known answer. z: one massless object whose px, py, pz each sit on one of three narrow
// peaks (−40, 0, +40 GeV, width 0.5); x = z + N(0, σ² = 4²) on every momentum component, E = |p|.
// Only smearing by 4 GeV around each peak reproduces p(x) (the peaks are 10 σ apart), so a
// decoder trained on unpaired events must learn p(x|z) with mean z and width 4 GeV. β_x = 0:
// the reconstruction term prefers a deterministic decoder and would bias the width.
TEST(OtusTraining, KnownAnswerGaussianSmearingLearntUnpaired) {
  constexpr int64_t kEvents = 20000;
  constexpr double kSigma = 4.0;
  at::Generator rng = at::make_generator<at::CPUGeneratorImpl>(2024);
  const at::Tensor peaks = (at::randint(0, 3, {kEvents, 3}, rng, at::kLong) - 1).to(at::kFloat) * 40 +
                           at::randn({kEvents, 3}, rng, at::TensorOptions().dtype(at::kFloat)) * 0.5;
  const at::Tensor smeared = peaks + at::randn({kEvents, 3}, rng, at::TensorOptions().dtype(at::kFloat)) * kSigma;
  train::OtusModel model = train_known_answer(peaks, smeared, R"(
    seed: 5
    training: {batch_size: 2000, threads: 1}
    encoder: {hidden: 64, noise_hidden: 32, input_residual: true}
    decoder: {hidden: 64, noise_hidden: 32, input_residual: true}
    phases:
      - {name: fit, epochs: 60, learning_rate: 3.0e-3, weights: {reconstruction: 0, latent: 1, data: 1}}
      - {name: settle, epochs: 40, learning_rate: 1.0e-3, lr_decay_epochs: 10, weights: {reconstruction: 0, latent: 1, data: 1}}
  )", "known_answer");
  for (const auto& centre : {std::vector<float>{40, 0, -40}, std::vector<float>{0, 40, 40}, std::vector<float>{-40, -40, 0}}) {
    const at::Tensor z = with_energy(at::tensor(centre).view({1, 3}).expand({20000, 3}).contiguous());
    const at::Tensor x = train::generate_events(model.decoder, z, 17);
    const at::Tensor shift = (x - z).narrow(1, 0, 3);
    std::printf("learnt p(x|z) at z = (%g, %g, %g) GeV: mean shift (%.2f, %.2f, %.2f), width (%.2f, %.2f, %.2f) GeV; "
                "true 0 and %.1f\n",
                centre[0], centre[1], centre[2], shift.select(1, 0).mean().item<double>(),
                shift.select(1, 1).mean().item<double>(), shift.select(1, 2).mean().item<double>(),
                shift.select(1, 0).std().item<double>(), shift.select(1, 1).std().item<double>(),
                shift.select(1, 2).std().item<double>(), kSigma);
    for (int64_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(shift.select(1, c).mean().item<double>(), 0.0, 1.0) << "component " << c << " at " << centre[0];
      EXPECT_NEAR(shift.select(1, c).std().item<double>(), kSigma, 0.8) << "component " << c << " at " << centre[0];
    }
  }
}

// The known answer of the calorimeter noise: one massless object along a fixed direction whose
// energy sits on one of three narrow peaks (15, 40, 120 GeV, width 0.05 GeV), measured with the
// response 1 + s(E)·n, s(E) =
// √(0.01² + 0.2²/E) (0.053, 0.034, 0.022 at the peaks). Unpaired, the width of each peak in p(x)
// is all that tells the decoder s(E); it starts from another calorimeter (a, b, c) = (0.03, 0.5,
// 0.5) and must reach the truth's s(E) at each peak within 15 %, with a mean response of 1. One batch
// holds every event, so that z and x hold the same number of events in each peak: with batches of
// a quarter, the peaks' counts differ between the unpaired halves by ~20 events, which moves
// ~1 % of the mass by 25-80 GeV and swamps the widths (SW ≈ 35 GeV² against ≈ 3 from the widths).
TEST(OtusTraining, KnownAnswerCalorimeterResolutionLearntUnpaired) {
  constexpr int64_t kEvents = 6000;
  const std::vector<double> peaks = {15.0, 40.0, 120.0};
  auto resolution = [](double e) { return std::sqrt(0.01 * 0.01 + 0.2 * 0.2 / e); };
  at::Generator rng = at::make_generator<at::CPUGeneratorImpl>(7);
  const auto f32 = at::TensorOptions().dtype(at::kFloat);
  const at::Tensor which = at::randint(0, 3, {kEvents}, rng, at::kLong);
  const at::Tensor energy = at::tensor(peaks, f32).index_select(0, which) + at::randn({kEvents}, rng, f32) * 0.05;
  // a test beam at a fixed angle: every component is a copy of the energy, so every slice of the
  // sliced Wasserstein distance sees the peaks (random directions would spread px, py, pz flat)
  const at::Tensor p = at::tensor({0.6, 0.0, 0.8}, f32).view({1, 3}) * energy.unsqueeze(1);
  const at::Tensor s = (0.01 * 0.01 + 0.2 * 0.2 / energy).sqrt();
  const at::Tensor smeared = p * (1 + s * at::randn({kEvents}, rng, f32)).unsqueeze(1);
  train::OtusModel model = train_known_answer(p, smeared, R"(
    seed: 3
    training: {batch_size: 6000, threads: 1}
    encoder: {hidden: 8, noise_hidden: 8, input_residual: true}
    decoder: {hidden: 16, input_residual: true, relative_residual: true, shared_response: true, noise: calorimeter,
              resolution_start: [0.03, 0.5, 0.5], tail_fraction_start: 0.001, tail_scale_start: -0.001}
    phases:
      - {name: fit, epochs: 300, learning_rate: 2.0e-3, weights: {reconstruction: 0, latent: 0, data: 1}}
      - {name: settle, epochs: 100, learning_rate: 1.0e-3, lr_decay_epochs: 20, weights: {reconstruction: 0, latent: 0, data: 1}}
  )", "known_answer_calorimeter");
  for (double e : peaks) {
    const at::Tensor z = with_energy(at::tensor({e * 0.6, 0.0, e * 0.8}, f32).view({1, 3}).expand({20000, 3}).contiguous());
    const at::Tensor r = train::generate_events(model.decoder, z, 11).select(1, 3) / e;
    const double learnt_width = model.decoder->resolution(z.narrow(0, 0, 1))[0][0].item<double>();
    std::printf("learnt response at E = %g GeV: mean %.4f, s(E) %.4f (sample std %.4f); true 1 and %.4f\n", e,
                r.mean().item<double>(), learnt_width, r.std().item<double>(), resolution(e));
    EXPECT_NEAR(learnt_width, resolution(e), 0.15 * resolution(e)) << e;
    EXPECT_NEAR(r.mean().item<double>(), 1.0, 0.3 * resolution(e)) << e;
  }
}

}  // namespace
