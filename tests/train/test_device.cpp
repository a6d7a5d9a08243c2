// Where runs compute. On every machine: the one reading of a device name (resolve_device) and the
// move of rows onto a device. With a CUDA device: a VAE step, OTUS's loss, the Sinkhorn EMD,
// FlatAdam and both trainers give on it what they give on the CPU, to float tolerance (the noise
// is the same, drawn on the CPU). Without one those tests skip, saying so; the meta device stands
// in for them where it can.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/cuda.h>
#include <torch/optim/adam.h>

#include <filesystem>
#include <limits>

#include "../support/temporary_folder.hpp"
#include "otae/base/error.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/nn/otus_generator.hpp"
#include "otae/ot/sinkhorn.hpp"
#include "otae/train/config_file.hpp"
#include "otae/train/device.hpp"
#include "otae/train/flat_adam.hpp"
#include "otae/train/otus_loss.hpp"
#include "otae/train/otus_training.hpp"
#include "otae/train/vae_loss.hpp"
#include "otae/train/vae_run.hpp"
#include "otae/train/vae_step.hpp"
#include "otae/train/vae_trainer.hpp"

namespace {

namespace train = otae::train;
namespace nn = otae::nn;
using otae::ConfigError;

const std::string kSamples = std::string(OTAE_SOURCE_DIR) + "/samples/";

std::string error_of(const std::string& name, const std::string& option) {
  try {
    train::resolve_device(name, option);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ResolveDevice, ReadsCpuAndRefusesOtherNamesNamingTheOption) {
  EXPECT_EQ(train::resolve_device("cpu", "--device"), at::Device(at::kCPU));
  for (const std::string bad : {"", "gpu", "CPU", "cuda0", "cuda:", "cuda:x", "cuda:-1", "cuda:1:2", "cudax"}) {
    const std::string message = error_of(bad, "train.device");
    EXPECT_EQ(message.rfind("train.device " + bad + ": ", 0), 0u) << "'" << bad << "': " << message;
  }
}

TEST(ResolveDevice, RefusesCudaItCannotRunOnNamingTheOptionAndTheValue) {
  if (!torch::cuda::is_available()) {
    for (const std::string cuda : {"cuda", "cuda:0", "cuda:3"}) {
      const std::string message = error_of(cuda, "--device");
      EXPECT_EQ(message.rfind("--device " + cuda + ": this LibTorch has no CUDA device", 0), 0u) << message;
    }
    return;
  }
  const auto count = static_cast<int64_t>(torch::cuda::device_count());
  EXPECT_EQ(train::resolve_device("cuda", "--device"), at::Device(at::kCUDA, 0));
  EXPECT_EQ(train::resolve_device("cuda:" + std::to_string(count - 1)), at::Device(at::kCUDA, count - 1));
  const std::string message = error_of("cuda:" + std::to_string(count), "--device");
  EXPECT_NE(message.find("this machine has " + std::to_string(count) + " CUDA device"), std::string::npos) << message;
}

TEST(ToDevice, LeavesATensorWhereItIsWithoutACopy) {
  const at::Tensor rows = at::randn({4, 3});
  EXPECT_TRUE(train::to_device(rows, at::kCPU).is_same(rows));
  const at::Tensor meta = train::to_device(rows, at::kMeta);
  EXPECT_EQ(meta.device(), at::Device(at::kMeta));
  EXPECT_EQ(meta.sizes(), rows.sizes());
}

// On the meta device (shapes without data) a tensor made on the CPU and combined with the inputs
// is an error: the loss pieces that make tensors of their own take the inputs' options.
TEST(DeviceMeta, LossPiecesTakeTheirInputsDevice) {
  const at::Device meta(at::kMeta);
  const at::Tensor events = at::randn({6, 8}).to(meta);
  EXPECT_EQ(train::total_invariant_mass(events).device(), meta);
  // (no |η| cut: LibTorch 1.13 has no meta kernel for abs)
  const double any_eta = std::numeric_limits<double>::infinity();
  EXPECT_EQ(train::event_acceptance(events, {{{0, 1}, 20.0, any_eta, 60.0, 120.0}}).device(), meta);
  EXPECT_EQ(train::anchor_cost(events, 0, events, 1).device(), meta);
  EXPECT_EQ(train::vae_loss(at::rand({6}).to(meta), at::rand({6, 3}).to(meta), 0.1).loss.device(), meta);
}

/// A test that needs a CUDA device: skipped with a message on a machine without one.
class OnCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!torch::cuda::is_available())
      GTEST_SKIP() << "no CUDA device here: build against a CUDA LibTorch on a GPU machine to run it "
                      "(docs/user-guide.md, GPUs)";
  }
  const at::Device cuda_{at::kCUDA, 0};
};

void expect_close(const at::Tensor& gpu, const at::Tensor& cpu, double tolerance, const std::string& what) {
  ASSERT_EQ(gpu.device().type(), at::kCUDA) << what;
  const at::Tensor g = gpu.cpu().to(at::kDouble), c = cpu.to(at::kDouble);
  const double scale = std::max(1.0, c.abs().max().item<double>());
  EXPECT_LE((g - c).abs().max().item<double>(), tolerance * scale) << what;
}

train::VaeConfig small_vae_config() {
  train::VaeConfig config = train::parse_vae_config(
      "data: {max_rows: 300}\n"
      "model: {latent_dim: 4, particle_widths: [32, 32], jet_widths: [32], decoder_widths: [32, 32]}\n"
      "train: {threads: 1, batch_size: 50, steps_per_epoch: 3, max_epochs: 2, validation_batch_size: 100}\n"
      "schedule: {grid: {log10_first: -1, points: 2}, zigzag: {legs: 0}, priming: {enabled: false}}\n");
  config.data.source(kSamples + "wjets_small.h5");
  return config;
}

TEST_F(OnCuda, VaeStepGivesTheCpuLossAndGradients) {
  const train::VaeConfig config = small_vae_config();
  const train::VaeData data = train::VaeData::load(config.data);
  at::manual_seed(0);
  const auto cpu = train::make_vae_model(config);
  at::manual_seed(0);
  const auto gpu = train::make_vae_model(config);
  gpu->module()->to(cuda_);
  const train::VaeBatch batch = data.batch(at::arange(100));
  auto step = [](train::VaeModel& model, const train::VaeBatch& rows) {
    std::vector<at::Generator> noise{at::make_generator<at::CPUGeneratorImpl>(1),
                                     at::make_generator<at::CPUGeneratorImpl>(2)};
    return train::accumulate_vae_gradient(model, rows, 0.1, 1.0, noise, false).loss.item<double>();
  };
  const double on_cpu = step(*cpu, batch);
  const double on_gpu = step(*gpu, {train::to_device(batch.inputs, cuda_), train::to_device(batch.targets, cuda_)});
  EXPECT_NEAR(on_gpu, on_cpu, 1e-4 * std::abs(on_cpu));
  const auto cpu_parameters = cpu->module()->parameters(), gpu_parameters = gpu->module()->parameters();
  for (size_t k = 0; k < cpu_parameters.size(); ++k)
    expect_close(gpu_parameters[k].grad(), cpu_parameters[k].grad(), 1e-3, "gradient " + std::to_string(k));
}

TEST_F(OnCuda, SinkhornTensorBackendGivesTheFusedCpuCostAndGradients) {
  at::manual_seed(4);
  const auto weights = [](int64_t n) { return at::softmax(at::randn({8, n}, at::kDouble), 1); };
  const at::Tensor wa = weights(20), wb = weights(30);
  const at::Tensor xa = at::randn({8, 20, 2}, at::kDouble).requires_grad_(), xb = at::randn({8, 30, 2}, at::kDouble);
  const at::Tensor cost = otae::ot::sinkhorn_emd(wa, xa, wb, xb).cost;
  cost.sum().backward();
  const at::Tensor xa_gpu = xa.detach().to(cuda_).requires_grad_();
  const at::Tensor cost_gpu = otae::ot::sinkhorn_emd(wa.to(cuda_), xa_gpu, wb.to(cuda_), xb.to(cuda_)).cost;
  cost_gpu.sum().backward();
  expect_close(cost_gpu, cost, 1e-9, "cost");
  expect_close(xa_gpu.grad(), xa.grad(), 1e-8, "position gradient");
}

TEST_F(OnCuda, FlatAdamStepsAsLibTorchsAdamDoes) {
  at::manual_seed(2);
  const at::Tensor start = at::randn({40}).to(cuda_), gradient = at::randn({40}).to(cuda_);
  at::Tensor flat = start.clone().requires_grad_(), reference = start.clone().requires_grad_();
  train::FlatAdam flat_adam({flat}, torch::optim::AdamOptions(1e-2).eps(1e-7));
  torch::optim::Adam adam({reference}, torch::optim::AdamOptions(1e-2).eps(1e-7));
  for (int k = 0; k < 5; ++k) {
    flat_adam.zero_grad();
    adam.zero_grad();
    flat.mutable_grad() = gradient.clone();
    reference.mutable_grad() = gradient.clone();
    flat_adam.step();
    adam.step();
  }
  expect_close(flat.detach(), reference.detach().cpu(), 1e-6, "parameters after 5 steps");
}

TEST_F(OnCuda, OtusLossGivesTheCpuTerms) {
  const nn::GeneratorStatistics statistics{at::zeros({8}), at::full({8}, 30.0), at::zeros({6}), at::full({6}, 30.0)};
  at::manual_seed(0);
  nn::OtusGenerator encoder(nn::OtusGeneratorOptions(), statistics), decoder(nn::OtusGeneratorOptions(), statistics);
  at::manual_seed(0);
  nn::OtusGenerator encoder_gpu(nn::OtusGeneratorOptions(), statistics),
      decoder_gpu(nn::OtusGeneratorOptions(), statistics);
  encoder_gpu->to(cuda_);
  decoder_gpu->to(cuda_);
  const otae::data::EventPairs events = otae::data::load_event_pairs(kSamples + "zee_small.h5");
  const at::Tensor z = events.z().narrow(0, 0, 500).to(at::kFloat), x = events.x().narrow(0, 500, 500).to(at::kFloat);
  const auto weights = train::OtusLossWeights().mass(1.0);
  const train::OtusLossScales scales{at::full({8}, 20.0f), at::full({8}, 20.0f), 10.0, 10.0};
  const train::OtusLossScales scales_gpu{scales.z.to(cuda_), scales.x.to(cuda_), 10.0, 10.0};
  at::manual_seed(7);
  const train::OtusLossTerms cpu = train::otus_loss(encoder, decoder, {z, x, {}, {}}, weights, {}, scales, 3);
  at::manual_seed(7);
  const train::OtusLossTerms gpu =
      train::otus_loss(encoder_gpu, decoder_gpu, {z.to(cuda_), x.to(cuda_), {}, {}}, weights, {}, scales_gpu, 3);
  expect_close(gpu.total, cpu.total, 1e-4, "total");
  expect_close(gpu.mass, cpu.mass, 1e-4, "mass term");
}

TEST_F(OnCuda, BothTrainersRunThereAndTheirRunsReadOnTheCpu) {
  otae::testing::TemporaryFolder folder("device_trainers");
  train::VaeConfig vae = small_vae_config();
  vae.train.device("cuda");
  const auto steps = train::train_vae(vae, folder.path() + "/vae");
  vae.train.device("cpu");
  const auto cpu_steps = train::train_vae(vae, folder.path() + "/vae_cpu");
  ASSERT_EQ(steps.size(), cpu_steps.size());
  EXPECT_NEAR(steps.back().validation_loss, cpu_steps.back().validation_loss,
              1e-2 * std::abs(cpu_steps.back().validation_loss));
  const train::TrainedVae on_cpu = train::load_trained_vae(folder.path() + "/vae", "last", at::kCPU);
  EXPECT_EQ(train::device_of(*on_cpu.model->module()), at::Device(at::kCPU));

  YAML::Node tree = train::load_config_file(std::string(OTAE_SOURCE_DIR) + "/configs/otus/zee_quick.yaml");
  train::apply_overrides(tree, {"phases.0.epochs=1", "phases.1.epochs=1", "data.max_train_events=1000",
                                "training.batch_size=250", "training.device=cuda"});
  const otae::data::EventPairs events = otae::data::load_event_pairs(kSamples + "zee_small.h5");
  train::train_otus(train::parse_otus_config(tree), events, "zee_small.h5", folder.path() + "/otus",
                    train::OtusTrainOptions().show_progress(false));
  train::OtusModel model = train::load_otus_model(folder.path() + "/otus", train::OtusCheckpoint::kFinal, cuda_);
  const at::Tensor simulated = train::generate_events(model.decoder, events.z().narrow(0, 0, 100), 1);
  EXPECT_TRUE(simulated.device().is_cpu());
  EXPECT_TRUE(at::isfinite(simulated).all().item<bool>());
}

}  // namespace
