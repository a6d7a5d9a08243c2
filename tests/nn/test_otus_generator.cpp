// OTUS generators: the Minkowski layer's closed form, mass shells of generated events, shapes of
// both architectures, the noise network's initial σ, the calorimeter noise (its s(E), tail and
// finite-difference gradients), object-wise responses, determinism by seed (the global generator's
// or an explicit one's), and option errors.
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <gtest/gtest.h>
#include <torch/nn/functional/activation.h>

#include "otae/base/error.hpp"
#include "otae/nn/otus_generator.hpp"

namespace {

namespace nn = otae::nn;

nn::GeneratorStatistics unit_statistics(int64_t in_objects, int64_t out_objects) {
  return {at::zeros({4 * in_objects}), at::full({4 * in_objects}, 30.0), at::zeros({3 * out_objects}),
          at::full({3 * out_objects}, 30.0)};
}

at::Tensor random_events(int64_t rows, int64_t objects, uint64_t seed) {
  at::manual_seed(seed);
  return at::randn({rows, 4 * objects}) * 40;
}

TEST(MinkowskiLayer, EnergyOnTheMassShell) {
  const at::Tensor momenta = at::tensor({3.0, 4.0, 12.0, 0.0, 0.0, 0.0}, at::kDouble).view({1, 2, 3});
  const at::Tensor events = nn::minkowski_layer(momenta, {0.0, 4.7});
  ASSERT_EQ(events.sizes(), (std::vector<int64_t>{1, 8}));
  EXPECT_NEAR(events[0][3].item<double>(), 13.0, 1e-6);
  EXPECT_NEAR(events[0][7].item<double>(), 4.7, 1e-6);
  EXPECT_DOUBLE_EQ(events[0][2].item<double>(), 12.0);
}

TEST(MinkowskiLayer, GradientFiniteAtRest) {
  const at::Tensor momenta = at::zeros({2, 1, 3}, at::kDouble).set_requires_grad(true);
  nn::minkowski_layer(momenta, {0.0}).sum().backward();
  EXPECT_TRUE(at::isfinite(momenta.grad()).all().item<bool>());
}

TEST(MinkowskiLayer, RejectsMismatchedMasses) {
  EXPECT_THROW(nn::minkowski_layer(at::zeros({2, 2, 3}), {0.0}), otae::InvalidArgument);
  EXPECT_THROW(nn::minkowski_layer(at::zeros({2, 2, 3}), {0.0, -1.0}), otae::InvalidArgument);
  EXPECT_THROW(nn::minkowski_layer(at::zeros({2, 8}), {0.0, 0.0}), otae::InvalidArgument);
}

TEST(OtusGenerator, ZeeShapeAndMassShell) {
  nn::OtusGenerator g(nn::OtusGeneratorOptions(), unit_statistics(2, 2));
  const at::Tensor v = g->forward(random_events(64, 2, 1));
  ASSERT_EQ(v.sizes(), (std::vector<int64_t>{64, 8}));
  const at::Tensor objects = v.view({64, 2, 4}).to(at::kDouble);
  const at::Tensor m2 = objects.select(2, 3).pow(2) - objects.narrow(2, 0, 3).pow(2).sum(2);
  EXPECT_LT(m2.abs().max().item<double>(), 1e-2);  // float32 rounding of E² at ~100 GeV
}

TEST(OtusGenerator, TtbarResidualShapesAndMasses) {
  const auto options = nn::OtusGeneratorOptions()
                           .input_objects(6)
                           .output_objects(6)
                           .output_masses({0, 0, 4.7, 4.7, 0, 0})
                           .architecture(nn::GeneratorArchitecture::kResidual)
                           .hidden(64)
                           .noise(nn::GeneratorNoise::kFixed)
                           .input_residual(true);
  nn::OtusGenerator g(options, unit_statistics(6, 6));
  g->eval();
  const at::Tensor v = g->forward(random_events(32, 6, 2)).view({32, 6, 4}).to(at::kDouble);
  const at::Tensor m = (v.select(2, 3).pow(2) - v.narrow(2, 0, 3).pow(2).sum(2)).clamp_min(0).sqrt();
  EXPECT_NEAR(m.select(1, 2).mean().item<double>(), 4.7, 0.05);
  EXPECT_NEAR(m.select(1, 0).max().item<double>(), 0.0, 0.2);
  EXPECT_EQ(g->named_parameters().size(), 2u * 4 + 2u * 2);  // 4 Linear and 2 BatchNorm, no noise network
}

TEST(OtusGenerator, InputResidualAddsTheInputMomentum) {
  const auto options = nn::OtusGeneratorOptions().noise(nn::GeneratorNoise::kFixed).input_residual(true);
  nn::OtusGenerator g(options, unit_statistics(2, 2));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : g->named_parameters())
      if (p.key().rfind("output", 0) == 0) p.value().zero_();
  }
  const at::Tensor u = random_events(16, 2, 3);
  const at::Tensor v = g->forward(u);
  for (int64_t object = 0; object < 2; ++object)
    EXPECT_TRUE(at::allclose(v.narrow(1, 4 * object, 3), u.narrow(1, 4 * object, 3), 1e-5, 1e-4));
}

TEST(OtusGenerator, RelativeResidualStartsAsTheIdentityAndScalesEachComponent) {
  const auto options = nn::OtusGeneratorOptions().input_residual(true).relative_residual(true);
  nn::OtusGenerator g(options, unit_statistics(2, 2));
  const at::Tensor u = random_events(16, 2, 5);
  const at::Tensor v = g->forward(u);
  for (int64_t object = 0; object < 2; ++object)
    EXPECT_TRUE(at::allclose(v.narrow(1, 4 * object, 3), u.narrow(1, 4 * object, 3), 1e-6, 1e-5));
  // a bias of 0.02 on every output: each component of each object grows by 2 %, E = |p| with it
  {
    torch::NoGradGuard no_grad;
    for (auto& p : g->named_parameters())
      if (p.key() == "output.bias") p.value().fill_(0.02);
  }
  const at::Tensor w = g->forward(u).view({16, 2, 4});
  const at::Tensor p = u.view({16, 2, 4}).narrow(2, 0, 3);
  EXPECT_TRUE(at::allclose(w.narrow(2, 0, 3), 1.02 * p, 1e-5, 1e-4));
  EXPECT_TRUE(at::allclose(w.select(2, 3), 1.02 * p.norm(2, {2}), 1e-5, 1e-3));
  EXPECT_THROW(nn::OtusGenerator(nn::OtusGeneratorOptions().relative_residual(true), unit_statistics(2, 2)),
               otae::InvalidArgument);
}

/// Random weights in the output layer, so that an identity-initialised generator predicts something.
void randomise_output(nn::OtusGenerator& g, double scale) {
  torch::NoGradGuard no_grad;
  for (auto& p : g->named_parameters())
    if (p.key().rfind("output", 0) == 0) p.value().copy_(at::randn(p.value().sizes()) * scale);
}

TEST(OtusGenerator, SharedResponseKeepsEveryDirection) {
  const auto options = nn::OtusGeneratorOptions().input_residual(true).relative_residual(true).shared_response(true);
  nn::OtusGenerator g(options, unit_statistics(2, 2));
  randomise_output(g, 0.05);
  const at::Tensor u = random_events(64, 2, 6);
  const at::Tensor v = g->forward(u).view({64, 2, 4}).narrow(2, 0, 3).to(at::kDouble);
  const at::Tensor p = u.view({64, 2, 4}).narrow(2, 0, 3).to(at::kDouble);
  // parallel: |p × v| = 0 relative to |p||v|, and the responses differ from event to event
  const at::Tensor sine = at::linalg_cross(p, v, 2).norm(2, {2}) / (p.norm(2, {2}) * v.norm(2, {2}));
  EXPECT_LT(sine.max().item<double>(), 1e-6);
  const at::Tensor response = (v.norm(2, {2}) / p.norm(2, {2})).flatten();
  EXPECT_GT(response.std().item<double>(), 1e-3);
  EXPECT_THROW(nn::OtusGenerator(nn::OtusGeneratorOptions().input_residual(true).shared_response(true),
                                 unit_statistics(2, 2)),
               otae::InvalidArgument);
}

// The tt̄ detector side (e-, MET, jet1..jet4): missing momentum (px, py, 0, |pT|), massless jets
// ordered by falling pT, whatever the network predicts.
TEST(OtusGenerator, TtbarDetectorStructureByConstruction) {
  const auto options = nn::OtusGeneratorOptions()
                           .input_objects(6)
                           .output_objects(6)
                           .output_masses({0, 0, 0, 0, 0, 0})
                           .architecture(nn::GeneratorArchitecture::kResidual)
                           .hidden(64)
                           .noise(nn::GeneratorNoise::kFixed)
                           .input_residual(true)
                           .missing_momentum({1})
                           .pt_ordered({2, 3, 4, 5});
  nn::OtusGenerator g(options, unit_statistics(6, 6));
  randomise_output(g, 1.0);
  const at::Tensor u = random_events(256, 6, 8).requires_grad_(true);
  const at::Tensor out = g->forward(u);
  const at::Tensor v = out.view({256, 6, 4}).to(at::kDouble);
  const at::Tensor met = v.select(1, 1);
  EXPECT_EQ(met.select(1, 2).abs().max().item<double>(), 0.0);
  const at::Tensor met_pt = met.narrow(1, 0, 2).norm(2, {1});
  EXPECT_LT((met.select(1, 3) - met_pt).abs().max().item<double>(), 1e-3);
  const at::Tensor jets = v.narrow(1, 2, 4);
  const at::Tensor jet_p = jets.narrow(2, 0, 3).norm(2, {2});
  EXPECT_LT((jets.select(2, 3) - jet_p).abs().max().item<double>(), 1e-3);  // E = |p| [GeV]
  const at::Tensor jet_pt = jets.narrow(2, 0, 2).norm(2, {2});
  EXPECT_TRUE((jet_pt.narrow(1, 0, 3) >= jet_pt.narrow(1, 1, 3)).all().item<bool>());
  // the input jets, which the residual starts from, are out of order: the ordering is the layer's
  const at::Tensor input_pt = u.detach().view({256, 6, 4}).narrow(1, 2, 4).narrow(2, 0, 2).norm(2, {2});
  EXPECT_FALSE((input_pt.narrow(1, 0, 3) >= input_pt.narrow(1, 1, 3)).all().item<bool>());
  out.sum().backward();
  EXPECT_TRUE(at::isfinite(u.grad()).all().item<bool>());

  auto bad = options;
  EXPECT_THROW(nn::OtusGenerator(bad.missing_momentum({6}), unit_statistics(6, 6)), otae::InvalidArgument);
  bad = options;
  EXPECT_THROW(nn::OtusGenerator(bad.missing_momentum({2}), unit_statistics(6, 6)), otae::InvalidArgument);
  bad = options;
  EXPECT_THROW(nn::OtusGenerator(bad.output_masses({0, 1, 0, 0, 0, 0}), unit_statistics(6, 6)), otae::InvalidArgument);
}

TEST(OtusGenerator, ConditionalNoiseStartsWithSoftplusOfOne) {
  nn::OtusGenerator g(nn::OtusGeneratorOptions(), unit_statistics(2, 2));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : g->named_parameters())
      if (p.key() == "noise_out.weight") p.value().zero_();
  }
  const at::Tensor noise = g->draw_noise(random_events(20000, 2, 4));
  const double sigma = torch::nn::functional::softplus(at::ones({1})).item<double>();
  EXPECT_NEAR(noise.mean().item<double>(), 1.0, 0.02);  // μ starts at the bias, 1
  EXPECT_NEAR(noise.std().item<double>(), sigma, 0.02);
}

nn::OtusGeneratorOptions calorimeter_options() {
  return nn::OtusGeneratorOptions()
      .input_residual(true)
      .relative_residual(true)
      .shared_response(true)
      .noise(nn::GeneratorNoise::kCalorimeter);
}

/// Events of two massless objects along fixed directions with energies e0, e1 [GeV].
at::Tensor two_objects(int64_t rows, double e0, double e1) {
  const double s = std::sqrt(1.0 / 3.0);
  return at::tensor({e0 * s, e0 * s, e0 * s, e0, -e1 * 0.6, 0.0, e1 * 0.8, e1}, at::kFloat).repeat({rows, 1});
}

// s(E) = √(a² + b²/E + c²/E²): with (a, b, c) = (0.01, 0.1 GeV^½, 0.5 GeV), s(25 GeV) = 0.03 and
// s(100 GeV) = 0.015, measured as the standard deviation of the response over 40,000 events.
TEST(OtusGenerator, CalorimeterNoiseFollowsTheResolutionFormula) {
  const auto options = calorimeter_options().resolution_start({0.01, 0.1, 0.5}).tail_fraction_start(1e-6);
  nn::OtusGenerator g(options, unit_statistics(2, 2));
  const at::Tensor u = two_objects(40000, 25.0, 100.0);
  EXPECT_TRUE(at::allclose(g->resolution(u.narrow(0, 0, 1)), at::tensor({0.03f, 0.015f}).view({1, 2}), 1e-4, 1e-6));
  at::manual_seed(3);
  const at::Tensor v = g->forward(u).view({40000, 2, 4}).to(at::kDouble);
  const at::Tensor response = v.select(2, 3) / u.view({40000, 2, 4}).select(2, 3).to(at::kDouble);  // [N, 2]
  EXPECT_NEAR(response.select(1, 0).std().item<double>(), 0.030, 0.0006);
  EXPECT_NEAR(response.select(1, 1).std().item<double>(), 0.015, 0.0003);
  EXPECT_NEAR(response.mean().item<double>(), 1.0, 5e-4);  // μ starts at 0: the identity on average
  // the direction is kept: p_out ∥ p_in for every event
  const at::Tensor p = u.view({40000, 2, 4}).narrow(2, 0, 3).to(at::kDouble), q = v.narrow(2, 0, 3);
  EXPECT_LT((at::linalg_cross(p, q, 2).norm(2, {2}) / (p.norm(2, {2}) * q.norm(2, {2}))).max().item<double>(), 1e-6);
}

// The tail: a fraction f of events loses an Exp(1)·|λ| share of its energy, the rest none.
TEST(OtusGenerator, CalorimeterTailHasTheLearntFractionAndScale) {
  const auto options =
      calorimeter_options().resolution_start({1e-7, 1e-7, 1e-7}).tail_fraction_start(0.1).tail_scale_start(-0.05);
  nn::OtusGenerator g(options, unit_statistics(2, 2));
  EXPECT_NEAR(g->tail_fraction()[0].item<double>(), 0.1, 1e-6);
  at::manual_seed(4);
  const at::Tensor u = two_objects(40000, 50.0, 50.0);
  const at::Tensor loss = 1 - g->forward(u).view({40000, 2, 4}).select(2, 3).to(at::kDouble) / 50.0;  // ≥ 0
  const at::Tensor in_tail = loss > 1e-5;
  EXPECT_NEAR(in_tail.to(at::kDouble).mean().item<double>(), 0.10, 0.005);  // σ of the fraction: 0.0011
  EXPECT_NEAR(loss.masked_select(in_tail).mean().item<double>(), 0.05, 0.002);
  EXPECT_GT(loss.min().item<double>(), -1e-5);  // one-sided
}

// The gradients of the resolution and tail parameters against central finite differences, with
// the noise held fixed: d/dθ of Σ δ², δ = E_out/E_in − 1, for θ = ln a, ln c, logit f.
TEST(OtusGenerator, CalorimeterParametersHaveFiniteDifferenceGradients) {
  nn::OtusGenerator g(calorimeter_options().resolution_start({0.02, 0.2, 0.5}).tail_fraction_start(0.3),
                      unit_statistics(2, 2));
  const at::Tensor u = at::cat({two_objects(8, 20.0, 60.0), two_objects(8, 35.0, 140.0)}, 0);
  at::manual_seed(5);
  const at::Tensor noise = g->draw_noise(u).to(at::kDouble);
  ASSERT_EQ(noise.sizes(), (std::vector<int64_t>{16, 4}));
  const at::Tensor energy_in = u.view({16, 2, 4}).select(2, 3).to(at::kDouble);
  auto value = [&] {
    return (g->forward_with_noise(u, noise).view({16, 2, 4}).select(2, 3).to(at::kDouble) / energy_in - 1).pow(2).sum();
  };
  value().backward();
  std::map<std::string, at::Tensor> params;
  for (auto& p : g->named_parameters()) params[p.key()] = p.value();
  for (const auto& [name, index] : {std::pair{"log_resolution", std::vector<int64_t>{0, 0}},
                                    std::pair{"log_resolution", std::vector<int64_t>{0, 2}},
                                    std::pair{"tail_logit", std::vector<int64_t>{1}}}) {
    at::Tensor p = params.at(name);
    auto at_index = [&](const at::Tensor& t) { return index.size() == 2 ? t[index[0]][index[1]] : t[index[0]]; };
    const double analytic = at_index(p.grad()).item<double>();
    const double h = 1e-4, start = at_index(p.detach()).item<double>();
    double up, down;
    {
      torch::NoGradGuard no_grad;
      at::Tensor element = at_index(p.detach());  // shares p's storage
      element.fill_(start + h);
      up = value().item<double>();
      element.fill_(start - h);
      down = value().item<double>();
      element.fill_(start);
    }
    const double numeric = (up - down) / (2 * h);
    EXPECT_NE(analytic, 0.0) << name;
    EXPECT_NEAR(analytic, numeric, 0.02 * std::abs(numeric) + 1e-5) << name;
  }
  EXPECT_THROW(nn::OtusGenerator(nn::OtusGeneratorOptions().noise(nn::GeneratorNoise::kCalorimeter), unit_statistics(2, 2)),
               otae::InvalidArgument);  // needs a shared response
  EXPECT_THROW(nn::OtusGenerator(calorimeter_options().resolution_start({0.01, -0.1, 0.5}), unit_statistics(2, 2)),
               otae::InvalidArgument);
  EXPECT_THROW(nn::OtusGenerator(calorimeter_options().tail_fraction_start(1.0), unit_statistics(2, 2)),
               otae::InvalidArgument);
  nn::OtusGenerator conditional(nn::OtusGeneratorOptions(), unit_statistics(2, 2));
  EXPECT_THROW(conditional->resolution(u), otae::InvalidArgument);
  EXPECT_EQ(nn::parse_generator_noise("calorimeter"), nn::GeneratorNoise::kCalorimeter);
}

// object_wise: an object's response depends on that object alone; with the whole event in the core
// network, changing the e+ moves the e- too.
TEST(OtusGenerator, ObjectWiseResponseSeesOnlyItsObject) {
  for (bool object_wise : {true, false}) {
    nn::OtusGenerator g(calorimeter_options().object_wise(object_wise), unit_statistics(2, 2));
    randomise_output(g, 0.05);
    const at::Tensor u = random_events(32, 2, 9).abs();
    at::Tensor w = u.clone();
    w.narrow(1, 4, 4).mul_(1.7);  // another e+
    const at::Tensor noise = g->draw_noise(u);
    const at::Tensor a = g->forward_with_noise(u, noise), b = g->forward_with_noise(w, noise);
    const double e_minus_change = (a.narrow(1, 0, 4) - b.narrow(1, 0, 4)).abs().max().item<double>();
    const double e_plus_change = (a.narrow(1, 4, 4) - b.narrow(1, 4, 4)).abs().max().item<double>();
    EXPECT_GT(e_plus_change, 1.0) << object_wise;
    if (object_wise)
      EXPECT_EQ(e_minus_change, 0.0);
    else
      EXPECT_GT(e_minus_change, 1e-4);
  }
  EXPECT_THROW(nn::OtusGenerator(nn::OtusGeneratorOptions().object_wise(true), unit_statistics(2, 2)),
               otae::InvalidArgument);  // needs calorimeter or fixed noise
}

// object_wise with fixed noise: each object's response is a function of its own E, |η| and its own
// noise values only; the same object with the same noise responds the same in any event.
TEST(OtusGenerator, ObjectWiseFixedNoiseSeesOnlyItsObjectAndItsNoise) {
  const auto options = calorimeter_options().noise(nn::GeneratorNoise::kFixed).object_wise(true).noise_dimension(4);
  nn::OtusGenerator g(options, unit_statistics(2, 2));
  randomise_output(g, 0.05);
  const at::Tensor u = random_events(32, 2, 9).abs();
  at::Tensor w = u.clone();
  w.narrow(1, 4, 4).mul_(1.7);  // another e+
  const at::Tensor noise = g->draw_noise(u);
  ASSERT_EQ(noise.size(1), 4);
  at::Tensor other_noise = noise.clone();
  other_noise.narrow(1, 2, 2).normal_();  // the e+'s share only
  const at::Tensor a = g->forward_with_noise(u, noise), b = g->forward_with_noise(w, other_noise);
  EXPECT_EQ((a.narrow(1, 0, 4) - b.narrow(1, 0, 4)).abs().max().item<double>(), 0.0);
  EXPECT_GT((a.narrow(1, 4, 4) - b.narrow(1, 4, 4)).abs().max().item<double>(), 1.0);
  // its own noise moves it: the response is stochastic
  at::Tensor own = noise.clone();
  own.narrow(1, 0, 2).normal_();
  EXPECT_GT((g->forward_with_noise(u, own).narrow(1, 0, 4) - a.narrow(1, 0, 4)).abs().max().item<double>(), 1e-4);
  EXPECT_THROW(nn::OtusGenerator(nn::OtusGeneratorOptions(options).noise_dimension(3), unit_statistics(2, 2)),
               otae::InvalidArgument);
}

// object_angles: the output object is the input's at pT·(1 + δ), (η + Δη, φ + Δφ). With the output
// layer's bias alone set, every object gets the same (δ, Δη, Δφ), read back from the momenta.
TEST(OtusGenerator, ObjectAnglesMoveTheDirectionAndScalePt) {
  const auto options = calorimeter_options().noise(nn::GeneratorNoise::kFixed).object_wise(true).noise_dimension(4)
                           .object_angles(true);
  nn::OtusGenerator g(options, unit_statistics(2, 2));
  const at::Tensor u = two_objects(5, 30.0, 70.0);
  const at::Tensor noise = g->draw_noise(u);
  EXPECT_LT((g->forward_with_noise(u, noise) - u).abs().max().item<double>(), 1e-4);  // starts as the identity
  {
    torch::NoGradGuard no_grad;
    g->named_parameters()["output.bias"].copy_(at::tensor({0.1, 0.2, -0.3}, at::kFloat));
  }
  const at::Tensor in = u.view({5, 2, 4}).to(at::kDouble), out = g->forward_with_noise(u, noise).view({5, 2, 4}).to(at::kDouble);
  auto pt = [](const at::Tensor& o) { return o.narrow(2, 0, 2).pow(2).sum(2).sqrt(); };
  auto eta = [&](const at::Tensor& o) { return at::asinh(o.select(2, 2) / pt(o)); };
  auto phi = [](const at::Tensor& o) { return at::atan2(o.select(2, 1), o.select(2, 0)); };
  EXPECT_LT((pt(out) / pt(in) - 1.1).abs().max().item<double>(), 1e-5);
  EXPECT_LT((eta(out) - eta(in) - 0.2).abs().max().item<double>(), 1e-5);
  EXPECT_LT((phi(out) - phi(in) + 0.3).abs().max().item<double>(), 1e-5);
  EXPECT_THROW(nn::OtusGenerator(nn::OtusGeneratorOptions().object_angles(true), unit_statistics(2, 2)),
               otae::InvalidArgument);  // needs object_wise
}

// object_identity: two identical objects in different slots respond differently once the network
// weighs the slot's one-hot; without it they cannot.
TEST(OtusGenerator, ObjectIdentityLetsEachSlotRespondOnItsOwn) {
  for (bool identity : {false, true}) {
    const auto options = calorimeter_options().noise(nn::GeneratorNoise::kFixed).object_wise(true)
                             .noise_dimension(4).object_identity(identity);
    nn::OtusGenerator g(options, unit_statistics(2, 2));
    randomise_output(g, 0.05);
    const double c = 50.0 / std::sqrt(3.0);  // back to back: the same E and |η|
    const at::Tensor u = at::tensor({c, c, c, 50.0, -c, -c, -c, 50.0}, at::kFloat).repeat({4, 1});
    const at::Tensor noise = at::zeros({4, 4});
    const at::Tensor e = g->forward_with_noise(u, noise).view({4, 2, 4}).select(2, 3);
    const double difference = (e.select(1, 0) - e.select(1, 1)).abs().max().item<double>();
    if (identity)
      EXPECT_GT(difference, 1e-3);
    else
      EXPECT_LT(difference, 1e-4);
  }
  EXPECT_THROW(nn::OtusGenerator(nn::OtusGeneratorOptions().object_identity(true), unit_statistics(2, 2)),
               otae::InvalidArgument);
}

// residual_pt_ordered: with a network that adds nothing (zero output layer), the pt_ordered outputs
// are the input's objects in the same slots sorted by pT, whatever order the input lists them in.
TEST(OtusGenerator, ResidualStartsFromTheInputSortedByPt) {
  const auto options = nn::OtusGeneratorOptions()
                           .input_objects(3)
                           .output_objects(3)
                           .output_masses({0, 0, 0})
                           .noise(nn::GeneratorNoise::kFixed)
                           .input_residual(true)
                           .relative_residual(true)
                           .pt_ordered({1, 2})
                           .residual_pt_ordered(true);
  nn::OtusGenerator g(options, unit_statistics(3, 3));
  // object 1 softer than object 2: pT 10 against 40 GeV
  const at::Tensor u = at::tensor(std::vector<float>{5, 0, 1, 0, 10, 0, 2, 0, 0, 40, 3, 0}).view({1, 12});
  const at::Tensor v = g->forward(u).view({1, 3, 4});
  EXPECT_FLOAT_EQ(v[0][1][1].item<float>(), 40.0f);  // the harder one first
  EXPECT_FLOAT_EQ(v[0][2][0].item<float>(), 10.0f);
  EXPECT_FLOAT_EQ(v[0][0][0].item<float>(), 5.0f);   // not listed: untouched
  EXPECT_THROW(nn::OtusGenerator(nn::OtusGeneratorOptions().residual_pt_ordered(true), unit_statistics(2, 2)),
               otae::InvalidArgument);
}

TEST(OtusGenerator, SameSeedSameEvents) {
  nn::OtusGenerator g(nn::OtusGeneratorOptions(), unit_statistics(2, 2));
  const at::Tensor u = random_events(100, 2, 5);
  at::manual_seed(7);
  const at::Tensor first = g->forward(u);
  at::manual_seed(7);
  EXPECT_TRUE(at::equal(first, g->forward(u)));
  EXPECT_FALSE(at::equal(first, g->forward(u)));  // the noise moves on
}

TEST(OtusGenerator, ExplicitGeneratorIgnoresTheGlobalSeed) {
  // residual architecture with conditional noise: every kind of layer, and draws in forward
  const auto options = nn::OtusGeneratorOptions().architecture(nn::GeneratorArchitecture::kResidual).hidden(16);
  at::manual_seed(1);
  nn::OtusGenerator a(options, unit_statistics(2, 2), at::make_generator<at::CPUGeneratorImpl>(3));
  at::manual_seed(2);
  nn::OtusGenerator b(options, unit_statistics(2, 2), at::make_generator<at::CPUGeneratorImpl>(3));
  at::manual_seed(3);  // the global generator seeded alike starts the same network
  nn::OtusGenerator global(options, unit_statistics(2, 2));
  const auto pa = a->parameters(), pb = b->parameters(), pg = global->parameters();
  ASSERT_EQ(pa.size(), pg.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_TRUE(at::equal(pa[i], pb[i])) << i;
    EXPECT_TRUE(at::equal(pa[i], pg[i])) << i;
  }
  a->eval();
  const at::Tensor u = random_events(100, 2, 5);
  at::Generator noise = at::make_generator<at::CPUGeneratorImpl>(7), same = at::make_generator<at::CPUGeneratorImpl>(7);
  at::manual_seed(4);
  const at::Tensor first = a->forward(u, noise);
  at::manual_seed(5);
  EXPECT_TRUE(at::equal(first, a->forward(u, same)));
  at::manual_seed(7);  // and as the global generator seeded alike draws
  EXPECT_TRUE(at::equal(first, a->forward(u)));
  EXPECT_FALSE(at::equal(first, a->forward(u, noise)));  // the stream moves on
}

TEST(OtusGenerator, RejectsBadOptionsAndInputs) {
  EXPECT_THROW(nn::OtusGenerator(nn::OtusGeneratorOptions().output_objects(3), unit_statistics(2, 3)),
               otae::InvalidArgument);  // two masses for three objects
  EXPECT_THROW(nn::OtusGenerator(nn::OtusGeneratorOptions().input_objects(6).input_residual(true), unit_statistics(6, 2)),
               otae::InvalidArgument);
  EXPECT_THROW(nn::OtusGenerator(nn::OtusGeneratorOptions(), unit_statistics(3, 2)), otae::InvalidArgument);
  nn::OtusGenerator g(nn::OtusGeneratorOptions(), unit_statistics(2, 2));
  EXPECT_THROW(g->forward(at::zeros({4, 12})), otae::InvalidArgument);
  EXPECT_THROW(g->forward_with_noise(at::zeros({4, 8}), at::zeros({4, 5})), otae::InvalidArgument);
  EXPECT_THROW(nn::parse_generator_noise("gaussian"), otae::InvalidArgument);
}

}  // namespace
