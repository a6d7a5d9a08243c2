// Which rows a model sees, and in which order: the deterministic train/validation/test split
// and the seeded order of every epoch. Everything here is a function of the seed alone, the
// same on every machine and LibTorch version, so a run folder's seed is enough to reproduce it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "otae/base/arg.hpp"

namespace otae::data {

/// Fractions of the rows in each part and the seed of the split. The fractions may sum to less
/// than 1 (the rest is left out, for quick runs) but not to more.
struct SplitOptions {
  OTAE_ARG(double, train, 0.8);
  OTAE_ARG(double, validation, 0.1);
  OTAE_ARG(double, test, 0.1);
  OTAE_ARG(uint64_t, seed, 0);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument (echoing the values) unless every fraction is finite and in [0, 1]
  /// and their sum is at most 1.
  void validate() const;
};

/// Rows of each part: int64 [n_part] each, sorted ascending, pairwise disjoint.
struct Split {
  at::Tensor train;
  at::Tensor validation;
  at::Tensor test;
};

/// Splits rows 0…n_rows−1. A seeded permutation is cut into consecutive parts of
/// round(fraction · n_rows) rows (when the fractions sum to 1 the test part takes the remainder
/// instead, so that no row is lost to rounding). Deterministic in (n_rows, options).
/// Throws InvalidArgument when n_rows < 1 or the options are invalid.
Split split_rows(int64_t n_rows, const SplitOptions& options = {});

/// A uniformly random permutation of 0…n−1 as int64 [n], from the seed alone (Fisher–Yates on
/// a 64-bit Mersenne Twister). Throws InvalidArgument when n < 0.
at::Tensor seeded_permutation(int64_t n, uint64_t seed);

/// The order in which epoch `epoch` visits `rows` (int64 [n]): `rows` permuted by a stream
/// derived from (seed, epoch, stream). The same arguments give the same order every time;
/// other epochs, seeds or streams give unrelated orders. Two consumers that must not be
/// correlated (the z and x of unpaired training) use different `stream`s.
/// Throws InvalidArgument unless `rows` is a 1-D int64 tensor and epoch ≥ 0.
at::Tensor epoch_order(const at::Tensor& rows, uint64_t seed, int64_t epoch, uint64_t stream = 0);

/// Consecutive slices of `order` with `batch_size` rows each (views into `order`, no copy);
/// the last slice is shorter unless `drop_last`, in which case it is left out.
/// Throws InvalidArgument unless `order` is 1-D and batch_size ≥ 1.
std::vector<at::Tensor> batch_slices(const at::Tensor& order, int64_t batch_size, bool drop_last = false);

/// Checks that `rows` can index a table of `n_rows` rows: a non-empty 1-D int64 tensor with
/// every entry in [0, n_rows). Throws InvalidArgument naming `what` and the offending value.
void check_rows(const at::Tensor& rows, int64_t n_rows, const std::string& what);

}  // namespace otae::data
