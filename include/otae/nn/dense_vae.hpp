// A VAE for fixed-length vectors (the toy datasets): dense encoder to μ, log σ², dense decoder
// back to the vector. With no hidden layers it is the linear VAE of Collins 2021, appendix A.3,
// whose KL spectrum on a Gaussian is known in closed form.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "otae/base/arg.hpp"
#include "otae/nn/dense_stack.hpp"
#include "otae/nn/latent_space.hpp"

namespace otae::nn {

struct DenseVaeOptions {
  /// Dimension d of the data vectors.
  OTAE_ARG(int64_t, input_dim, 1);
  /// Gaussian latent directions L.
  OTAE_ARG(int64_t, latent_dim, 1);
  /// Binary and circular latent variables besides the Gaussian ones (none by default).
  OTAE_ARG(MixedLatentOptions, mixed_latents, MixedLatentOptions());
  /// Hidden widths of the encoder and decoder; empty (the default) makes both linear.
  OTAE_ARG(std::vector<int64_t>, encoder_widths, {});
  OTAE_ARG(std::vector<int64_t>, decoder_widths, {});
  OTAE_ARG(double, leaky_slope, 0.1);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument naming the option unless every dimension and width is ≥ 1 and
  /// mixed_latents is valid.
  void validate() const;
};

class DenseVaeImpl : public torch::nn::Module {
 public:
  explicit DenseVaeImpl(const DenseVaeOptions& options);

  /// x [B, input_dim] float32 → posterior, Gaussian part [B, latent_dim]; `binary_noise` as
  /// LatentHead::forward.
  LatentPosterior encode(const torch::Tensor& x, c10::optional<at::Generator> binary_noise = c10::nullopt);
  /// z [B, L + K + 2C] float32 (sample_latent's layout) → reconstruction [B, input_dim].
  torch::Tensor decode(const torch::Tensor& z);

  const DenseVaeOptions& options() const { return options_; }

 private:
  DenseVaeOptions options_;
  DenseStack encoder_trunk_{nullptr};
  LatentHead head_{nullptr};
  DenseStack decoder_trunk_{nullptr};
  torch::nn::Linear output_{nullptr};
};
TORCH_MODULE(DenseVae);

}  // namespace otae::nn
