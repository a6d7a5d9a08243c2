#include "otae/data/file_mix.hpp"

#include "otae/base/error.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/split.hpp"

namespace otae::data {
namespace {

/// The first `rows` rows of a dataset (all when rows = 0), refusing a file that has fewer.
at::Tensor leading_rows(const std::string& path, const std::string& dataset, int64_t rows) {
  const at::Tensor values = read_array(path, dataset);
  if (rows > values.size(0))
    throw IoError(path + ": dataset '" + dataset + "' has " + std::to_string(values.size(0)) +
                  " rows, fewer than --rows-per-file " + std::to_string(rows));
  return rows > 0 ? values.narrow(0, 0, rows) : values;
}

std::string shape_of(const at::Tensor& t) { return c10::str(t.sizes()); }

}  // namespace

MixedSample mix_jet_files(const std::string& first, const std::string& second, const std::string& out,
                          const MixOptions& options, const Attributes& attributes) {
  if (options.rows_per_file() < 0)
    throw InvalidArgument("rows_per_file must be >= 0, received " + std::to_string(options.rows_per_file()));
  const at::Tensor a = leading_rows(first, "particles", options.rows_per_file());
  const at::Tensor b = leading_rows(second, "particles", options.rows_per_file());
  if (a.sizes().slice(1) != b.sizes().slice(1) || a.scalar_type() != b.scalar_type())
    throw IoError(second + ": particles " + shape_of(b) + " do not match " + first + "'s " + shape_of(a) +
                  " beyond the number of rows");
  const at::Tensor order = seeded_permutation(a.size(0) + b.size(0), options.seed());
  const at::Tensor label = at::cat({at::zeros({a.size(0)}, at::kLong), at::ones({b.size(0)}, at::kLong)});
  std::vector<NamedArray> arrays{
      {"particles", at::cat({a, b}).index_select(0, order), read_attributes(first, "particles")},
      {"label",
       label.index_select(0, order),
       {{"description", "origin of each jet: 0 = " + first + ", 1 = " + second +
                            "; truth for evaluation only, never a training input"}}}};
  if (has_dataset(first, "jet") && has_dataset(second, "jet")) {
    const at::Tensor jets = at::cat({leading_rows(first, "jet", a.size(0)), leading_rows(second, "jet", b.size(0))});
    arrays.push_back({"jet", jets.index_select(0, order), read_attributes(first, "jet")});
  }
  Attributes root = attributes;
  root["mixed_from"] = first + "," + second;
  root["mix_seed"] = std::to_string(options.seed());
  root["rows"] = std::to_string(order.size(0));
  write_arrays(out, arrays, root);
  return {a.size(0), b.size(0)};
}

}  // namespace otae::data
