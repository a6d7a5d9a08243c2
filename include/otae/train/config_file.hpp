// YAML configuration files with command-line overrides in dotted form ("phases.0.epochs=5").
// Each configuration reads the result through its schema, where an unknown key is an error.
#pragma once

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

}  // namespace otae::train
