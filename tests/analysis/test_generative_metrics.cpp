// JetNet's generative metrics: the relative features against hand-made jets, the W1 batches
// against samples whose distance is known exactly, FPD against the Fréchet distance of two known
// Gaussians, the unbiased MMD² against its double sum, determinism, and the errors on bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "otae/analysis/generative_metrics.hpp"
#include "otae/base/error.hpp"
#include "otae/physics/kinematics.hpp"
#include "../support/error_message.hpp"

namespace otae::analysis {
namespace {

/// Two jets of three particles (pT [GeV], η, φ), the second crossing φ = ±π, and one padding row.
at::Tensor two_jets() {
  return at::tensor({300.f, 0.1f, 0.2f, 150.f, -0.2f, 0.4f, 50.f, 0.3f, -0.1f, 0.f, 0.f, 0.f,  //
                     200.f, 1.0f, 3.1f, 100.f, 1.2f, -3.1f, 20.f, 0.9f, 3.0f, 0.f, 0.f, 0.f},
                    at::kFloat)
      .view({2, 4, 3});
}

/// Features whose every jet has the same mass, particles and EFPs: W1 between two such samples
/// is the difference of the constants whatever rows are drawn.
JetNetFeatures constant_features(double value, int64_t jets = 10) {
  JetNetFeatures f;
  f.particles = at::full({jets, 2, 3}, value, at::kDouble);
  f.mask = at::ones({jets, 2}, at::kBool);
  f.mask.select(1, 1).fill_(false);
  f.particles.select(1, 1).fill_(-100.0);  // padding: must never be compared
  f.mass = at::full({jets}, value, at::kDouble);
  f.efps = at::full({jets, physics::kEfpCount}, value, at::kDouble);
  return f;
}

/// Whether `call` throws InvalidArgument with `part` in its message.
::testing::AssertionResult refuses(const std::function<void()>& call, const std::string& part) {
  const std::string message = otae::testing::message_of<InvalidArgument>(call);
  if (message.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "message '" << message << "' lacks '" << part << "'";
}

GenerativeMetricsOptions quick() {
  return GenerativeMetricsOptions()
      .samples(2000)
      .batches(3)
      .fpd_min_samples(1000)
      .fpd_max_samples(3000)
      .fpd_points(5)
      .fpd_batches(4)
      .kpd_samples(300)
      .kpd_batches(5);
}

TEST(JetNetFeatures, AreRelativeToTheJetsFourMomentum) {
  const at::Tensor jets = two_jets();
  const JetNetFeatures f = jetnet_features(jets, "test");
  for (int64_t j = 0; j < 2; ++j) {
    physics::FourMomentum total;
    for (int64_t i = 0; i < 3; ++i)
      total += physics::from_pt_eta_phi_m(jets[j][i][0].item<float>(), jets[j][i][1].item<float>(),
                                          jets[j][i][2].item<float>());
    const double pt = physics::pt(total);
    EXPECT_NEAR(f.mass[j].item<double>(), physics::invariant_mass(total) / pt, 1e-12);
    for (int64_t i = 0; i < 3; ++i) {
      EXPECT_NEAR(f.particles[j][i][0].item<double>(), jets[j][i][1].item<float>() - physics::rapidity(total), 1e-12);
      EXPECT_NEAR(f.particles[j][i][1].item<double>(),
                  physics::wrap_phi(jets[j][i][2].item<float>() - physics::phi(total)), 1e-12);
      EXPECT_NEAR(f.particles[j][i][2].item<double>(), jets[j][i][0].item<float>() / pt, 1e-12);
    }
    EXPECT_FALSE(f.mask[j][3].item<bool>());
    EXPECT_EQ(f.particles[j][3].abs().sum().item<double>(), 0.0);
    EXPECT_DOUBLE_EQ(f.efps[j][0].item<double>(), 1.0);  // the d = 0 graph
  }
  EXPECT_LT(std::abs(f.particles[1][1][1].item<double>()), 0.5);  // φ wrapped across ±π
}

TEST(JetNetFeatures, OfNormalisedCentredJetsEqualThoseOfRawJets) {
  at::Tensor scaled = two_jets().clone();
  scaled.select(2, 0).div_(scaled.select(2, 0).sum(1, true));
  scaled.select(2, 1).sub_(0.5);
  const JetNetFeatures raw = jetnet_features(two_jets(), "raw"), normalised = jetnet_features(scaled, "normalised");
  EXPECT_TRUE(at::allclose(raw.mass, normalised.mass, 1e-5, 1e-7));
  EXPECT_TRUE(at::allclose(raw.particles, normalised.particles, 1e-5, 1e-6));
  EXPECT_TRUE(at::allclose(raw.efps, normalised.efps, 1e-5, 1e-7));
}

TEST(JetNetFeatures, NameTheSampleAndTheJetOfBadInput) {
  at::Tensor jets = two_jets();
  jets[1][2][1] = NAN;
  EXPECT_TRUE(refuses([&] { jetnet_features(jets, "gen.h5:particles"); }, "gen.h5:particles: jet 1 particle 2"));
  at::Tensor empty = two_jets();
  empty[0].select(1, 0).fill_(0);
  EXPECT_TRUE(refuses([&] { jetnet_features(empty, "real.h5"); }, "real.h5: jet 0 has no particle"));
  EXPECT_TRUE(refuses([&] { jetnet_features(at::zeros({2, 4}), "x"); }, "x: jets must be [N, M, 3]"));
  EXPECT_TRUE(refuses([&] { jetnet_features(two_jets().narrow(0, 0, 1), "x"); }, "N >= 2"));
}

TEST(W1Metrics, OfConstantSamplesAreTheirDifferenceWithoutSpread) {
  const JetNetFeatures a = constant_features(0.25), b = constant_features(1.0, 7);
  const MetricValue m = w1m(a, b, quick());
  EXPECT_NEAR(m.value, 0.75, 1e-12);
  EXPECT_EQ(m.error, 0.0);
  for (const MetricValue& p : w1p(a, b, quick())) EXPECT_NEAR(p.value, 0.75, 1e-12);  // padding (−100) left out
  for (const MetricValue& e : w1efp(a, b, quick())) EXPECT_NEAR(e.value, 0.75, 1e-12);
}

TEST(W1Metrics, MeanAndSpreadOverBatchesOfGaussianMasses) {
  // masses N(0, 1) against N(0.5, 1): W1 of the laws is 0.5; each batch estimates it with
  // an error O(1/√samples).
  at::manual_seed(1);
  JetNetFeatures a = constant_features(0, 20000), b = constant_features(0, 20000);
  a.mass = at::randn({20000}, at::kDouble);
  b.mass = at::randn({20000}, at::kDouble) + 0.5;
  const MetricValue m = w1m(a, b, GenerativeMetricsOptions().samples(20000).batches(5));
  EXPECT_NEAR(m.value, 0.5, 0.04);
  EXPECT_GT(m.error, 0.001);
  EXPECT_LT(m.error, 0.03);
}

TEST(Fpd, ExtrapolatesToTheFrechetDistanceOfTheGaussians) {
  at::manual_seed(2);
  const at::Tensor x = at::randn({40000, 3}, at::kDouble);
  const at::Tensor shift = at::tensor({0.3, 0.0, -0.2}, at::kDouble);
  const at::Tensor y = at::randn({40000, 3}, at::kDouble) + shift;
  // both are divided by the largest |x| per feature: the Gaussians' means move apart by shift/scale
  const at::Tensor scale = x.abs().amax(0);
  const double expected = (shift / scale).square().sum().item<double>();
  const MetricValue far = fpd(x, y, quick());
  EXPECT_NEAR(far.value, expected, 0.1 * expected);
  EXPECT_GT(far.error, 0.0);
  const MetricValue same = fpd(x, at::randn({40000, 3}, at::kDouble), quick());
  EXPECT_LT(same.value, 0.02 * expected);
}

TEST(PolynomialKernelMmd, IsTheUnbiasedDoubleSum) {
  at::manual_seed(4);
  const at::Tensor x = at::rand({7, 3}, at::kDouble), y = at::rand({5, 3}, at::kDouble) + 0.2;
  auto k = [](const at::Tensor& u, const at::Tensor& v) { return std::pow(at::dot(u, v).item<double>() / 3 + 1, 4); };
  double xx = 0, yy = 0, xy = 0;
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 7; ++j)
      if (i != j) xx += k(x[i], x[j]);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j)
      if (i != j) yy += k(y[i], y[j]);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 5; ++j) xy += k(x[i], y[j]);
  const double expected = xx / 42 + yy / 20 - 2 * xy / 35;
  EXPECT_NEAR(polynomial_kernel_mmd(x, y), expected, 1e-12 * std::abs(xx / 42));
  EXPECT_GT(std::abs(expected), 1e-3);
}

TEST(Kpd, IsNearZeroForOneLawAndPositiveForTwo) {
  at::manual_seed(5);
  const at::Tensor x = at::randn({5000, 4}, at::kDouble), same = at::randn({5000, 4}, at::kDouble);
  const at::Tensor shifted = at::randn({5000, 4}, at::kDouble) + 0.5;
  const MetricValue null = kpd(x, same, quick()), far = kpd(x, shifted, quick());
  EXPECT_GT(far.value, 10 * (std::abs(null.value) + null.error));
  EXPECT_GT(far.error, 0.0);
}

TEST(GenerativeMetrics, AreTheSameForTheSameSeedAndNotForAnother) {
  at::manual_seed(6);
  at::Tensor jets = at::rand({200, 6, 3}, at::kFloat);
  jets.select(2, 0).add_(0.1);
  const JetNetFeatures real = jetnet_features(jets.narrow(0, 0, 100), "real");
  const JetNetFeatures gen = jetnet_features(jets.narrow(0, 100, 100), "gen");
  const auto options = quick().samples(200).fpd_min_samples(50).fpd_max_samples(100).kpd_samples(50);
  const nlohmann::json once = to_json(generative_metrics(real, gen, options));
  const nlohmann::json twice = to_json(generative_metrics(real, gen, options));
  const nlohmann::json other = to_json(generative_metrics(real, gen, GenerativeMetricsOptions(options).seed(7)));
  for (const char* metric : {"w1m", "w1p_mean", "w1efp_mean", "fpd", "kpd"}) {
    EXPECT_EQ(once[metric], twice[metric]) << metric;
    EXPECT_NE(once[metric], other[metric]) << metric;
  }
  const GenerativeMetrics floor = truth_floor(real, options);
  EXPECT_GT(floor.w1m.value, 0.0);
  EXPECT_EQ(floor.seconds.size(), 5u);
}

TEST(GenerativeMetricsOptions, RefuseCountsThatCannotWork) {
  EXPECT_THROW(GenerativeMetricsOptions().samples(0).validate(), InvalidArgument);
  EXPECT_THROW(GenerativeMetricsOptions().fpd_min_samples(60000).validate(), InvalidArgument);
  EXPECT_THROW(GenerativeMetricsOptions().fpd_min_samples(50000).validate(), InvalidArgument);  // one size: no line
  EXPECT_THROW(GenerativeMetricsOptions().fpd_points(2).validate(), InvalidArgument);
  EXPECT_THROW(truth_floor(constant_features(0, 3)), InvalidArgument);
}

}  // namespace
}  // namespace otae::analysis
