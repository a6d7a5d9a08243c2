// YAML loading and dotted overrides; see config_file.hpp.
#include "otae/train/config_file.hpp"

#include <cctype>
#include <sstream>

#include "otae/base/error.hpp"

namespace otae::train {

YAML::Node load_config_file(const std::string& path) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError("cannot open configuration file " + path);
  } catch (const YAML::Exception& e) {
    throw ConfigError("configuration file " + path + ": " + e.what());
  }
}

namespace {

bool is_index(const std::string& part) {
  if (part.empty()) return false;
  for (char c : part)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

void apply_override(YAML::Node& config, const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    throw ConfigError("override '" + text + "' must read key.path=value (e.g. phases.0.epochs=5)");
  const std::string path = text.substr(0, equals);
  YAML::Node value;
  try {
    value = YAML::Load(text.substr(equals + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError("override '" + text + "': the value is not YAML: " + e.what());
  }
  std::vector<std::string> parts;
  std::stringstream stream(path);
  for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
  YAML::Node current;
  current.reset(config);
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const bool last = i + 1 == parts.size();
    if (current.IsSequence()) {
      if (!is_index(part) || std::stoul(part) >= current.size())
        throw ConfigError("override '" + text + "': '" + part + "' is not an index below " +
                          std::to_string(current.size()) + " of the list at that place");
      if (last) {
        current[std::stoul(part)] = value;
        return;
      }
      YAML::Node next = current[std::stoul(part)];
      current.reset(next);
    } else if (current.IsMap() || current.IsNull() || !current.IsDefined()) {
      if (last) {
        current[part] = value;
        return;
      }
      YAML::Node next = current[part];
      current.reset(next);
    } else {
      throw ConfigError("override '" + text + "': '" + part + "' walks into a plain value");
    }
  }
}

}  // namespace

void apply_overrides(YAML::Node& config, const std::vector<std::string>& overrides) {
  for (const auto& text : overrides) apply_override(config, text);
}

}  // namespace otae::train
