// Jet preprocessing on [N, M, 3] tensors before a network sees them: validation, pT/HT
// normalisation (keeping each jet's HT, since β in GeV = ⟨HT⟩ β̂), centring on the pT-weighted
// (η, φ) centroid, and the EMD-VAE's input features. The per-jet arithmetic is
// otae/physics/jet_preprocessing.hpp; this file runs it over batches of jets in parallel.
#pragma once

#include <string>

#include <ATen/ATen.h>

#include "otae/base/arg.hpp"

namespace otae::data {

/// What `preprocess_jets_` does to each jet. Defaults are the EMD-VAE paper's: both on.
struct JetPreprocessing {
  /// pT → pT/HT, so that each jet's weights sum to 1.
  OTAE_ARG(bool, normalise_pt, true);
  /// Move the pT-weighted (η, φ) centroid to (0, 0), φ computed on the circle and wrapped
  /// back into [−π, π) (see physics::pt_weighted_centroid).
  OTAE_ARG(bool, centre, true);
  OTAE_ARG_PUBLIC
};

/// Checks that `particles` is a CPU floating tensor [N, M, 3] (pT [GeV], η, φ) with N ≥ 1 and
/// M ≥ 1, every value finite, every pT ≥ 0 and every jet non-empty (HT > 0). Throws
/// InvalidArgument naming `what`, the jet and particle index, and the problem.
void check_jets(const at::Tensor& particles, const std::string& what = "particles");

/// HT = Σ pT of each jet: [N, M, 3] floating → [N] float64 [GeV]; padding rows add nothing.
at::Tensor jet_ht(const at::Tensor& particles);

/// Preprocesses the jets in place and returns each jet's HT before normalisation, [N] float32
/// [GeV]. `particles` must be a contiguous CPU float32 [N, M, 3] tensor that passes
/// `check_jets` (which runs first; throws InvalidArgument otherwise). No copy is made, so
/// 5·10⁵ jets of 50 particles need their 300 MB once. Padding rows (pT = 0) stay as they are.
at::Tensor preprocess_jets_(at::Tensor& particles, const JetPreprocessing& options = {});

/// Preprocessed jets and what preprocessing removed from them.
struct PreprocessedJets {
  at::Tensor particles;  ///< [N, M, 3] float32: (pT or pT/HT, η, φ).
  at::Tensor ht;         ///< [N] float32 [GeV]: each jet's HT before normalisation.
};

/// As `preprocess_jets_`, on a float32 copy; `particles` (any floating dtype) is left untouched.
PreprocessedJets preprocess_jets(const at::Tensor& particles, const JetPreprocessing& options = {});

/// The EMD-VAE's input features per particle, in this order: (pT/HT, η, cos φ, sin φ).
/// [N, M, 3] (pT, η, φ), pT raw or already normalised → [N, M, 4] float32. HT is recomputed from
/// the rows, so normalised and raw jets give the same features. Padding rows (pT = 0) give
/// (0, 0, 0, 0), not (0, 0, 1, 0). Throws InvalidArgument on a wrong shape or an empty jet.
at::Tensor network_features(const at::Tensor& particles);

}  // namespace otae::data
