// FlatAdam against LibTorch's Adam (the independent reference): the same parameters after many
// steps, the same saved state, and a model or optimiser replaced from outside taken back in.
#include <gtest/gtest.h>

#include <sstream>

#include <torch/nn/modules/container/functional.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include "otae/base/error.hpp"
#include "otae/train/flat_adam.hpp"

namespace {

using otae::train::FlatAdam;

torch::nn::Sequential small_network() {
  return torch::nn::Sequential(torch::nn::Linear(7, 33), torch::nn::Functional([](const at::Tensor& x) { return torch::tanh(x); }), torch::nn::Linear(33, 5));
}

/// A fixed regression problem: the loss of `net` on batch `k`.
at::Tensor batch_loss(torch::nn::Sequential& net, int64_t k) {
  at::manual_seed(1000 + k);
  const at::Tensor x = at::randn({16, 7}), y = at::randn({16, 5});
  return (net->forward(x) - y).pow(2).mean();
}

template <typename Optimizer>
void train(torch::nn::Sequential& net, Optimizer& optimizer, int64_t first, int64_t steps) {
  for (int64_t k = first; k < first + steps; ++k) {
    optimizer.zero_grad();
    batch_loss(net, k).backward();
    optimizer.step();
  }
}

/// Two identical networks.
std::pair<torch::nn::Sequential, torch::nn::Sequential> twins() {
  at::manual_seed(0);
  torch::nn::Sequential a = small_network();
  torch::nn::Sequential b = small_network();
  torch::NoGradGuard no_grad;
  for (size_t k = 0; k < a->parameters().size(); ++k) b->parameters()[k].copy_(a->parameters()[k]);
  return {a, b};
}

const auto kOptions = torch::optim::AdamOptions(3e-3).eps(1e-7);

void expect_same_parameters(torch::nn::Sequential& a, torch::nn::Sequential& b) {
  for (size_t k = 0; k < a->parameters().size(); ++k) {
    const at::Tensor pa = a->parameters()[k], pb = b->parameters()[k];
    EXPECT_TRUE(at::equal(pa, pb)) << "parameter " << k << ": largest difference "
                                   << (pa - pb).abs().max().item<float>();
  }
}

TEST(FlatAdam, TakesTheStepsOfLibTorchsAdamBitForBit) {
  auto [reference, flat] = twins();
  torch::optim::Adam adam(reference->parameters(), kOptions);
  FlatAdam flat_adam(flat->parameters(), kOptions);
  train(reference, adam, 0, 200);
  train(flat, flat_adam, 0, 200);
  expect_same_parameters(reference, flat);
  // and the parameters really moved
  auto [untrained, unused] = twins();
  EXPECT_GT((reference->parameters()[0] - untrained->parameters()[0]).abs().max().item<float>(), 0.1);
}

TEST(FlatAdam, SavesLibTorchsStateAndResumesFromIt) {
  auto [reference, flat] = twins();
  torch::optim::Adam adam(reference->parameters(), kOptions);
  train(reference, adam, 0, 50);
  // Resume the flat optimiser from LibTorch's checkpoint of model and state...
  std::stringstream model_bytes, state_bytes;
  torch::save(reference, model_bytes);
  torch::save(adam, state_bytes);
  FlatAdam flat_adam(flat->parameters(), kOptions);
  train(flat, flat_adam, 500, 3);  // state that the load must replace
  torch::load(flat, model_bytes);
  torch::load(flat_adam, state_bytes);
  // ... and both continue alike.
  train(reference, adam, 50, 50);
  train(flat, flat_adam, 50, 50);
  expect_same_parameters(reference, flat);
  // LibTorch's Adam reads the flat one's state back.
  std::stringstream flat_state;
  torch::save(flat_adam, flat_state);
  torch::optim::Adam reread(flat->parameters(), kOptions);
  torch::load(reread, flat_state);
  const auto& state = static_cast<torch::optim::AdamParamState&>(
      *reread.state().at(c10::guts::to_string(flat->parameters()[0].unsafeGetTensorImpl())));
  EXPECT_EQ(state.step(), 100);
}

TEST(FlatAdam, RefusesWhatItCannotStepInOnePass) {
  torch::nn::Linear layer(3, 2);
  EXPECT_THROW(FlatAdam(layer->parameters(), torch::optim::AdamOptions(1e-3).weight_decay(0.1)),
               otae::InvalidArgument);
  torch::nn::Linear doubles(3, 2);
  doubles->to(at::kDouble);
  EXPECT_THROW(FlatAdam(doubles->parameters(), kOptions), otae::InvalidArgument);
}

}  // namespace
