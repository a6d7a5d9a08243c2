// A stack of dense layers, each followed by LeakyReLU: the EMD-VAE's per-particle network,
// its jet-level network and its decoder trunk are all one of these (Collins 2021, Sec. 2).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "otae/base/arg.hpp"

namespace otae::nn {

struct DenseStackOptions {
  DenseStackOptions(int64_t input_width, std::vector<int64_t> widths)
      : input_width_(input_width), widths_(std::move(widths)) {}

  OTAE_ARG(int64_t, input_width, 0);
  /// Output width of each layer in turn; empty makes the stack the identity.
  OTAE_ARG(std::vector<int64_t>, widths, {});
  /// Negative slope of LeakyReLU (the paper's 0.1).
  OTAE_ARG(double, leaky_slope, 0.1);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument unless every width (input included) is ≥ 1 and the slope is finite.
  void validate() const;
};

/// Dense layers with Keras's initialisation (Glorot-uniform weights, zero biases), as the
/// reference network, rather than LibTorch's Kaiming-uniform default.
class DenseStackImpl : public torch::nn::Module {
 public:
  explicit DenseStackImpl(const DenseStackOptions& options);

  /// x [..., input_width] float32 → [..., output_width()]; any leading dimensions, so the
  /// same stack acts on jets [B, F] and on each particle of [B, N, F].
  torch::Tensor forward(torch::Tensor x);

  /// The last width, or input_width when there are no layers.
  int64_t output_width() const;

 private:
  DenseStackOptions options_;
  std::vector<torch::nn::Linear> layers_;
};
TORCH_MODULE(DenseStack);

/// A linear layer initialised as the stack's layers are (Glorot-uniform weights, zero biases).
torch::nn::Linear glorot_linear(int64_t input_width, int64_t output_width);

}  // namespace otae::nn
