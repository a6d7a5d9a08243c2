#include "otae/train/vae_run.hpp"

#include <torch/utils.h>

#include <cmath>
#include <cstdlib>

#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"
#include "otae/data/split.hpp"
#include "otae/train/device.hpp"
#include "otae/train/vae_run_folder.hpp"

namespace otae::train {

namespace {

constexpr const char* kStepPrefix = "step:";

/// The production checkpoint whose β̂ is within 1 % of the requested one.
std::string production_checkpoint_for(const VaeRunFolder& folder, const std::string& step) {
  char* end = nullptr;
  const double beta_hat = std::strtod(step.c_str(), &end);
  if (end == step.c_str() || *end != '\0' || !(beta_hat > 0))
    throw ConfigError("step '" + step + "' is neither 'last', step:N nor a positive beta_hat such as 1e-3");
  std::string kept;
  for (const auto& [value, path] : folder.production_checkpoints()) {
    if (std::abs(std::log(value / beta_hat)) < 0.01) return path;
    kept += (kept.empty() ? "" : ", ") + shortest_decimal(value);
  }
  throw ConfigError("no production checkpoint at beta_hat=" + step + " in " + folder.root() +
                    (kept.empty() ? std::string(" (none kept yet; use --step last)") : " (kept: " + kept + ")"));
}

/// The kept checkpoint of β step N, for "step:N".
std::string step_checkpoint_for(const VaeRunFolder& folder, const std::string& step) {
  const std::string number = step.substr(std::string(kStepPrefix).size());
  char* end = nullptr;
  const long index = std::strtol(number.c_str(), &end, 10);
  if (number.empty() || *end != '\0' || index < 0)
    throw ConfigError("step '" + step + "' is not of the form step:N with N a β step index ≥ 0");
  const auto kept = folder.step_checkpoints();
  for (const StepCheckpoint& checkpoint : kept)
    if (checkpoint.step == index) return checkpoint.path;
  throw ConfigError("no checkpoint of beta step " + number + " in " + folder.root() +
                    (kept.empty() ? std::string(" (none kept yet; use --step last)")
                                  : " (kept: steps " + std::to_string(kept.front().step) + " to " +
                                        std::to_string(kept.back().step) + ")"));
}

}  // namespace

TrainedVae load_trained_vae(const std::string& run_dir, const std::string& step, const at::Device& device) {
  const VaeRunFolder folder(run_dir);
  TrainedVae trained;
  try {
    trained.config = load_vae_config(folder.config_file());
  } catch (const IoError&) {
    throw IoError(run_dir + " holds no training run (no readable config.yaml)");
  }
  trained.model = make_vae_model(trained.config);
  trained.model->module()->to(device);
  if (step == "last")
    trained.checkpoint_path = folder.last_checkpoint();
  else if (step.rfind(kStepPrefix, 0) == 0)
    trained.checkpoint_path = step_checkpoint_for(folder, step);
  else
    trained.checkpoint_path = production_checkpoint_for(folder, step);
  trained.checkpoint = load_checkpoint(trained.checkpoint_path, *trained.model->module(), nullptr);
  return trained;
}

nn::LatentPosterior encode_rows(VaeModel& model, const VaeData& data, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  const at::Device device = device_of(*model.module());
  std::vector<at::Tensor> means, log_variances, log_alphas, binary_medians, circular_means, concentrations;
  for (const at::Tensor& rows : data::batch_slices(at::arange(data.size(), at::kLong), batch_size)) {
    const nn::LatentPosterior posterior = model.encode(to_device(data.batch(rows).inputs, device));
    means.push_back(posterior.gaussian.mean.cpu());
    log_variances.push_back(posterior.gaussian.log_variance.cpu());
    if (posterior.binary_log_alpha.defined()) {
      log_alphas.push_back(posterior.binary_log_alpha.cpu());
      binary_medians.push_back(posterior.binary_sample.cpu());
    }
    if (posterior.circular_mean.defined()) {
      circular_means.push_back(posterior.circular_mean.cpu());
      concentrations.push_back(posterior.circular_concentration.cpu());
    }
  }
  nn::LatentPosterior all{{at::cat(means), at::cat(log_variances)}, {}, {}, {}, {}};
  if (!log_alphas.empty()) {
    all.binary_log_alpha = at::cat(log_alphas);
    all.binary_sample = at::cat(binary_medians);
  }
  if (!circular_means.empty()) {
    all.circular_mean = at::cat(circular_means);
    all.circular_concentration = at::cat(concentrations);
  }
  return all;
}

std::vector<data::NamedArray> decode_latents(VaeModel& model, const at::Tensor& z, int64_t batch_size) {
  if (z.dim() != 2 || z.size(1) != model.decoder_input_dim() || !at::isFloatingType(z.scalar_type()))
    throw InvalidArgument("latent points must be floating [N, " + std::to_string(model.decoder_input_dim()) +
                          "] for this model, received " + std::string(c10::str(z.sizes())));
  if (!at::isfinite(z).all().item<bool>()) throw InvalidArgument("latent points contain NaN or inf");
  torch::NoGradGuard no_grad;
  const at::Device device = device_of(*model.module());
  std::vector<std::vector<at::Tensor>> parts;
  std::vector<data::NamedArray> arrays;
  for (const at::Tensor& rows : data::batch_slices(at::arange(z.size(0), at::kLong), batch_size)) {
    arrays = model.decode_arrays(to_device(z.index_select(0, rows).to(at::kFloat), device));
    parts.resize(arrays.size());
    for (size_t i = 0; i < arrays.size(); ++i) parts[i].push_back(arrays[i].values.cpu());
  }
  for (size_t i = 0; i < arrays.size(); ++i) arrays[i].values = at::cat(parts[i]).contiguous();
  return arrays;
}

}  // namespace otae::train
