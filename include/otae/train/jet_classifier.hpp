// The supervised baseline for unsupervised classification: the EMD-VAE encoder's Particle Flow
// trunk with a logistic output, trained with binary cross-entropy on the labels of the training
// rows and scored on held-out rows, so that the binary latent's AUC has a scale to be read on.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "otae/base/arg.hpp"
#include "otae/nn/particle_flow_encoder.hpp"
#include "otae/train/vae_data.hpp"

namespace otae::train {

struct JetClassifierOptions {
  /// The trunk (widths, slope, padding mask, sum scaling); its latent settings are unused.
  OTAE_ARG(nn::ParticleFlowEncoderOptions, network, nn::ParticleFlowEncoderOptions());
  /// Passes over the training rows.
  OTAE_ARG(int64_t, epochs, 20);
  OTAE_ARG(int64_t, batch_size, 100);
  /// Adam's step size.
  OTAE_ARG(double, learning_rate, 1e-3);
  /// Seeds the initial weights and the batch order.
  OTAE_ARG(uint64_t, seed, 0);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument (echoing the value) unless epochs, batch_size ≥ 1 and the learning
  /// rate is > 0, or as the network's options.
  void validate() const;
};

/// What the trained classifier says about the scored rows.
struct JetClassifierResult {
  at::Tensor probabilities;           ///< [R] float64: P(label 1) of each scored row
  std::vector<double> training_loss;  ///< [epochs]: mean binary cross-entropy [nats] per epoch
};

/// Trains on `train_rows` of jets `data` (int64 row indices) against `labels` [N] (0 or 1, any
/// integer or floating dtype) and returns P(label 1) of `scored_rows`. `on_epoch(epoch, loss)` is
/// called after each epoch when set. Throws InvalidArgument when data holds no jets, labels are
/// not [N] of 0s and 1s, or a row is out of range; as options.validate().
JetClassifierResult train_jet_classifier(const VaeData& data, const at::Tensor& labels, const at::Tensor& train_rows,
                                         const at::Tensor& scored_rows, const JetClassifierOptions& options,
                                         const std::function<void(int64_t, double)>& on_epoch = {});

}  // namespace otae::train
