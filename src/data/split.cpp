#include "otae/data/split.hpp"

#include <cmath>
#include <sstream>
#include <string>

#include "otae/base/error.hpp"
#include "seeded_random.hpp"

namespace otae::data {

namespace {

// Purposes of the derived streams, so that a split and an epoch of one seed never share numbers.
constexpr uint64_t kSplitPurpose = 1;
constexpr uint64_t kEpochPurpose = 2;

constexpr double kFractionSlack = 1e-9;

void check_fraction(const char* name, double value) {
  if (!(std::isfinite(value) && value >= 0.0 && value <= 1.0))
    throw InvalidArgument(std::string("split: the ") + name + " fraction must be in [0, 1], received " +
                          std::to_string(value));
}

at::Tensor sorted_rows(const at::Tensor& permutation, int64_t start, int64_t count) {
  return std::get<0>(permutation.narrow(0, start, count).sort());
}

}  // namespace

void SplitOptions::validate() const {
  check_fraction("train", train_);
  check_fraction("validation", validation_);
  check_fraction("test", test_);
  const double sum = train_ + validation_ + test_;
  if (sum > 1.0 + kFractionSlack) {
    std::ostringstream message;
    message << "split: the fractions sum to " << sum << " > 1 (train=" << train_
            << ", validation=" << validation_ << ", test=" << test_ << ")";
    throw InvalidArgument(message.str());
  }
}

Split split_rows(int64_t n_rows, const SplitOptions& options) {
  options.validate();
  if (n_rows < 1) throw InvalidArgument("split: there are no rows to split (n_rows=" + std::to_string(n_rows) + ")");
  const auto rounded = [n_rows](double fraction) { return std::llround(fraction * double(n_rows)); };
  const int64_t n_train = rounded(options.train());
  const int64_t n_validation = std::min<int64_t>(rounded(options.validation()), n_rows - n_train);
  const bool complete = options.train() + options.validation() + options.test() >= 1.0 - kFractionSlack;
  const int64_t n_left = n_rows - n_train - n_validation;
  const int64_t n_test = complete ? n_left : std::min<int64_t>(rounded(options.test()), n_left);

  const at::Tensor permutation = seeded_permutation(n_rows, derive_seed(options.seed(), {kSplitPurpose}));
  return {sorted_rows(permutation, 0, n_train), sorted_rows(permutation, n_train, n_validation),
          sorted_rows(permutation, n_train + n_validation, n_test)};
}

at::Tensor seeded_permutation(int64_t n, uint64_t seed) {
  if (n < 0) throw InvalidArgument("seeded_permutation: n must be non-negative, received " + std::to_string(n));
  at::Tensor permutation = at::arange(n, at::kLong);
  int64_t* p = permutation.data_ptr<int64_t>();
  detail::SeededRandom random(seed);
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[random.below(uint64_t(i) + 1)]);
  return permutation;
}

at::Tensor epoch_order(const at::Tensor& rows, uint64_t seed, int64_t epoch, uint64_t stream) {
  if (rows.dim() != 1 || rows.scalar_type() != at::kLong)
    throw InvalidArgument("epoch_order: rows must be a 1-D int64 tensor, received " + std::string(rows.toString()) +
                          " of shape " + c10::str(rows.sizes()));
  if (epoch < 0) throw InvalidArgument("epoch_order: epoch must be non-negative, received " + std::to_string(epoch));
  const uint64_t epoch_seed = derive_seed(seed, {kEpochPurpose, uint64_t(epoch), stream});
  return rows.index_select(0, seeded_permutation(rows.size(0), epoch_seed));
}

std::vector<at::Tensor> batch_slices(const at::Tensor& order, int64_t batch_size, bool drop_last) {
  if (order.dim() != 1)
    throw InvalidArgument("batch_slices: order must be 1-D, received shape " + c10::str(order.sizes()));
  if (batch_size < 1)
    throw InvalidArgument("batch_slices: batch_size must be at least 1, received " + std::to_string(batch_size));
  std::vector<at::Tensor> slices;
  const int64_t n = order.size(0);
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t count = std::min(batch_size, n - start);
    if (count < batch_size && drop_last) break;
    slices.push_back(order.narrow(0, start, count));
  }
  return slices;
}

void check_rows(const at::Tensor& rows, int64_t n_rows, const std::string& what) {
  if (!rows.defined() || rows.dim() != 1 || rows.scalar_type() != at::kLong || rows.size(0) == 0)
    throw InvalidArgument(what + ": rows must be a non-empty 1-D int64 tensor, received " +
                          (rows.defined() ? std::string(rows.toString()) + " of shape " + c10::str(rows.sizes())
                                          : std::string("an undefined tensor")));
  const int64_t lowest = rows.min().item<int64_t>(), highest = rows.max().item<int64_t>();
  if (lowest < 0 || highest >= n_rows)
    throw InvalidArgument(what + ": row " + std::to_string(lowest < 0 ? lowest : highest) + " is outside [0, " +
                          std::to_string(n_rows) + ")");
}

}  // namespace otae::data
