#include "otae/data/preprocessing_standardisation.hpp"

#include <cmath>
#include <string>

#include "otae/base/error.hpp"
#include "otae/data/split.hpp"

namespace otae::data {

namespace {

// Below this fraction of the column's magnitude a spread is rounding noise of a constant column.
constexpr double kConstantColumn = 1e-12;

at::Tensor as_tensor(const std::vector<double>& column_values) {
  return at::tensor(at::ArrayRef<double>(column_values), at::kDouble);
}

void check_columns(const at::Tensor& values, size_t n_columns, const char* caller) {
  if (!values.defined() || values.dim() < 1 || !at::isFloatingType(values.scalar_type()) ||
      values.size(-1) != int64_t(n_columns))
    throw InvalidArgument(std::string(caller) + ": expected a floating tensor [..., " + std::to_string(n_columns) +
                          "], received " +
                          (values.defined() ? std::string(values.toString()) + " of shape " + c10::str(values.sizes())
                                            : std::string("an undefined tensor")));
}

std::vector<double> to_vector(const at::Tensor& column_values) {
  const at::Tensor values = column_values.to(at::kDouble).contiguous();
  return std::vector<double>(values.data_ptr<double>(), values.data_ptr<double>() + values.numel());
}

}  // namespace

at::Tensor Standardisation::apply(const at::Tensor& values) const {
  check_columns(values, mean.size(), "Standardisation::apply");
  return ((values.to(at::kDouble) - as_tensor(mean)) / as_tensor(std_dev)).to(values.scalar_type());
}

at::Tensor Standardisation::invert(const at::Tensor& standardised) const {
  check_columns(standardised, mean.size(), "Standardisation::invert");
  return (standardised.to(at::kDouble) * as_tensor(std_dev) + as_tensor(mean)).to(standardised.scalar_type());
}

std::vector<at::Tensor> Standardisation::to_tensors() const { return {as_tensor(mean), as_tensor(std_dev)}; }

Standardisation Standardisation::from_tensors(const at::Tensor& mean, const at::Tensor& std_dev) {
  if (!mean.defined() || !std_dev.defined() || mean.dim() != 1 || std_dev.dim() != 1 || mean.size(0) < 1 ||
      mean.size(0) != std_dev.size(0))
    throw InvalidArgument("Standardisation::from_tensors: mean and std_dev must be 1-D of one length D ≥ 1");
  if (!at::isfinite(mean).all().item<bool>() || !(std_dev > 0).all().item<bool>() ||
      !at::isfinite(std_dev).all().item<bool>())
    throw InvalidArgument("Standardisation::from_tensors: mean must be finite and std_dev finite and positive");
  return {to_vector(mean), to_vector(std_dev)};
}

Standardisation fit_standardisation(const at::Tensor& values, const at::Tensor& rows) {
  if (!values.defined() || values.dim() != 2 || values.size(1) < 1 || !at::isFloatingType(values.scalar_type()))
    throw InvalidArgument("fit_standardisation: expected a floating tensor [N, D ≥ 1], received " +
                          (values.defined() ? std::string(values.toString()) + " of shape " + c10::str(values.sizes())
                                            : std::string("an undefined tensor")));
  check_rows(rows, values.size(0), "fit_standardisation");
  const at::Tensor training = values.index_select(0, rows).to(at::kDouble);
  if (!at::isfinite(training).all().item<bool>())
    throw InvalidArgument("fit_standardisation: the training rows hold a non-finite value");
  const at::Tensor mean = training.mean(0);
  at::Tensor std_dev = training.std(0, /*unbiased=*/false);
  const at::Tensor constant = std_dev <= kConstantColumn * (mean.abs() + 1.0);
  std_dev = at::where(constant, at::ones_like(std_dev), std_dev);
  return {to_vector(mean), to_vector(std_dev)};
}

}  // namespace otae::data
