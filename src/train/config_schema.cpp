// The configuration schema's values and its walk over a YAML tree; see config_schema.hpp.
#include "config_schema.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "otae/base/decimal.hpp"

namespace otae::train::detail {

namespace {

template <class Parse>
auto decode_choice(const YAML::Node& node, const std::string& key, Parse parse) {
  try {
    return parse(decode_value<std::string>(node, key));
  } catch (const InvalidArgument& e) {
    throw ConfigError("configuration key '" + key + "': " + e.what());
  }
}

std::string join_key(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

Range noted(std::function<bool(double)> holds, const std::string& words, const std::string& note) {
  return {std::move(holds), note.empty() ? words : words + " (" + note + ")"};
}

std::string known_keys(const Schema& schema) {
  std::string keys;
  for (const auto& f : schema) keys += (keys.empty() ? "" : ", ") + f.key;
  return keys;
}

}  // namespace

YAML::Node encode_value(bool value) { return YAML::Node(value); }
YAML::Node encode_value(int64_t value) { return YAML::Node(value); }
YAML::Node encode_value(uint64_t value) { return YAML::Node(value); }
YAML::Node encode_value(double value) {
  // YAML's own spellings, which yaml-cpp reads back; "inf" and "nan" would read as strings
  if (std::isnan(value)) return YAML::Node(".nan");
  if (std::isinf(value)) return YAML::Node(value > 0 ? ".inf" : "-.inf");
  // the shortest text that reads back exactly, fixed notation on a tie (80, 10000, 0.1, 1e-05);
  // YAML 1.1 (PyYAML's) reads an exponent without a decimal point, "1e-05", as a string
  char buffer[32];
  std::string text(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
  const size_t exponent = text.find('e');
  if (exponent != std::string::npos && text.find('.') == std::string::npos) text.insert(exponent, ".0");
  return YAML::Node(text);
}
YAML::Node encode_value(const std::string& value) { return YAML::Node(value); }
YAML::Node encode_value(const std::vector<int64_t>& values) {
  YAML::Node node(YAML::NodeType::Sequence);
  for (int64_t v : values) node.push_back(v);
  node.SetStyle(YAML::EmitterStyle::Flow);
  return node;
}
YAML::Node encode_value(const std::vector<double>& values) {
  YAML::Node node(YAML::NodeType::Sequence);
  for (double v : values) node.push_back(encode_value(v));
  node.SetStyle(YAML::EmitterStyle::Flow);
  return node;
}
YAML::Node encode_value(const std::vector<std::vector<int64_t>>& values) {
  YAML::Node node(YAML::NodeType::Sequence);
  for (const auto& inner : values) node.push_back(encode_value(inner));
  node.SetStyle(YAML::EmitterStyle::Flow);
  return node;
}
YAML::Node encode_value(ot::PositionGradient value) {
  return YAML::Node(value == ot::PositionGradient::kExact ? "exact" : "frozen_plan");
}
YAML::Node encode_value(nn::GeneratorArchitecture value) { return YAML::Node(nn::to_string(value)); }
YAML::Node encode_value(nn::GeneratorNoise value) { return YAML::Node(nn::to_string(value)); }
YAML::Node encode_value(PhaseTrains value) { return YAML::Node(to_string(value)); }

std::string describe(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

template <>
ot::PositionGradient decode_value<ot::PositionGradient>(const YAML::Node& node, const std::string& key) {
  const auto name = decode_value<std::string>(node, key);
  if (name == "exact") return ot::PositionGradient::kExact;
  if (name == "frozen_plan") return ot::PositionGradient::kFrozenPlan;
  throw ConfigError("configuration key '" + key + "': expected exact or frozen_plan, received '" + name + "'");
}

template <>
nn::GeneratorArchitecture decode_value<nn::GeneratorArchitecture>(const YAML::Node& node, const std::string& key) {
  return decode_choice(node, key, nn::parse_generator_architecture);
}

template <>
nn::GeneratorNoise decode_value<nn::GeneratorNoise>(const YAML::Node& node, const std::string& key) {
  return decode_choice(node, key, nn::parse_generator_noise);
}

template <>
PhaseTrains decode_value<PhaseTrains>(const YAML::Node& node, const std::string& key) {
  return decode_choice(node, key, parse_phase_trains);
}

void read_section(const Schema& schema, const YAML::Node& node, const std::string& prefix) {
  if (node.IsNull()) return;
  if (!node.IsMap())
    throw ConfigError("configuration key '" + (prefix.empty() ? std::string("(top level)") : prefix) +
                      "' must be a mapping of keys (" + known_keys(schema) + "), received " + describe(node));
  for (const auto& entry : node) {
    const auto key = entry.first.as<std::string>();
    const std::string dotted = join_key(prefix, key);
    const auto field = std::find_if(schema.begin(), schema.end(), [&key](const Field& f) { return f.key == key; });
    if (field == schema.end())
      throw ConfigError("unknown configuration key '" + dotted + "' (known keys" +
                        (prefix.empty() ? std::string("") : " in '" + prefix + "'") + ": " + known_keys(schema) + ")");
    field->read(entry.second, dotted);
  }
}

YAML::Node write_section(const Schema& schema) {
  YAML::Node node(YAML::NodeType::Map);
  for (const auto& f : schema) node[f.key] = f.write();
  return node;
}

void check_section(const Schema& schema, const std::string& prefix) {
  for (const auto& f : schema)
    if (f.check) f.check(join_key(prefix, f.key));
}

Field section(const std::string& key, Schema schema) {
  return {key, [schema] { return write_section(schema); },
          [schema](const YAML::Node& node, const std::string& dotted) { read_section(schema, node, dotted); },
          [schema](const std::string& dotted) { check_section(schema, dotted); }};
}

Field Field::range(Range allowed) && {
  check = [write = write, allowed](const std::string& dotted) {
    const YAML::Node value = write();
    if (!allowed.holds(value.as<double>()))
      throw ConfigError("configuration key '" + dotted + "' must be " + allowed.words + ", received " + describe(value));
  };
  return std::move(*this);
}

Range at_least(double lowest, const std::string& note) {
  return noted([lowest](double v) { return v >= lowest; }, ">= " + shortest_decimal(lowest), note);
}

Range above(double bound, const std::string& note) {
  return noted([bound](double v) { return v > bound; }, "> " + shortest_decimal(bound), note);
}

Range within(double lo, double hi, const std::string& note) {
  return noted([lo, hi](double v) { return v >= lo && v <= hi; },
               "in [" + shortest_decimal(lo) + ", " + shortest_decimal(hi) + "]", note);
}

Range within_below(double lo, double hi, const std::string& note) {
  return noted([lo, hi](double v) { return v >= lo && v < hi; },
               "in [" + shortest_decimal(lo) + ", " + shortest_decimal(hi) + ")", note);
}

}  // namespace otae::train::detail
