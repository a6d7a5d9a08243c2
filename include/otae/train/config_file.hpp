// YAML configuration files with command-line overrides in dotted form ("phases.0.epochs=5"),
// and the strict reading of their values: an unknown key is an error, never silently ignored.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace otae::train {

/// Reads the YAML file `path`. Throws ConfigError naming the file (and line) when it is missing
/// or malformed.
YAML::Node load_config_file(const std::string& path);

/// Applies overrides "a.b.c=value" in order: the path walks maps by key and sequences by index
/// (0-based), creating map keys that do not exist yet; `value` is parsed as YAML ("1e-4",
/// "[0, 1]", "true"). Throws ConfigError naming the override when it has no '=', walks into a
/// scalar, or indexes a sequence out of range.
void apply_overrides(YAML::Node& config, const std::vector<std::string>& overrides);

/// Throws ConfigError naming `where` and the key when the map `node` has a key outside `known`
/// (catches misspelt options). A null node passes.
void check_known_keys(const YAML::Node& node, const std::set<std::string>& known, const std::string& where);

/// Throws ConfigError("where.key: cannot read '…'").
[[noreturn]] void throw_bad_value(const std::string& where, const std::string& key, const YAML::Node& value);

/// node[key] as T, or `fallback` when the key is absent. Throws ConfigError naming
/// "where.key" and the text found when the value does not convert to T.
template <typename T>
T config_value(const YAML::Node& node, const std::string& key, const T& fallback, const std::string& where) {
  if (!node || !node[key]) return fallback;
  try {
    return node[key].as<T>();
  } catch (const YAML::Exception&) {
    throw_bad_value(where, key, node[key]);
  }
}

}  // namespace otae::train
