// Partial distance files and their merge; see distance_shards.hpp.
#include "otae/data/distance_shards.hpp"

#include <cstdio>
#include <set>

#include "otae/base/error.hpp"

namespace otae::data {
namespace {

const char* layout_name(DistanceLayout layout) {
  switch (layout) {
    case DistanceLayout::kPaired: return "paired";
    case DistanceLayout::kMatrix: return "matrix";
    case DistanceLayout::kSymmetric: return "symmetric";
  }
  return "";
}

/// Root attributes that describe the shard, not the whole result.
bool shard_attribute(const std::string& key) { return key.rfind("shard", 0) == 0; }

/// Root attributes that must agree between the shards: all but the shard's own and the command line.
Attributes common_attributes(Attributes attributes) {
  for (auto it = attributes.begin(); it != attributes.end();)
    it = shard_attribute(it->first) || it->first == "command_line" ? attributes.erase(it) : std::next(it);
  return attributes;
}

/// The shard of a partial file from its 'shard' attribute.
std::pair<int64_t, int64_t> parse_shard(const std::string& path, const std::string& text) {
  const auto shard = parse_shard_label(text);
  if (!shard)
    throw IoError(path + ": root attribute 'shard' is '" + text + "', not K/N with 1 <= K <= N; is it a partial file "
                  "written by otae emd --shard?");
  return *shard;
}

void require_equal(const std::string& what, const std::string& first_path, const std::string& first,
                   const std::string& path, const std::string& value) {
  if (first != value)
    throw IoError(path + " is not a shard of the computation of " + first_path + ": its " + what + " is '" + value +
                  "' against '" + first + "'");
}

}  // namespace

std::string inputs_fingerprint(const std::vector<at::Tensor>& tensors) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  auto mix = [&hash](const unsigned char* bytes, size_t n) {
    for (size_t i = 0; i < n; ++i) hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
  };
  for (const at::Tensor& t : tensors) {
    for (int64_t size : t.sizes()) mix(reinterpret_cast<const unsigned char*>(&size), sizeof(size));
    const at::Tensor values = t.to(at::kCPU, at::kDouble).contiguous();
    mix(reinterpret_cast<const unsigned char*>(values.data_ptr<double>()), values.numel() * sizeof(double));
  }
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

std::optional<std::pair<int64_t, int64_t>> parse_shard_label(const std::string& text) {
  long k = 0, n = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%ld/%ld%c", &k, &n, &tail) != 2 || n < 1 || k < 1 || k > n) return std::nullopt;
  return std::pair<int64_t, int64_t>{k - 1, n};
}

std::pair<int64_t, int64_t> shard_rows(int64_t rows, int64_t index, int64_t count) {
  return {rows * index / count, rows * (index + 1) / count};
}

at::Tensor scattered_distances(const DistanceShard& shard) {
  if (shard.layout == DistanceLayout::kPaired)
    return at::zeros({shard.rows}, at::kDouble).index_put_({shard.entry_rows}, shard.values);
  at::Tensor result = at::zeros({shard.rows, shard.columns}, at::kDouble);
  result.index_put_({shard.entry_rows, shard.entry_columns}, shard.values);
  if (shard.layout == DistanceLayout::kSymmetric) result.index_put_({shard.entry_columns, shard.entry_rows}, shard.values);
  return result;
}

void write_distance_shard(const std::string& path, const DistanceShard& shard, const Attributes& distance_attributes,
                          const Attributes& root_attributes) {
  Attributes root = root_attributes;
  root["shard"] = std::to_string(shard.index + 1) + "/" + std::to_string(shard.count);
  root["shard_layout"] = layout_name(shard.layout);
  root["shard_shape"] = std::to_string(shard.rows) + "," + std::to_string(shard.columns);
  root["shard_inputs"] = shard.inputs;
  write_arrays(path,
               {{"rows", shard.entry_rows.to(at::kLong).contiguous(), {{"description", "row of each entry"}}},
                {"columns", shard.entry_columns.to(at::kLong).contiguous(), {{"description", "column of each entry"}}},
                {"distances", shard.values.to(at::kDouble).contiguous(), distance_attributes}},
               root);
}

void merge_distance_shards(const std::vector<std::string>& paths, const std::string& out,
                           const Attributes& provenance) {
  if (paths.empty()) throw IoError("no shard files to merge");
  const std::string& first = paths.front();
  const Attributes first_root = read_attributes(first);
  const Attributes first_common = common_attributes(first_root);
  const Attributes distance_attributes = read_attributes(first, "distances");
  const int64_t count = parse_shard(first, first_root.count("shard") ? first_root.at("shard") : "").second;
  const std::string layout = first_root.at("shard_layout");
  long rows = 0, columns = 0;
  std::sscanf(first_root.at("shard_shape").c_str(), "%ld,%ld", &rows, &columns);
  const bool paired = layout == "paired", symmetric = layout == "symmetric";

  at::Tensor result = paired ? at::zeros({rows}, at::kDouble) : at::zeros({rows, columns}, at::kDouble);
  at::Tensor covered = at::zeros(result.sizes(), at::kByte);
  std::set<int64_t> seen;
  for (const std::string& path : paths) {
    const Attributes root = read_attributes(path);
    const auto [index, n] = parse_shard(path, root.count("shard") ? root.at("shard") : "");
    require_equal("shard count", first, std::to_string(count), path, std::to_string(n));
    for (const char* key : {"shard_layout", "shard_shape", "shard_inputs"})
      require_equal(std::string("attribute ") + key, first, first_root.at(key), path, root.at(key));
    for (const auto& [key, value] : first_common)
      require_equal("attribute " + key, first, value, path, root.count(key) ? root.at(key) : "(absent)");
    for (const auto& [key, value] : common_attributes(root))
      if (!first_common.count(key)) require_equal("attribute " + key, first, "(absent)", path, value);
    if (!seen.insert(index).second)
      throw IoError(path + " is shard " + root.at("shard") + ", which another file given already is");
    const at::Tensor r = read_array(path, "rows"), c = read_array(path, "columns"), v = read_array(path, "distances");
    if (paired) {
      result.index_put_({r}, v);
      covered.index_put_({r}, at::ones_like(r, at::kByte), /*accumulate=*/true);
    } else {
      result.index_put_({r, c}, v);
      covered.index_put_({r, c}, at::ones_like(r, at::kByte), true);
      if (symmetric) result.index_put_({c, r}, v), covered.index_put_({c, r}, at::ones_like(r, at::kByte), true);
    }
  }
  if (static_cast<int64_t>(seen.size()) != count)
    throw IoError("the merge has " + std::to_string(seen.size()) + " of the " + std::to_string(count) +
                  " shards of " + first + "'s computation; give every partial file");
  if (symmetric) covered.diagonal().fill_(1);
  if (!(covered == 1).all().item<bool>())
    throw IoError("the shards of " + first + " cover " + std::to_string((covered == 0).sum().item<int64_t>()) +
                  " entries not at all and " + std::to_string((covered > 1).sum().item<int64_t>()) +
                  " more than once: were they written by the same otae?");
  Attributes root = first_common;
  for (const auto& [key, value] : provenance) root[key] = value;
  write_arrays(out, {{"distances", result, distance_attributes}}, root);
}

}  // namespace otae::data
