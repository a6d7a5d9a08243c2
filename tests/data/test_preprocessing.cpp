// Jet preprocessing on tensors: validation messages, centring of jets straddling φ = ±π, pT/HT
// normalisation with padding, the EMD-VAE features, and the same on the embedded W jets.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "../support/error_message.hpp"
#include "otae/base/error.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/preprocessing.hpp"
#include "otae/physics/units.hpp"

namespace otae::data {
namespace {

using physics::kPi;

const std::string kWJets = std::string(OTAE_SOURCE_DIR) + "/samples/wjets_small.h5";

// Three jets of four rows: one straddling φ = ±π, one near φ = 1, one near φ = −π with padding.
at::Tensor three_jets() {
  return at::tensor({200.f, 0.30f, float(kPi - 0.10), 100.f, 0.10f, float(-kPi + 0.15), 50.f, 0.20f, 3.00f, 0.f, 0.f, 0.f,
                     300.f, -1.0f, 1.00f,  100.f, -1.2f, 1.30f,  0.f, 0.f, 0.f,  0.f, 0.f, 0.f,
                     10.f,  2.0f, -3.10f, 30.f, 2.1f, 3.05f, 20.f, 1.9f, -2.90f, 0.f, 0.f, 0.f})
      .reshape({3, 4, 3});
}

// Σ pT·column / Σ pT per jet, [N] float64.
at::Tensor weighted_mean(const at::Tensor& jets, int64_t column) {
  const at::Tensor pt = jets.select(2, 0).to(at::kDouble);
  return (pt * jets.select(2, column).to(at::kDouble)).sum(1) / pt.sum(1);
}

constexpr auto message_of = &otae::testing::message_of<InvalidArgument>;

TEST(CheckJets, AcceptsGoodJets) { EXPECT_NO_THROW(check_jets(three_jets())); }

TEST(CheckJets, RejectsWrongShapesNamingWhatWasReceived) {
  EXPECT_NE(message_of([] { check_jets(at::zeros({3, 4}), "wjets"); }).find("[3, 4]"), std::string::npos);
  EXPECT_NE(message_of([] { check_jets(at::ones({3, 4, 4})); }).find("[3, 4, 4]"), std::string::npos);
  EXPECT_THROW(check_jets(at::ones({0, 4, 3})), InvalidArgument);
  EXPECT_THROW(check_jets(at::ones({2, 4, 3}, at::kLong)), InvalidArgument);
  EXPECT_THROW(check_jets(at::Tensor()), InvalidArgument);
}

TEST(CheckJets, NamesTheJetAndParticleOfANaN) {
  at::Tensor jets = three_jets();
  jets[1][1][2] = NAN;
  const std::string message = message_of([&] { check_jets(jets, "wjets.h5/particles"); });
  EXPECT_NE(message.find("wjets.h5/particles"), std::string::npos) << message;
  EXPECT_NE(message.find("jet 1, particle 1"), std::string::npos) << message;
  EXPECT_NE(message.find("phi"), std::string::npos) << message;
}

TEST(CheckJets, RejectsNegativePtAndEmptyJets) {
  at::Tensor negative = three_jets();
  negative[2][0][0] = -1.0f;
  EXPECT_NE(message_of([&] { check_jets(negative); }).find("negative pT"), std::string::npos);
  at::Tensor empty = three_jets();
  empty[1].select(1, 0).zero_();
  EXPECT_NE(message_of([&] { check_jets(empty); }).find("jet 1 is empty"), std::string::npos);
}

TEST(PreprocessJets, CentresEveryJetIncludingThoseStraddlingPhiPi) {
  const PreprocessedJets out = preprocess_jets(three_jets(), JetPreprocessing().normalise_pt(false));
  EXPECT_TRUE(at::allclose(weighted_mean(out.particles, 1), at::zeros({3}, at::kDouble), 0, 1e-6));
  EXPECT_TRUE(at::allclose(weighted_mean(out.particles, 2), at::zeros({3}, at::kDouble), 0, 1e-6));
  // The straddling jet stays compact: its particles lie within 0.3 of the axis, not 2π − 0.25 apart.
  EXPECT_LT(out.particles[0].narrow(0, 0, 3).select(1, 2).abs().max().item<float>(), 0.3f);
  // Unrolled around π the offsets are −0.1, +0.15, −0.1416 (pT 200, 100, 50): mean −0.0345.
  EXPECT_NEAR(out.particles[0][0][2].item<float>(), -0.0654868, 1e-5);
  EXPECT_LT(out.particles[2].narrow(0, 0, 3).select(1, 2).abs().max().item<float>(), 0.3f);
}

TEST(PreprocessJets, WrapsPhiIntoMinusPiToPi) {
  const PreprocessedJets out = preprocess_jets(three_jets());
  const at::Tensor phi = out.particles.select(2, 2).to(at::kDouble);
  EXPECT_TRUE((phi >= -kPi).all().item<bool>());
  EXPECT_TRUE((phi < kPi).all().item<bool>());
}

TEST(PreprocessJets, NormalisesToUnitSumKeepingHtAndPadding) {
  const at::Tensor raw = three_jets();
  const PreprocessedJets out = preprocess_jets(raw);
  EXPECT_TRUE(at::allclose(out.particles.select(2, 0).sum(1), at::ones({3}), 0, 1e-6));
  EXPECT_TRUE(at::equal(out.ht, at::tensor({350.f, 400.f, 60.f})));
  EXPECT_TRUE(at::allclose(out.ht.to(at::kDouble), jet_ht(raw)));
  // Padding rows stay exactly zero in every column.
  EXPECT_TRUE(at::equal(out.particles[0][3], at::zeros({3})));
  EXPECT_TRUE(at::equal(out.particles[1].narrow(0, 2, 2), at::zeros({2, 3})));
  EXPECT_TRUE(at::equal(raw, three_jets())) << "the copying version must leave its input alone";
}

TEST(PreprocessJets, CanSwitchEachStepOff) {
  const at::Tensor raw = three_jets();
  EXPECT_TRUE(at::equal(preprocess_jets(raw, JetPreprocessing().normalise_pt(false).centre(false)).particles, raw));
  const at::Tensor only_normalised = preprocess_jets(raw, JetPreprocessing().centre(false)).particles;
  EXPECT_TRUE(at::equal(only_normalised.narrow(2, 1, 2), raw.narrow(2, 1, 2)));
}

TEST(PreprocessJetsInPlace, WritesIntoTheGivenStorage) {
  at::Tensor jets = three_jets();
  const void* storage = jets.data_ptr();
  const at::Tensor ht = preprocess_jets_(jets);
  EXPECT_EQ(jets.data_ptr(), storage);
  EXPECT_NEAR(jets.select(2, 0).sum().item<float>(), 3.0f, 1e-5);
  EXPECT_FLOAT_EQ(ht[1].item<float>(), 400.f);
}

TEST(PreprocessJetsInPlace, RefusesWhatItCannotChangeInPlace) {
  at::Tensor float64 = three_jets().to(at::kDouble);
  EXPECT_NE(message_of([&] { preprocess_jets_(float64); }).find("preprocess_jets for a copy"), std::string::npos);
  at::Tensor strided = three_jets().transpose(0, 1);
  EXPECT_THROW(preprocess_jets_(strided), InvalidArgument);
}

TEST(NetworkFeatures, AreWeightEtaCosSinInThatOrder) {
  const at::Tensor features = network_features(three_jets());
  ASSERT_EQ(features.sizes(), (at::IntArrayRef{3, 4, 4}));
  EXPECT_EQ(features.scalar_type(), at::kFloat);
  const at::Tensor expected =
      at::tensor({300.f / 400.f, -1.0f, float(std::cos(1.0)), float(std::sin(1.0))});
  EXPECT_TRUE(at::allclose(features[1][0], expected, 1e-6, 1e-6)) << features[1][0];
}

TEST(NetworkFeatures, ZeroPaddingRowsAndIgnoreNormalisation) {
  const at::Tensor raw = three_jets();
  const at::Tensor features = network_features(raw);
  EXPECT_TRUE(at::equal(features[1].narrow(0, 2, 2), at::zeros({2, 4}))) << "cos φ of padding would be 1";
  EXPECT_TRUE(at::allclose(features.select(2, 0).sum(1), at::ones({3})));
  const at::Tensor normalised = preprocess_jets(raw, JetPreprocessing().centre(false)).particles;
  EXPECT_TRUE(at::allclose(network_features(normalised), features, 1e-6, 1e-7));
}

TEST(NetworkFeatures, RejectEmptyJetsAndWrongShapes) {
  at::Tensor jets = three_jets();
  jets[2].select(1, 0).zero_();
  EXPECT_NE(message_of([&] { network_features(jets); }).find("jet 2"), std::string::npos);
  EXPECT_THROW(network_features(at::ones({4, 3})), InvalidArgument);
}

TEST(EmbeddedWJets, CentreAndNormaliseEveryJet) {
  const at::Tensor raw = read_jet_particles(kWJets);
  ASSERT_EQ(raw.sizes(), (at::IntArrayRef{4000, 50, 3}));
  const PreprocessedJets out = preprocess_jets(raw);
  EXPECT_TRUE(at::allclose(out.particles.select(2, 0).sum(1), at::ones({4000}), 0, 1e-5));
  EXPECT_LT(weighted_mean(out.particles, 1).abs().max().item<double>(), 1e-5);
  EXPECT_LT(weighted_mean(out.particles, 2).abs().max().item<double>(), 1e-5);
  // The jets have R = 1; a jet centred on the wrong side of the seam would put particles near ±π.
  const at::Tensor real = out.particles.select(2, 0) > 0;
  EXPECT_LT(out.particles.select(2, 2).masked_select(real).abs().max().item<float>(), 1.5f);
  EXPECT_TRUE(at::equal(out.particles.select(2, 1).masked_select(~real), at::zeros({(~real).sum().item<int64_t>()})));
  const double mean_ht = out.ht.to(at::kDouble).mean().item<double>();
  EXPECT_GT(mean_ht, 500.0);  // a jet's HT is at least a good part of its pT of 500–600 GeV
  EXPECT_LT(mean_ht, 700.0);
}

}  // namespace
}  // namespace otae::data
