// The EMD-VAE's modules: shapes, the paper's parameter count, what the encoder's padding mask
// and sum do, the decoder's outputs, and the Gaussian latent's KL and sampling.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>

#include "otae/base/error.hpp"
#include "otae/nn/dense_jet_decoder.hpp"
#include "otae/nn/dense_stack.hpp"
#include "otae/nn/dense_vae.hpp"
#include "otae/nn/emd_vae.hpp"
#include "otae/nn/gaussian_latent.hpp"
#include "otae/nn/particle_flow_encoder.hpp"

namespace otae::nn {
namespace {

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& p : module.parameters()) count += p.numel();
  return count;
}

/// Jets [B, N, 4] of (pT/HT, η, cos φ, sin φ) whose last `padding` rows are zero.
torch::Tensor jet_features(int64_t batch, int64_t particles, int64_t padding, uint64_t seed) {
  torch::manual_seed(seed);
  torch::Tensor pt = torch::rand({batch, particles});
  pt.narrow(1, particles - padding, padding).zero_();
  pt = pt / pt.sum(1, true);
  const torch::Tensor eta = torch::randn({batch, particles}) * 0.3;
  const torch::Tensor phi = torch::randn({batch, particles}) * 0.3;
  torch::Tensor features = torch::stack({pt, eta, torch::cos(phi), torch::sin(phi)}, 2);
  return features * (pt > 0).unsqueeze(2);
}

TEST(DenseStack, AppliesEachLayerThenLeakyRelu) {
  DenseStack stack(DenseStackOptions(3, {5, 2}).leaky_slope(0.2));
  EXPECT_EQ(stack->output_width(), 2);
  EXPECT_EQ(parameter_count(*stack), 3 * 5 + 5 + 5 * 2 + 2);
  auto p = stack->named_parameters();
  torch::NoGradGuard no_grad;
  for (auto& bias : {p["dense0.bias"], p["dense1.bias"]}) bias.uniform_(-0.5, 0.5);
  const torch::Tensor x = torch::randn({7, 11, 3});  // any leading dimensions
  const torch::Tensor hidden = torch::leaky_relu(torch::matmul(x, p["dense0.weight"].t()) + p["dense0.bias"], 0.2);
  const torch::Tensor expected =
      torch::leaky_relu(torch::matmul(hidden, p["dense1.weight"].t()) + p["dense1.bias"], 0.2);
  EXPECT_TRUE(torch::allclose(stack->forward(x), expected, 1e-5, 1e-6));
}

TEST(DenseStack, WithoutLayersIsTheIdentity) {
  DenseStack stack(DenseStackOptions(4, {}));
  const torch::Tensor x = torch::randn({3, 4});
  EXPECT_TRUE(torch::equal(stack->forward(x), x));
  EXPECT_EQ(stack->output_width(), 4);
}

TEST(DenseStack, RejectsZeroWidths) {
  EXPECT_THROW(DenseStack(DenseStackOptions(4, {8, 0})), InvalidArgument);
  EXPECT_THROW(DenseStack(DenseStackOptions(0, {8})), InvalidArgument);
}

TEST(DenseStack, UsesKerasInitialisation) {
  const torch::nn::Linear layer = glorot_linear(300, 100);
  const double limit = std::sqrt(6.0 / (300 + 100));
  EXPECT_LE(layer->weight.abs().max().item<double>(), limit);
  EXPECT_GT(layer->weight.abs().max().item<double>(), 0.9 * limit);
  EXPECT_EQ(layer->bias.abs().max().item<double>(), 0.0);
}

TEST(EmdVae, PaperArchitectureHasTheReferenceParameterCount) {
  const EmdVae vae(EmdVaeOptions{});
  const int64_t w = 1024, latent = 256;
  const int64_t encoder = (4 * w + w) + 3 * (w * w + w) + 4 * (w * w + w) + 2 * (w * latent + latent);
  const int64_t decoder = (latent * w + w) + 4 * (w * w + w) + (w * 200 + 200);
  EXPECT_EQ(parameter_count(*vae), encoder + decoder);
}

ParticleFlowEncoderOptions small_encoder() {
  return ParticleFlowEncoderOptions().particle_widths({16, 16}).jet_widths({16}).latent_dim(3);
}

TEST(ParticleFlowEncoder, GivesAPosteriorPerJet) {
  ParticleFlowEncoder encoder(small_encoder());
  const GaussianPosterior posterior = encoder->forward(jet_features(5, 50, 20, 1)).gaussian;
  EXPECT_EQ(posterior.mean.sizes(), (std::vector<int64_t>{5, 3}));
  EXPECT_EQ(posterior.log_variance.sizes(), (std::vector<int64_t>{5, 3}));
}

TEST(ParticleFlowEncoder, IsInvariantUnderParticleOrder) {
  ParticleFlowEncoder encoder(small_encoder());
  const torch::Tensor features = jet_features(4, 30, 10, 2);
  const torch::Tensor shuffled = features.index_select(1, torch::randperm(30));
  EXPECT_TRUE(
      torch::allclose(encoder->forward(features).gaussian.mean, encoder->forward(shuffled).gaussian.mean, 1e-5, 1e-5));
}

TEST(ParticleFlowEncoder, MaskedPaddingDoesNotCount) {
  ParticleFlowEncoder encoder(small_encoder());
  const torch::Tensor jets = jet_features(3, 20, 5, 3);  // 15 particles and 5 padding rows
  const torch::Tensor more_padding = torch::cat({jets, torch::zeros({3, 30, 4})}, 1);
  torch::NoGradGuard no_grad;
  // Biases are zero at initialisation, so padding rows would add nothing anyway: give them some.
  for (auto& p : encoder->named_parameters())
    if (p.key().find("bias") != std::string::npos) p.value().fill_(0.1);
  EXPECT_TRUE(
      torch::allclose(encoder->forward(jets).gaussian.mean, encoder->forward(more_padding).gaussian.mean, 1e-5, 1e-5));

  ParticleFlowEncoder reference(small_encoder().mask_padding(false));
  for (auto& p : reference->named_parameters())
    if (p.key().find("bias") != std::string::npos) p.value().fill_(0.1);
  EXPECT_FALSE(torch::allclose(reference->forward(jets).gaussian.mean, reference->forward(more_padding).gaussian.mean,
                               1e-5, 1e-5));
}

TEST(ParticleFlowEncoder, MaskedSumOverRealRowsEqualsTheSumOverEveryRowOfUnpaddedJets) {
  // The masked trunk feeds only the real rows to the per-particle network; without padding the
  // unmasked trunk sums every row. Same weights, same answer and the same parameter gradients.
  ParticleFlowEncoder masked(small_encoder()), every_row(small_encoder().mask_padding(false));
  {
    torch::NoGradGuard no_grad;
    auto source = masked->parameters(), target = every_row->parameters();
    for (size_t i = 0; i < source.size(); ++i) {
      source[i].uniform_(-0.5, 0.5);
      target[i].copy_(source[i]);
    }
  }
  const torch::Tensor jets = jet_features(4, 30, 12, 5);  // 18 particles, 12 padding rows
  const torch::Tensor unpadded = jets.narrow(1, 0, 18);
  const torch::Tensor mean_masked = masked->forward(jets).gaussian.mean;
  const torch::Tensor mean_every_row = every_row->forward(unpadded).gaussian.mean;
  EXPECT_TRUE(torch::allclose(mean_masked, mean_every_row, 1e-5, 1e-6));
  mean_masked.square().sum().backward();
  mean_every_row.square().sum().backward();
  auto grads_masked = masked->parameters(), grads_every_row = every_row->parameters();
  int64_t compared = 0;
  for (size_t i = 0; i < grads_masked.size(); ++i) {
    ASSERT_EQ(grads_masked[i].grad().defined(), grads_every_row[i].grad().defined()) << "parameter " << i;
    if (!grads_masked[i].grad().defined()) continue;  // a head the mean does not use
    EXPECT_TRUE(torch::allclose(grads_masked[i].grad(), grads_every_row[i].grad(), 1e-4, 1e-6)) << "parameter " << i;
    ++compared;
  }
  EXPECT_GE(compared, 4);  // both per-particle layers, weights and biases, at least
}

TEST(ParticleFlowEncoder, ScalesTheSumBySqrtWidth) {
  // One particle layer of width 16, no jet layers: head input = Σ h / 4 with scale_sum.
  auto options = ParticleFlowEncoderOptions().particle_widths({16}).jet_widths({}).latent_dim(2);
  ParticleFlowEncoder scaled(options), unscaled(options.scale_sum(false));
  torch::NoGradGuard no_grad;
  auto unscaled_params = unscaled->parameters();
  auto scaled_params = scaled->parameters();
  for (size_t i = 0; i < scaled_params.size(); ++i) unscaled_params[i].copy_(scaled_params[i]);
  const torch::Tensor features = jet_features(2, 10, 0, 4);
  // The heads are linear with zero bias, so the means scale by exactly 1/√16.
  EXPECT_TRUE(torch::allclose(scaled->forward(features).gaussian.mean * 4, unscaled->forward(features).gaussian.mean,
                              1e-5, 1e-6));
}

TEST(ParticleFlowEncoder, AxisOffsetsAreEachParticlesDistanceFromTheJetAxisAcrossPhiEqualsPi) {
  // Two equal particles straddling φ = ±π at η = 1.0 and 1.2, and one padding row: the axis is
  // (1.1, π), so the offsets are (−0.1, −0.1) and (+0.1, +0.1), the padding row's (0, 0).
  const double phi_a = M_PI - 0.1, phi_b = -M_PI + 0.1;
  const torch::Tensor features = torch::tensor({0.5, 1.0, std::cos(phi_a), std::sin(phi_a),  //
                                                0.5, 1.2, std::cos(phi_b), std::sin(phi_b),  //
                                                0.0, 0.0, 0.0, 0.0},
                                               torch::kDouble)
                                     .view({1, 3, 4});
  const torch::Tensor offsets = with_axis_offsets(features).narrow(2, 4, 2);
  const torch::Tensor expected = torch::tensor({-0.1, -0.1, 0.1, 0.1, 0.0, 0.0}, torch::kDouble).view({1, 3, 2});
  EXPECT_TRUE(torch::allclose(offsets, expected, 0, 1e-12)) << offsets;
  EXPECT_TRUE(torch::equal(with_axis_offsets(features).narrow(2, 0, 4), features));
}

TEST(ParticleFlowEncoder, AxisOffsetsDoNotChangeWhenTheJetMoves) {
  const torch::Tensor jets = jet_features(3, 12, 4, 6).to(torch::kDouble);
  const torch::Tensor eta = jets.select(2, 1), cos_phi = jets.select(2, 2), sin_phi = jets.select(2, 3);
  const torch::Tensor real = (jets.select(2, 0) > 0).to(torch::kDouble);
  const double shift = 2.9;  // rotate every particle by 2.9 rad in φ and move it by 1.7 in η
  const torch::Tensor moved = torch::stack({jets.select(2, 0), (eta + 1.7) * real,
                                            (cos_phi * std::cos(shift) - sin_phi * std::sin(shift)) * real,
                                            (sin_phi * std::cos(shift) + cos_phi * std::sin(shift)) * real},
                                           2);
  EXPECT_TRUE(torch::allclose(with_axis_offsets(jets).narrow(2, 4, 2), with_axis_offsets(moved).narrow(2, 4, 2), 0,
                              1e-12));
}

TEST(ParticleFlowEncoder, AxisOffsetsWidenThePerParticleInputAndNeedTheFourFeatures) {
  ParticleFlowEncoder encoder(small_encoder().axis_offsets(true));
  EXPECT_EQ(encoder->named_parameters()["particle_network.dense0.weight"].size(1), 6);
  EXPECT_EQ(encoder->forward(jet_features(2, 10, 3, 7)).gaussian.mean.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_THROW(ParticleFlowEncoder(small_encoder().axis_offsets(true).particle_features(3)), InvalidArgument);
  EXPECT_THROW(with_axis_offsets(torch::zeros({2, 5, 3})), InvalidArgument);
}

TEST(DenseJetDecoder, GivesNormalisedWeightsAndWrappedPhi) {
  DenseJetDecoder decoder(DenseJetDecoderOptions().latent_dim(6).widths({32, 32}).particles(50));
  const DecodedJets jets = decoder->forward(torch::randn({8, 6}) * 3);
  EXPECT_EQ(jets.weights.sizes(), (std::vector<int64_t>{8, 50}));
  EXPECT_EQ(jets.positions.sizes(), (std::vector<int64_t>{8, 50, 2}));
  EXPECT_TRUE(torch::allclose(jets.weights.sum(1), torch::ones({8}), 1e-5, 1e-5));
  EXPECT_GT(jets.weights.min().item<double>(), 0.0);
  EXPECT_LE(jets.positions.select(2, 1).abs().max().item<double>(), M_PI + 1e-6);
}

TEST(EmdVae, RejectsDifferentLatentDimensions) {
  EXPECT_THROW(EmdVae(EmdVaeOptions().encoder(small_encoder()).decoder(DenseJetDecoderOptions().latent_dim(4))),
               InvalidArgument);
}

TEST(EmdVae, EncodesAndDecodesABatch) {
  EmdVae vae(EmdVaeOptions()
                 .encoder(small_encoder())
                 .decoder(DenseJetDecoderOptions().latent_dim(3).widths({8}).particles(50)));
  const GaussianPosterior posterior = vae->encode(jet_features(2, 50, 30, 5)).gaussian;
  const DecodedJets jets = vae->decode(posterior.mean);
  EXPECT_EQ(jets.positions.sizes(), (std::vector<int64_t>{2, 50, 2}));
}

TEST(DenseVae, WithoutHiddenLayersIsLinear) {
  DenseVae vae(DenseVaeOptions().input_dim(4).latent_dim(3));
  EXPECT_EQ(parameter_count(*vae), 2 * (4 * 3 + 3) + (3 * 4 + 4));
  const torch::Tensor z1 = torch::randn({1, 3}), z2 = torch::randn({1, 3});
  const torch::Tensor origin = vae->decode(torch::zeros({1, 3}));
  // affine: decode(z1 + z2) − decode(0) = (decode(z1) − decode(0)) + (decode(z2) − decode(0))
  EXPECT_TRUE(
      torch::allclose(vae->decode(z1 + z2) - origin, vae->decode(z1) + vae->decode(z2) - 2 * origin, 1e-5, 1e-5));
}

TEST(GaussianLatent, KlIsZeroAtThePriorAndMatchesTheClosedForm) {
  const GaussianPosterior prior{torch::zeros({2, 3}), torch::zeros({2, 3})};
  EXPECT_EQ(latent_kl_per_dim(prior).abs().max().item<double>(), 0.0);
  // μ = 1, σ² = e: ½(1 + e − 1 − 1) = (e − 1)/2
  const GaussianPosterior shifted{torch::ones({1, 1}), torch::ones({1, 1})};
  EXPECT_NEAR(latent_kl_per_dim(shifted).item<double>(), (std::exp(1.0) - 1.0) / 2.0, 1e-6);
}

TEST(GaussianLatent, SamplesWithTheGivenGenerator) {
  const GaussianPosterior posterior{torch::full({20000, 2}, 3.0), torch::full({20000, 2}, std::log(4.0))};
  at::Generator a = at::make_generator<at::CPUGeneratorImpl>(7), b = at::make_generator<at::CPUGeneratorImpl>(7);
  const torch::Tensor z = sample_latent(posterior, a);
  EXPECT_TRUE(torch::equal(z, sample_latent(posterior, b)));
  EXPECT_NEAR(z.mean().item<double>(), 3.0, 0.05);
  EXPECT_NEAR(z.std().item<double>(), 2.0, 0.05);
}

}  // namespace
}  // namespace otae::nn
