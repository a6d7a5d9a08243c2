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

/// The attributes of a dataset as stored: lists (columns) as lists, the others as text.
std::pair<Attributes, ListAttributes> stored_attributes(const std::string& path, const std::string& dataset) {
  ListAttributes lists = read_list_attributes(path, dataset);
  Attributes texts = read_attributes(path, dataset);
  for (const auto& [key, list] : lists) texts.erase(key);
  return {texts, lists};
}

/// A per-jet dataset of both files (jet, truth), rows in the mixed order. Its attributes are the
/// first file's; a list attribute the files disagree on (truth columns of W and QCD jets name
/// different partons) is kept per label, as `<key>_label_0` and `<key>_label_1`.
NamedArray mixed_dataset(const std::string& first, const std::string& second, const std::string& dataset,
                         const at::Tensor& a, const at::Tensor& b, const at::Tensor& order) {
  if (a.sizes().slice(1) != b.sizes().slice(1))
    throw IoError(second + ": dataset '" + dataset + "' " + shape_of(b) + " does not match " + first + "'s " +
                  shape_of(a) + " beyond the number of rows");
  auto [texts, lists] = stored_attributes(first, dataset);
  const ListAttributes second_lists = stored_attributes(second, dataset).second;
  for (const auto& [key, list] : second_lists) {
    if (lists.count(key) && lists.at(key) == list) continue;
    lists[key + "_label_0"] = lists.count(key) ? lists.at(key) : std::vector<std::string>{};
    lists[key + "_label_1"] = list;
    lists.erase(key);
  }
  return {dataset, at::cat({a, b.to(a.scalar_type())}).index_select(0, order), texts, lists};
}

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
      mixed_dataset(first, second, "particles", a, b, order),
      {"label",
       label.index_select(0, order),
       {{"description", "origin of each jet: 0 = " + first + ", 1 = " + second +
                            "; truth for evaluation only, never a training input"}}}};
  for (const std::string dataset : {"jet", "truth"}) {
    if (has_dataset(first, dataset) && has_dataset(second, dataset))
      arrays.push_back(mixed_dataset(first, second, dataset, leading_rows(first, dataset, a.size(0)),
                                     leading_rows(second, dataset, b.size(0)), order));
  }
  Attributes root = attributes;
  root["mixed_from"] = first + "," + second;
  root["mix_seed"] = std::to_string(options.seed());
  root["rows"] = std::to_string(order.size(0));
  write_arrays(out, arrays, root);
  return {a.size(0), b.size(0)};
}

}  // namespace otae::data
