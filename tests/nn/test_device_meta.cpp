// The networks' pieces take their device from their inputs, never LibTorch's default (the CPU):
// on the meta device, which holds shapes without data, a tensor made on the CPU and combined
// with a meta one is an error, so a piece that makes one fails here on a CPU-only machine rather
// than first on a GPU. (Whole modules cannot be moved to meta in LibTorch 1.13, whose set_data
// refuses it; test_device.cpp runs them on CUDA where a GPU is at hand.)
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include "otae/nn/gaussian_latent.hpp"
#include "otae/nn/noise.hpp"
#include "otae/nn/otus_generator.hpp"
#include "otae/nn/relaxed_bernoulli.hpp"

namespace {

namespace nn = otae::nn;

const at::Device kMeta(at::kMeta);

at::Tensor on_meta(const at::Tensor& t) { return t.to(kMeta); }

TEST(DeviceMeta, NoiseIsDrawnFromACpuStreamAndJoinsTheTensorsDevice) {
  at::Generator stream = at::make_generator<at::CPUGeneratorImpl>(3);
  EXPECT_EQ(nn::normal_noise({4, 2}, stream, at::TensorOptions(kMeta)).device(), kMeta);
  EXPECT_EQ(nn::uniform_noise({4}, stream, at::TensorOptions(kMeta)).device(), kMeta);
  EXPECT_EQ(nn::exponential_noise({4}, c10::nullopt, at::TensorOptions(kMeta)).device(), kMeta);
  // on the CPU, the numbers of the stream itself
  at::Generator a = at::make_generator<at::CPUGeneratorImpl>(5), b = at::make_generator<at::CPUGeneratorImpl>(5);
  EXPECT_TRUE(at::equal(nn::normal_noise({6}, a, at::TensorOptions(at::kDouble)), at::randn({6}, b, at::kDouble)));
}

TEST(DeviceMeta, LatentSamplesStayOnThePosteriorsDevice) {
  at::Generator stream = at::make_generator<at::CPUGeneratorImpl>(1);
  const nn::GaussianPosterior posterior{on_meta(at::zeros({5, 3})), on_meta(at::zeros({5, 3}))};
  EXPECT_EQ(nn::sample_latent(posterior, stream).device(), kMeta);
  EXPECT_EQ(nn::sample_relaxed_bernoulli(on_meta(at::zeros({5, 2})), 0.3, stream).device(), kMeta);
}

TEST(DeviceMeta, MinkowskiLayerTakesTheMomentaDevice) {
  const at::Tensor events = nn::minkowski_layer(on_meta(at::randn({4, 2, 3})), {0.000511, 91.2});
  EXPECT_EQ(events.device(), kMeta);
  EXPECT_EQ(events.sizes(), (std::vector<int64_t>{4, 8}));
}

}  // namespace
