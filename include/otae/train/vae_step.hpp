// One training step's gradient for the VAE, computed in shards of the batch. The networks of a
// CPU configuration are too narrow to keep two cores busy inside one forward and backward pass,
// but the shards of a batch are independent until their gradients meet in the parameters: on two
// or more threads they run side by side, on one thread after each other, with the same numbers
// either way, since each shard draws from its own noise stream and two gradients add the same in
// either order.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

#include "otae/train/vae_data.hpp"
#include "otae/train/vae_loss.hpp"
#include "otae/train/vae_model.hpp"

namespace otae::train {

/// Shards of every training batch (fewer when the batch has fewer rows).
inline constexpr int64_t kBatchShards = 2;

/// The shards of every batch, and the range [first, first + count) of them that this process
/// computes: all kBatchShards alone; in a data-parallel run (distributed.hpp) rank r computes its
/// own range of max(kBatchShards, ranks) shards, so that two processes compute the two shards that
/// one process computes, with the same noise streams.
struct BatchShards {
  int64_t total = kBatchShards, first = 0, count = kBatchShards;
};

/// Adds to the model's parameter gradients the gradient of the batch's loss — the β̂ objective of
/// vae_loss, with every mean over the whole batch — and returns its terms (detached). Shard s
/// draws its latent noise (and binary-latent noise) from `noise[s]`; `noise` holds `shards.total`
/// generators. Only the shards of `shards` are computed, each weighed by its share of the whole
/// batch, and the terms returned are theirs. With `concurrent_shards` the shards run on threads of their own, each with the
/// intra-op threads that configure_cpu_compute set (see shard_compute_threads). Throws
/// NonFiniteLoss, naming the shard, when a loss is not finite; the gradients are then partial and
/// the caller discards them.
VaeLossTerms accumulate_vae_gradient(VaeModel& model, const VaeBatch& batch, double beta_hat,
                                     double binary_kl_weight, std::vector<at::Generator>& noise,
                                     bool concurrent_shards, const BatchShards& shards = {});

/// How `threads` cores (0: every core) are used: concurrent shards when there are at least two,
/// and the intra-op threads of each shard, for configure_cpu_compute. Every thread of the process
/// keeps one OpenMP team size: giving the shard threads a size of their own made each step several
/// times slower (OpenBLAS's OpenMP build follows the calling thread's size and re-initialises
/// whenever it changes).
struct ShardCompute {
  bool concurrent_shards = false;
  int64_t intra_op_threads = 1;
};
ShardCompute shard_compute_threads(int64_t threads);

}  // namespace otae::train
