// What `otae vae analyze` and `otae explore` read of a VAE run: its configuration and kept β-step
// checkpoints, the rows it never trained or validated on, and the physics quantities of those jets.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "otae/analysis/latent_physics.hpp"
#include "otae/train/vae_config.hpp"
#include "otae/train/vae_data.hpp"
#include "otae/train/vae_run_folder.hpp"

namespace otae::analysis {

/// A run's resolved configuration and its kept β-step checkpoints, in step order.
struct VaeRunCheckpoints {
  train::VaeConfig config;
  std::vector<train::StepCheckpoint> checkpoints;
};

/// Reads `folder`'s config.yaml and kept checkpoints. Throws IoError naming the folder when it has
/// no readable configuration or no finished β step.
VaeRunCheckpoints read_vae_run(const train::VaeRunFolder& folder);

/// Held-out rows with the data they index.
struct VaeHeldOut {
  std::string source;  ///< the HDF5 file or toy spec the rows come from
  train::VaeData data;  ///< every row of `source`, prepared as the run prepared its training rows
  at::Tensor rows;      ///< int64 [N] into data
};

/// Rows of `source` (empty: the run's own data source) that the run never trained or validated on:
/// for the run's own source its test split, then the rows beyond its data.max_rows; any other
/// source is held out entirely. At most `max_rows` of them, the first ones (0: all).
/// Throws ConfigError naming the source when fewer than 2 rows are left, and as VaeData::load.
VaeHeldOut held_out_rows(const train::VaeConfig& run, const std::string& source, int64_t max_rows);

/// The jets' pT [GeV], η, φ (circular) and mass [GeV] from the massless four-vectors of the raw
/// particles in dataset `dataset` of `path`, and every column of a `truth` dataset when the file
/// has one (named by its `columns` attribute; names containing "phi" or "angle" are circular),
/// for `rows` (int64 [N]). Throws IoError naming the file when `truth` has no usable `columns`.
std::vector<PhysicsQuantity> physics_quantities(const std::string& path, const std::string& dataset,
                                                const at::Tensor& rows);

}  // namespace otae::analysis
