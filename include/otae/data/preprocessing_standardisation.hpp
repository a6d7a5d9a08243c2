// Per-column standardisation of event features, (v − mean) / σ, with the statistics taken from
// the training rows only so that validation and test rows never leak into what the model sees.
// The statistics are plain numbers, written into the run folder and read back to invert a
// model's standardised output into GeV.
#pragma once

#include <vector>

#include <ATen/ATen.h>

namespace otae::data {

/// Mean and standard deviation of each of D columns, in the columns' units (GeV for events).
struct Standardisation {
  std::vector<double> mean;
  /// The divisor of each column: the population standard deviation over the rows it was fitted
  /// on, or 1 for a column that is constant there (the missing momentum's pz), which is then
  /// only shifted.
  std::vector<double> std_dev;

  /// (values − mean) / std_dev column by column: [..., D] floating → same shape and dtype,
  /// computed in float64. Throws InvalidArgument when the last dimension is not D.
  at::Tensor apply(const at::Tensor& values) const;
  /// The inverse, mean + std_dev · standardised: [..., D] → same shape and dtype.
  at::Tensor invert(const at::Tensor& standardised) const;

  /// The statistics as tensors {mean, std_dev}, each [D] float64 (for a checkpoint or HDF5).
  std::vector<at::Tensor> to_tensors() const;
  /// Rebuilds the statistics from `to_tensors()`'s output. Throws InvalidArgument unless both are
  /// 1-D of one length D ≥ 1, finite, with every std_dev > 0.
  static Standardisation from_tensors(const at::Tensor& mean, const at::Tensor& std_dev);
};

/// Fits the statistics of `values` [N, D] (floating, finite) over `rows` (int64 [n], n ≥ 1;
/// the training split), in float64. Throws InvalidArgument on a wrong shape, bad rows, or a
/// non-finite value among the rows.
Standardisation fit_standardisation(const at::Tensor& values, const at::Tensor& rows);

}  // namespace otae::data
