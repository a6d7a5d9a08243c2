// The tiny EMD-VAE configuration on the embedded W jets that the analysis tests train in seconds.
#pragma once

#include <string>
#include <vector>

#include "otae/train/vae_config.hpp"

namespace otae::testing {

inline const std::string kSmallWJets = OTAE_SOURCE_DIR "/samples/wjets_small.h5";

/// 400 of the embedded W jets (200 training, 100 validation, 100 test), 4 Gaussian directions, a
/// network of width 16, a priming and a production run of 2 β steps each; `extra` overrides more.
inline train::VaeConfig tiny_jet_config(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> overrides = {
      "data.source=" + kSmallWJets, "data.max_rows=400",
      "data.split={train: 0.5, validation: 0.25, test: 0.25, seed: 3}", "model.latent_dim=4",
      "model.particle_widths=[16]", "model.jet_widths=[16]", "model.decoder_widths=[16]", "train.threads=1",
      "train.batch_size=20", "train.steps_per_epoch=5", "train.max_epochs=2", "train.validation_batch_size=100",
      "schedule.grid.log10_first=-1.5", "schedule.grid.log10_step=0.5", "schedule.grid.points=2",
      "schedule.zigzag.legs=0", "schedule.priming.learning_rate=3e-3", "schedule.production.learning_rate=1e-3"};
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  return train::parse_vae_config("", overrides);
}

}  // namespace otae::testing
