// The rows a VAE is trained on, whichever their kind: jets from an HDF5 file (preprocessed once,
// served as network features and as (pT/HT, η, φ) targets) or the points of a toy dataset.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <optional>
#include <string>

#include "otae/data/jet_dataset.hpp"
#include "otae/train/vae_config.hpp"

namespace otae::train {

/// One batch: what the encoder sees and what the reconstruction is compared with.
struct VaeBatch {
  at::Tensor inputs;   ///< jets [B, M, 4] float32 (pT/HT, η, cos φ, sin φ); vectors [B, d] float32.
  at::Tensor targets;  ///< jets [B, M, 3] float32 (pT/HT, η, φ); vectors [B, d] float32.
};

class VaeData {
 public:
  /// Reads options.source(): a toy spec ("toy:…") is drawn, anything else is read as an HDF5
  /// file of jets (dataset options.dataset()), pT/HT-normalised and centred when
  /// options.centre(). Keeps the first max_rows rows when max_rows > 0.
  /// Throws ConfigError for an empty source or a bad toy spec, IoError naming the file when it
  /// cannot be read, InvalidArgument when the jets are malformed.
  static VaeData load(const VaeDataOptions& options);

  /// Number of rows N.
  int64_t size() const;
  /// True for jets, false for toy vectors.
  bool on_jets() const { return jets_.has_value(); }
  /// Particles per jet M, or the dimension d of the vectors.
  int64_t row_width() const;

  /// Gathers `rows` (int64 [B], each in [0, N)). Throws InvalidArgument on bad rows.
  VaeBatch batch(const at::Tensor& rows) const;

  /// The unit that turns β̂ into β: ⟨HT⟩ [GeV] over `rows` for jets, 1 for toy vectors.
  double energy_scale(const at::Tensor& rows) const;

 private:
  std::optional<data::JetDataset> jets_;
  at::Tensor vectors_;
};

}  // namespace otae::train
