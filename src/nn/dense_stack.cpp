#include "otae/nn/dense_stack.hpp"

#include <torch/nn/init.h>

#include <cmath>
#include <string>

#include "otae/base/error.hpp"

namespace otae::nn {

void DenseStackOptions::validate() const {
  if (input_width_ < 1)
    throw InvalidArgument("DenseStack: input_width must be >= 1, received " + std::to_string(input_width_));
  for (size_t i = 0; i < widths_.size(); ++i)
    if (widths_[i] < 1)
      throw InvalidArgument("DenseStack: widths[" + std::to_string(i) + "] must be >= 1, received " +
                            std::to_string(widths_[i]));
  if (!std::isfinite(leaky_slope_))
    throw InvalidArgument("DenseStack: leaky_slope must be finite, received " + std::to_string(leaky_slope_));
}

torch::nn::Linear glorot_linear(int64_t input_width, int64_t output_width) {
  torch::nn::Linear layer(input_width, output_width);
  torch::NoGradGuard no_grad;
  torch::nn::init::xavier_uniform_(layer->weight);
  torch::nn::init::zeros_(layer->bias);
  return layer;
}

DenseStackImpl::DenseStackImpl(const DenseStackOptions& options) : options_(options) {
  options_.validate();
  int64_t width = options_.input_width();
  for (size_t i = 0; i < options_.widths().size(); ++i) {
    const int64_t next = options_.widths()[i];
    layers_.push_back(register_module("dense" + std::to_string(i), glorot_linear(width, next)));
    width = next;
  }
}

torch::Tensor DenseStackImpl::forward(torch::Tensor x) {
  for (auto& layer : layers_) x = torch::leaky_relu(layer->forward(x), options_.leaky_slope());
  return x;
}

int64_t DenseStackImpl::output_width() const {
  return options_.widths().empty() ? options_.input_width() : options_.widths().back();
}

}  // namespace otae::nn
