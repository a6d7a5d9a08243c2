// The configuration of an EMD-VAE run: what it reads, the network, the Sinkhorn loss, the
// training loop and the β schedule. Read from YAML, changed by dotted command-line overrides
// (`train.batch_size=50`), validated, and written back in full into the run folder. Every
// default is the paper's (Collins 2021); configs/vae/paper.yaml spells them out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "otae/base/arg.hpp"
#include "otae/data/split.hpp"
#include "otae/nn/dense_vae.hpp"
#include "otae/nn/emd_vae.hpp"
#include "otae/ot/sinkhorn.hpp"
#include "otae/train/beta_schedule.hpp"
#include "otae/train/plateau.hpp"
#include "otae/train/vae_loss.hpp"

namespace otae::train {

/// YAML `data`: where the rows come from and how jets are prepared.
struct VaeDataOptions {
  /// An HDF5 file of jets [N, M, 3] (pT [GeV], η, φ), or a toy spec such as
  /// "toy:gaussian:2,1,0.5,0.25" (see otae/data/toy_datasets.hpp), which selects the dense VAE
  /// with the squared-error reconstruction instead of the EMD-VAE.
  OTAE_ARG(std::string, source, "");
  /// The jets' dataset in the HDF5 file.
  OTAE_ARG(std::string, dataset, "particles");
  /// Move each jet's pT-weighted centroid to (0, 0) before training (pT is always divided by HT).
  /// Off by default: the paper studies uncentred jets, whose η and φ the VAE learns.
  OTAE_ARG(bool, centre, false);
  /// Use only the first rows of the source (0: all), for quick runs.
  OTAE_ARG(int64_t, max_rows, 0);
  OTAE_ARG_PUBLIC
};

/// YAML `model`. The jet keys build the EMD-VAE; `vector.*` the dense VAE used for toys;
/// `binary.*` adds relaxed-Bernoulli variables to either, `circular.dims` von Mises directions.
struct VaeModelOptions {
  /// Gaussian latent directions.
  OTAE_ARG(int64_t, latent_dim, 256);
  /// `binary.priors`: the prior probability of each binary latent variable (none by default).
  OTAE_ARG(std::vector<double>, binary_priors, {});
  /// `binary.temperature`: τ of their relaxation.
  OTAE_ARG(double, binary_temperature, 0.3);
  /// `circular.dims`: circular (von Mises) latent directions.
  OTAE_ARG(int64_t, circular_dim, 0);
  OTAE_ARG(double, leaky_slope, 0.1);
  /// Particles per jet, in (the data must agree) and out.
  OTAE_ARG(int64_t, particles, 50);
  OTAE_ARG(std::vector<int64_t>, particle_widths, (std::vector<int64_t>{1024, 1024, 1024, 1024}));
  OTAE_ARG(std::vector<int64_t>, jet_widths, (std::vector<int64_t>{1024, 1024, 1024, 1024}));
  OTAE_ARG(std::vector<int64_t>, decoder_widths, (std::vector<int64_t>{1024, 1024, 1024, 1024, 1024}));
  OTAE_ARG(bool, mask_padding, true);
  OTAE_ARG(bool, scale_sum, true);
  /// The encoder also sees each particle's (Δη, Δφ) from the jet axis (nn::ParticleFlowEncoderOptions).
  OTAE_ARG(bool, axis_offsets, false);
  /// Hidden widths of the dense VAE for toys; empty is the linear VAE of the paper's appendix.
  OTAE_ARG(std::vector<int64_t>, vector_encoder_widths, {});
  OTAE_ARG(std::vector<int64_t>, vector_decoder_widths, {});
  OTAE_ARG_PUBLIC

  nn::MixedLatentOptions mixed_latents() const;
  nn::EmdVaeOptions emd_vae() const;
  nn::DenseVaeOptions dense_vae(int64_t input_dim) const;
};

/// YAML `train` (its scalar keys).
struct VaeTrainingOptions {
  /// Seeds the initial weights, every batch order and every ε of the reparameterisation.
  OTAE_ARG(uint64_t, seed, 0);
  /// Intra-op threads (0: every core; Debian's LibTorch would otherwise use one).
  OTAE_ARG(int64_t, threads, 0);
  /// Where the network and the loss compute: cpu, cuda or cuda:N (resolve_device); the command
  /// line's --device overrides it.
  OTAE_ARG(std::string, device, "cpu");
  OTAE_ARG(int64_t, batch_size, 100);
  OTAE_ARG(int64_t, steps_per_epoch, 1000);
  /// Epoch limit of each β step.
  OTAE_ARG(int64_t, max_epochs, 50);
  /// Jets per forward pass when the whole validation set is evaluated (memory, not numbers).
  OTAE_ARG(int64_t, validation_batch_size, 1000);
  /// Retries of a β step whose loss became NaN or inf, each from the last checkpoint.
  OTAE_ARG(int64_t, max_nan_retries, 10);
  OTAE_ARG_PUBLIC
};

/// Everything a run needs. YAML sections: data (with data.split), model, loss.sinkhorn,
/// loss.binary_kl, train (with train.reduce_lr, train.early_stopping) and schedule.
struct VaeConfig {
  VaeDataOptions data;
  data::SplitOptions split;
  VaeModelOptions model;
  ot::SinkhornOptions sinkhorn;
  BinaryKlWeightOptions binary_kl;
  VaeTrainingOptions train;
  ReduceLrOnPlateauOptions reduce_lr;
  EarlyStoppingOptions early_stopping;
  BetaScheduleOptions schedule;

  /// Throws ConfigError naming the dotted key, its value and the range it must lie in (the
  /// schema's) for any value out of its domain.
  void validate() const;
};

/// Reads a YAML configuration (keys absent from it keep their defaults), applies the overrides
/// ("train.batch_size=50", "model.jet_widths=[64,64]"; values are YAML) and validates.
/// Throws IoError naming the file when it cannot be read, ConfigError naming the key for an
/// unknown key, a value of the wrong type or out of its domain, and the line for bad YAML.
VaeConfig load_vae_config(const std::string& path, const std::vector<std::string>& overrides = {});

/// As load_vae_config, from YAML text ("" is the defaults); `origin` names it in messages.
VaeConfig parse_vae_config(const std::string& yaml, const std::vector<std::string>& overrides = {},
                           const std::string& origin = "configuration");

/// The complete configuration as YAML, every key written; parse_vae_config reads it back to
/// the same values, bit for bit.
std::string to_yaml(const VaeConfig& config);

}  // namespace otae::train
