// Traversal grids and the EMD between neighbouring decoded jets.
#include "otae/analysis/traversal.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "otae/base/error.hpp"

namespace otae::analysis {
namespace {

// Nested JSON arrays of the values from `data` onwards, for a tensor of `sizes` (row-major).
nlohmann::json nested(const double*& data, at::IntArrayRef sizes) {
  if (sizes.empty()) return *data++;
  nlohmann::json out = nlohmann::json::array();
  for (int64_t i = 0; i < sizes[0]; ++i) out.push_back(nested(data, sizes.slice(1)));
  return out;
}

nlohmann::json nested(const at::Tensor& t) {
  const at::Tensor values = t.to(at::kCPU, at::kDouble).contiguous();
  const double* data = values.data_ptr<double>();
  return nested(data, values.sizes());
}

}  // namespace

void TraversalOptions::validate() const {
  if (points_per_axis_ < 3 || points_per_axis_ % 2 == 0)
    throw InvalidArgument("TraversalOptions: points_per_axis must be odd and >= 3, received " +
                          std::to_string(points_per_axis_));
  if (!std::isfinite(step_) || step_ <= 0)
    throw InvalidArgument("TraversalOptions: step must be finite and > 0, received " + c10::str(step_));
}

std::vector<double> traversal_values(const TraversalOptions& options) {
  options.validate();
  const int64_t g = options.points_per_axis(), centre = (g - 1) / 2;
  std::vector<double> values(static_cast<size_t>(g));
  for (int64_t i = 0; i < g; ++i) values[static_cast<size_t>(i)] = static_cast<double>(i - centre) * options.step();
  return values;
}

at::Tensor traversal_grid(int64_t latent_dim, const std::vector<int64_t>& directions, const TraversalOptions& options) {
  const std::vector<double> values = traversal_values(options);
  if (latent_dim < 1)
    throw InvalidArgument("traversal_grid: latent_dim must be >= 1, received " + std::to_string(latent_dim));
  if (directions.empty() || directions.size() > 3)
    throw InvalidArgument("traversal_grid: needs 1 to 3 directions, received " + std::to_string(directions.size()));
  for (size_t a = 0; a < directions.size(); ++a) {
    if (directions[a] < 0 || directions[a] >= latent_dim)
      throw InvalidArgument("traversal_grid: direction " + std::to_string(directions[a]) +
                            " is outside the latent space [0, " + std::to_string(latent_dim) + ")");
    if (std::count(directions.begin(), directions.end(), directions[a]) > 1)
      throw InvalidArgument("traversal_grid: direction " + std::to_string(directions[a]) + " is repeated");
  }
  const int64_t g = options.points_per_axis(), d = static_cast<int64_t>(directions.size());
  std::vector<int64_t> shape(static_cast<size_t>(d), g);
  shape.push_back(latent_dim);
  at::Tensor grid = at::zeros(shape, at::kFloat);
  const at::Tensor axis_values = at::tensor(values, at::kDouble).to(at::kFloat);
  for (int64_t a = 0; a < d; ++a) {
    // The values along grid axis a, broadcast over the other axes.
    std::vector<int64_t> view(static_cast<size_t>(d), 1);
    view[static_cast<size_t>(a)] = g;
    grid.select(d, directions[static_cast<size_t>(a)]).copy_(axis_values.view(view).expand(grid.sizes().slice(0, d)));
  }
  return grid;
}

std::vector<at::Tensor> traversal_emds(const at::Tensor& decoded, const ot::PairwiseOptions& options) {
  if (!decoded.defined() || decoded.dim() < 3 || decoded.size(-1) != 3)
    throw InvalidArgument("traversal_emds: decoded must be [G, ..., G, M, 3], received " +
                          (decoded.defined() ? c10::str(decoded.sizes()) : std::string("an undefined tensor")));
  const int64_t axes = decoded.dim() - 2, m = decoded.size(-2);
  std::vector<at::Tensor> emds;
  for (int64_t a = 0; a < axes; ++a) {
    const int64_t g = decoded.size(a);
    if (g < 2)
      throw InvalidArgument("traversal_emds: grid axis " + std::to_string(a) + " has " + std::to_string(g) +
                            " point(s); neighbours need >= 2");
    const at::Tensor lower = decoded.narrow(a, 0, g - 1), upper = decoded.narrow(a, 1, g - 1);
    const auto grid_shape = lower.sizes().slice(0, static_cast<size_t>(axes)).vec();
    const at::Tensor values =
        ot::exact_emd_paired(lower.reshape({-1, m, 3}), upper.reshape({-1, m, 3}), options).values;
    emds.push_back(values.view(grid_shape));
  }
  return emds;
}

nlohmann::json traversal_to_json(const std::vector<int64_t>& directions, const TraversalOptions& options,
                                 const at::Tensor& decoded, const at::Tensor& encoded_means,
                                 const std::vector<at::Tensor>& emds) {
  nlohmann::json emd_list = nlohmann::json::array();
  for (const at::Tensor& e : emds) emd_list.push_back(nested(e));
  return {{"directions", directions},
          {"values", traversal_values(options)},
          {"decoded", nested(decoded)},
          {"encoded_means", encoded_means.defined() ? nested(encoded_means) : nlohmann::json::array()},
          {"emds", emd_list}};
}

}  // namespace otae::analysis
