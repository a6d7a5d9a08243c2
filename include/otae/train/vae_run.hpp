// Using a trained run: its model at a chosen β step, encoding rows into the posterior's μ and σ,
// decoding latent points into jets (what `otae vae encode` and `otae vae decode` do).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "otae/data/hdf5.hpp"
#include "otae/nn/latent_space.hpp"
#include "otae/train/checkpoint.hpp"
#include "otae/train/vae_config.hpp"
#include "otae/train/vae_data.hpp"
#include "otae/train/vae_model.hpp"

namespace otae::train {

/// A run's configuration and its model with one checkpoint's weights.
struct TrainedVae {
  VaeConfig config;
  std::unique_ptr<VaeModel> model;
  CheckpointInfo checkpoint;
  std::string checkpoint_path;
};

/// Loads the model of the run in `run_dir` at `step`: "last" (the last finished β step),
/// "step:N" (the kept checkpoint of β step N, of any phase) or a β̂ (e.g. "1e-3") matched,
/// within 1 %, against the kept production checkpoints, with its model on `device`
/// (resolve_device; wherever the run was trained).
/// Throws IoError when the folder holds no run or the checkpoint cannot be read, ConfigError
/// listing the kept β̂ values or steps when none matches.
TrainedVae load_trained_vae(const std::string& run_dir, const std::string& step = "last",
                            const at::Device& device = at::kCPU);

/// The posterior of every row of `data` (μ and log σ² [N, L], binary log α [N, K], circular mean
/// direction and concentration [N, C], float32), the
/// Gaussian part conditioned on the binary variables' medians, `batch_size` rows per forward
/// pass, without gradients, on the model's device; returned in host memory. Throws ConfigError
/// when data and model do not fit.
nn::LatentPosterior encode_rows(VaeModel& model, const VaeData& data, int64_t batch_size = 1000);

/// The decoded rows of z [N, L + K + 2C] (floating, nn::sample_latent's layout), `batch_size` rows per pass, as the datasets of
/// VaeModel::decode_arrays concatenated over the batches, decoded on the model's device and
/// returned in host memory. Throws InvalidArgument when z is not
/// [N, L + K + 2C] for the model, or is not finite.
std::vector<data::NamedArray> decode_latents(VaeModel& model, const at::Tensor& z, int64_t batch_size = 1000);

}  // namespace otae::train
