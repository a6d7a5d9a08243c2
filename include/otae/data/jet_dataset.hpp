// Jets held in memory for training: the preprocessed particles once (5·10⁵ jets of 50 particles
// are 300 MB of float32), each jet's HT, and batches gathered by row. Which rows form a split
// or an epoch is otae/data/split.hpp's business; this class only serves rows.
#pragma once

#include <cstdint>
#include <string>

#include <ATen/ATen.h>

#include "otae/data/preprocessing.hpp"

namespace otae::data {

/// The jets of one batch, in the order of `rows`.
struct JetBatch {
  at::Tensor rows;       ///< [B] int64: the dataset rows.
  at::Tensor particles;  ///< [B, M, 3] float32: (pT or pT/HT, η, φ) as preprocessed.
  at::Tensor features;   ///< [B, M, 4] float32: (pT/HT, η, cos φ, sin φ), the EMD-VAE input.
  at::Tensor ht;         ///< [B] float32 [GeV]: each jet's HT before normalisation.
};

class JetDataset {
 public:
  /// Takes the jets [N, M, 3] (pT [GeV], η, φ), checks them (`check_jets`) and preprocesses them.
  /// A contiguous CPU float32 tensor is preprocessed in place, without a copy: a caller that
  /// still holds it sees the preprocessed values (pass `particles.clone()` to keep the raw ones).
  /// Other dtypes or layouts are converted to a float32 copy first.
  /// Throws InvalidArgument naming the jet on a wrong shape, a non-finite value, a negative pT
  /// or an empty jet.
  explicit JetDataset(at::Tensor particles, const JetPreprocessing& preprocessing = {});

  /// N, the number of jets.
  int64_t size() const { return particles_.size(0); }
  /// M, the rows per jet (padding included).
  int64_t particles_per_jet() const { return particles_.size(1); }
  /// [N, M, 3] float32, preprocessed. Shares storage with the dataset.
  const at::Tensor& particles() const { return particles_; }
  /// [N] float32 [GeV]: each jet's HT before normalisation.
  const at::Tensor& ht() const { return ht_; }
  const JetPreprocessing& preprocessing() const { return preprocessing_; }

  /// ⟨HT⟩ [GeV] over all jets, the scale that turns β̂ into β in GeV (β = ⟨HT⟩ β̂).
  double mean_ht() const;
  /// ⟨HT⟩ [GeV] over `rows` (int64 [n], n ≥ 1), e.g. over the training split.
  double mean_ht(const at::Tensor& rows) const;

  /// Gathers the jets of `rows` (int64 [B], each in [0, N)); the only copy is the batch itself.
  /// Throws InvalidArgument on an empty, non-1-D, non-int64 or out-of-range `rows`.
  JetBatch batch(const at::Tensor& rows) const;

 private:
  JetPreprocessing preprocessing_;
  at::Tensor particles_;
  at::Tensor ht_;
};

/// Reads the jets of `dataset` ([N, M, 3] float32, the layout of the shared wjets.h5) from the
/// HDF5 file `path` and builds a JetDataset. Throws IoError naming the file and dataset when it
/// cannot be read, InvalidArgument when the jets are malformed.
JetDataset load_jet_dataset(const std::string& path, const JetPreprocessing& preprocessing = {},
                            const std::string& dataset = "particles");

}  // namespace otae::data
