#include "otae/data/inspect.hpp"

#include <algorithm>

namespace otae::data {
namespace {

std::vector<std::string> column_names(const ListAttributes& lists, int64_t count) {
  std::vector<std::string> names;
  if (lists.count("columns")) {
    names = lists.at("columns");
  } else if (lists.count("objects") && lists.count("columns_per_object")) {
    for (const std::string& object : lists.at("objects"))
      for (const std::string& column : lists.at("columns_per_object")) names.push_back(object + " " + column);
  }
  if (static_cast<int64_t>(names.size()) == count) return names;
  names.clear();
  for (int64_t i = 0; i < count; ++i) names.push_back("column " + std::to_string(i));
  return names;
}

// Rows of the values as [rows, columns], with the padded particles of [N, M, C] datasets dropped.
at::Tensor table_rows(const at::Tensor& values, double& padding_fraction) {
  padding_fraction = 0.0;
  if (values.dim() == 0) return values.reshape({1, 1});
  if (values.dim() == 1) return values.reshape({-1, 1});
  const at::Tensor rows = values.reshape({-1, values.size(-1)});
  if (values.dim() != 3 || rows.size(0) == 0) return rows;
  const at::Tensor padded = rows.select(1, 0) == 0;
  padding_fraction = padded.to(at::kDouble).mean().item<double>();
  return rows.index({at::logical_not(padded)});
}

// Linear interpolation between order statistics, as numpy.quantile does by default. Sorting
// ourselves because at::quantile refuses inputs above 2^24 values.
std::vector<double> quantiles_of(const at::Tensor& column) {
  const at::Tensor sorted = std::get<0>(column.index({at::isfinite(column)}).sort()).contiguous();
  const int64_t n = sorted.numel();
  if (n == 0) return {};
  const double* value = sorted.data_ptr<double>();
  std::vector<double> quantiles;
  for (const double q : kSummaryQuantiles) {
    const double position = q * static_cast<double>(n - 1);
    const auto below = static_cast<int64_t>(position);
    const int64_t above = std::min(below + 1, n - 1);
    quantiles.push_back(value[below] + (position - static_cast<double>(below)) * (value[above] - value[below]));
  }
  return quantiles;
}

DatasetSummary summarize(const std::string& path, const std::string& name) {
  const at::Tensor values = read_array(path, name);
  DatasetSummary summary;
  summary.name = name;
  summary.shape = values.sizes().vec();
  summary.dtype = dtype_name(values.scalar_type());
  summary.rows = values.dim() > 0 ? values.size(0) : 1;
  summary.attributes = read_attributes(path, name);
  const at::Tensor as_double = values.to(at::kDouble);
  summary.non_finite = at::logical_not(at::isfinite(as_double)).sum().item<int64_t>();
  const at::Tensor rows = table_rows(as_double, summary.padding_fraction);
  const std::vector<std::string> names = column_names(read_list_attributes(path, name), rows.size(1));
  for (int64_t c = 0; c < rows.size(1); ++c) summary.columns.push_back({names[c], quantiles_of(rows.select(1, c))});
  return summary;
}

}  // namespace

FileSummary inspect_file(const std::string& path) {
  FileSummary summary{path, read_attributes(path), {}};
  for (const std::string& name : list_datasets(path)) summary.datasets.push_back(summarize(path, name));
  return summary;
}

}  // namespace otae::data
