// A VAE seen by the trainer: encode a batch, score a latent point's reconstruction against its
// target, decode latent points into the arrays `otae vae decode` writes. Two kinds: the EMD-VAE
// on jets (Sinkhorn Ŝ²) and the dense VAE on toy vectors (squared error).
#pragma once

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "otae/base/error.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/nn/latent_space.hpp"
#include "otae/train/vae_config.hpp"
#include "otae/train/vae_data.hpp"

namespace otae::train {

/// A model output or a loss became NaN or inf. The trainer catches it, reloads the last
/// checkpoint and retries the β step; it escapes only when the retries are spent.
class NonFiniteLoss : public NumericalError {
 public:
  using NumericalError::NumericalError;
};

class VaeModel {
 public:
  virtual ~VaeModel() = default;

  /// The network, for the optimiser, checkpoints and train/eval switches.
  virtual std::shared_ptr<torch::nn::Module> module() const = 0;
  /// Gaussian latent directions L.
  virtual int64_t latent_dim() const = 0;
  /// The binary and circular variables besides them.
  virtual const nn::MixedLatentOptions& mixed_latents() const = 0;
  /// Width of a latent point as the decoder reads it (nn::sample_latent's layout): L + K + 2C.
  int64_t decoder_input_dim() const { return mixed_latents().decoder_input_dim(latent_dim()); }
  /// True for the EMD-VAE on jets, false for the dense VAE on vectors.
  virtual bool on_jets() const = 0;
  /// Particles per jet M, or the vectors' dimension d, that the model reads and writes.
  virtual int64_t row_width() const = 0;
  /// inputs (VaeBatch::inputs) → posterior; binary variables drawn from `binary_noise`, or at
  /// their median without one (nn::LatentHead::forward).
  virtual nn::LatentPosterior encode(const at::Tensor& inputs,
                                     c10::optional<at::Generator> binary_noise = c10::nullopt) = 0;
  /// Decodes z [B, L + K + 2C] and returns the distortion D of each row against `targets`
  /// (VaeBatch::targets), float64 [B], differentiable. Throws NonFiniteLoss when the decoded
  /// rows are not finite.
  virtual at::Tensor distortion(const at::Tensor& targets, const at::Tensor& z) = 0;
  /// Decodes z [B, L + K + 2C] into HDF5 datasets: jets → `particles` [B, M, 3] float32 (pT/HT, η, φ);
  /// vectors → `x` [B, d] float32.
  virtual std::vector<data::NamedArray> decode_arrays(const at::Tensor& z) = 0;
};

/// The model that `config` describes for its data source: the dense VAE for a toy spec (its
/// dimension taken from the spec), else the EMD-VAE with model.particles particles. Weights are
/// drawn from LibTorch's global generator (the trainer seeds it first).
/// Throws ConfigError for invalid model options or a bad toy spec.
std::unique_ptr<VaeModel> make_vae_model(const VaeConfig& config);

/// Throws ConfigError naming `data_source` unless the data and the model are of one kind (jets
/// or vectors) with the same particles per jet or dimension.
void require_compatible(const VaeModel& model, const VaeData& data, const std::string& data_source);

}  // namespace otae::train
