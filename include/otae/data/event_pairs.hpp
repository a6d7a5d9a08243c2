// Events for OTUS: parton-level z and detector-level x, (px, py, pz, E) [GeV] per object.
// Row i of z and row i of x are the same event, and that pairing is for evaluation only:
// training batches draw z and x with independent orders (or from disjoint halves), so a model
// can never learn p(x|z) from the pairing the generator left in the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "otae/base/arg.hpp"

namespace otae::data {

/// z and x rows of one batch. In a paired batch z_rows == x_rows; in an unpaired one they are
/// unrelated.
struct EventBatch {
  at::Tensor z_rows;  ///< [B] int64
  at::Tensor x_rows;  ///< [B] int64
  at::Tensor z;       ///< [B, 4·k_z] float32 [GeV]
  at::Tensor x;       ///< [B, 4·k_x] float32 [GeV]
};

class EventPairs {
 public:
  /// z [N, 4·k_z] and x [N, 4·k_x], floating, CPU, finite, N ≥ 1, k ≥ 1; kept as float32.
  /// Throws InvalidArgument naming the tensor and the problem (shape, row count, NaN and where).
  EventPairs(at::Tensor z, at::Tensor x);

  /// N, the number of events.
  int64_t size() const { return z_.size(0); }
  /// [N, 4·k_z] float32 [GeV], parton level.
  const at::Tensor& z() const { return z_; }
  /// [N, 4·k_x] float32 [GeV], detector level.
  const at::Tensor& x() const { return x_; }

  /// Evaluation only: z and x of the same events `rows` (int64 [B]).
  EventBatch paired_batch(const at::Tensor& rows) const;
  /// Training: z of `z_rows` and x of `x_rows` (int64 [B] each, same B), deliberately unpaired.
  EventBatch unpaired_batch(const at::Tensor& z_rows, const at::Tensor& x_rows) const;

 private:
  at::Tensor z_;
  at::Tensor x_;
};

/// How an unpaired epoch keeps z and x apart.
enum class UnpairedSampling {
  /// z and x each visit every training row, in orders from independent streams: any row of x
  /// meets the z of its own event with the chance 1/n of a random pairing.
  kIndependentPermutations,
  /// The training rows are cut once (by the seed, the same for every epoch) into two halves
  /// of ⌊n/2⌋ rows (an odd row out is left out); z comes only from one half and x only from the
  /// other, so no event is ever seen from both sides.
  kDisjointHalves,
};

struct UnpairedEpochOptions {
  OTAE_ARG(uint64_t, seed, 0);
  OTAE_ARG(int64_t, batch_size, 256);
  /// Leave out the last, shorter batch.
  OTAE_ARG(bool, drop_last, false);
  OTAE_ARG(UnpairedSampling, sampling, UnpairedSampling::kIndependentPermutations);
  OTAE_ARG_PUBLIC
};

/// The batches of one training epoch: batch b pairs z rows z_rows[b] with x rows x_rows[b]
/// (int64 [B_b] each, the same B_b). Deterministic in (train_rows, epoch, options).
struct UnpairedEpoch {
  std::vector<at::Tensor> z_rows;
  std::vector<at::Tensor> x_rows;
};

/// Orders `train_rows` (int64 [n], n ≥ 2) for epoch `epoch` ≥ 0 with independent z and x
/// streams. Throws InvalidArgument on bad rows, a negative epoch or batch_size < 1.
UnpairedEpoch unpaired_epoch(const at::Tensor& train_rows, int64_t epoch, const UnpairedEpochOptions& options = {});

/// Reads datasets `z` and `x` from the HDF5 file `path` (the layout of the shared zee.h5 and
/// ttbar.h5). Throws IoError naming the file and dataset when unreadable, InvalidArgument when
/// the arrays are malformed.
EventPairs load_event_pairs(const std::string& path);

/// Parton-level z and detector-level x from two samples that are not paired event by event
/// (simulated partons against real detector data), with the sizes the files held.
struct UnpairedSamples {
  EventPairs events;
  int64_t z_in_file = 0, x_in_file = 0;
};

/// Dataset `z` of `z_path` and dataset `x` of `x_path`, which may differ in size: the larger is
/// cut to the smaller's count by a seeded random choice (kept in file order), so that every batch
/// draws z and x alike and a run's split applies to both. Row i of z and of x are then unrelated
/// events. Throws as load_event_pairs.
UnpairedSamples load_unpaired_events(const std::string& z_path, const std::string& x_path, uint64_t seed);

}  // namespace otae::data
