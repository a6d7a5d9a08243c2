// A configuration's schema, written once as a table of keys bound to the options they set and
// the ranges their values must lie in: reading, unknown-key detection, defaults, writing and the
// range checks all walk that one table, so that the keys a file may hold, the keys a run folder's
// config.yaml shows and the keys validated cannot drift apart. Used by the VAE and the OTUS
// configurations.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "otae/base/error.hpp"
#include "otae/nn/otus_generator.hpp"
#include "otae/ot/sinkhorn.hpp"
#include "otae/train/otus_config.hpp"

namespace otae::train::detail {

/// The value as YAML; doubles as their shortest exact decimal (non-finite ones as .inf, -.inf,
/// .nan), so that a written configuration reads back bit for bit.
YAML::Node encode_value(bool value);
YAML::Node encode_value(int64_t value);
YAML::Node encode_value(uint64_t value);
YAML::Node encode_value(double value);
YAML::Node encode_value(const std::string& value);
YAML::Node encode_value(const std::vector<int64_t>& values);
YAML::Node encode_value(const std::vector<double>& values);
YAML::Node encode_value(const std::vector<std::vector<int64_t>>& values);
YAML::Node encode_value(ot::PositionGradient value);
YAML::Node encode_value(nn::GeneratorArchitecture value);
YAML::Node encode_value(nn::GeneratorNoise value);
YAML::Node encode_value(PhaseTrains value);

/// The node in one line of flow YAML, for error messages.
std::string describe(const YAML::Node& node);

template <class T>
const char* type_name() {
  if constexpr (std::is_same_v<T, bool>) return "true or false";
  if constexpr (std::is_integral_v<T>) return "an integer";
  if constexpr (std::is_floating_point_v<T>) return "a number";
  if constexpr (std::is_same_v<T, std::vector<int64_t>>) return "a list of integers, e.g. [64, 64]";
  if constexpr (std::is_same_v<T, std::vector<double>>) return "a list of numbers, e.g. [0.05, 0.5]";
  if constexpr (std::is_same_v<T, std::vector<std::vector<int64_t>>>)
    return "a list of lists of integers, e.g. [[2, 3], [2, 3, 4]]";
  return "a string";
}

/// The node as T. Throws ConfigError naming `key` (dotted) and what it expected. A null list
/// reads as empty, a null string as "".
template <class T>
T decode_value(const YAML::Node& node, const std::string& key) {
  if constexpr (std::is_same_v<T, std::string>)
    if (node.IsNull()) return "";
  try {
    if constexpr (std::is_same_v<T, std::vector<int64_t>> || std::is_same_v<T, std::vector<double>>) {
      if (node.IsNull()) return {};
      if (!node.IsSequence()) throw YAML::BadConversion(node.Mark());
    } else if constexpr (std::is_same_v<T, std::vector<std::vector<int64_t>>>) {
      if (node.IsNull()) return {};
      if (!node.IsSequence()) throw YAML::BadConversion(node.Mark());
      for (const auto& inner : node)
        if (!inner.IsSequence()) throw YAML::BadConversion(inner.Mark());
    } else if (!node.IsScalar()) {
      throw YAML::BadConversion(node.Mark());
    }
    return node.as<T>();
  } catch (const YAML::BadConversion&) {
    throw ConfigError("configuration key '" + key + "': expected " + type_name<T>() + ", received " + describe(node));
  }
}

// Enumerations read by their configuration names; an unknown name is a ConfigError naming the key
// and the choices.
template <>
ot::PositionGradient decode_value<ot::PositionGradient>(const YAML::Node& node, const std::string& key);
template <>
nn::GeneratorArchitecture decode_value<nn::GeneratorArchitecture>(const YAML::Node& node, const std::string& key);
template <>
nn::GeneratorNoise decode_value<nn::GeneratorNoise>(const YAML::Node& node, const std::string& key);
template <>
PhaseTrains decode_value<PhaseTrains>(const YAML::Node& node, const std::string& key);

/// The numbers a value may be, and the words that say so in an error (">= 1", "in [0, 1]").
struct Range {
  std::function<bool(double)> holds;
  std::string words;
};

/// value >= lowest, value > bound, lo <= value <= hi, lo <= value < hi; a `note` follows the
/// words in brackets (">= 0 (0: constant rate)"). NaN lies in none of them.
Range at_least(double lowest, const std::string& note = "");
Range above(double bound, const std::string& note = "");
Range within(double lo, double hi, const std::string& note = "");
Range within_below(double lo, double hi, const std::string& note = "");

/// One key of a mapping: how to write its value, how to read it, and how to check it (`dotted_key`
/// names it in errors, e.g. "phases.1.weights.mass").
struct Field {
  std::string key;
  std::function<YAML::Node()> write;
  std::function<void(const YAML::Node&, const std::string& dotted_key)> read;
  /// Throws ConfigError naming the key, its value and what it must be, unless the value is
  /// allowed; empty: every value of the type is.
  std::function<void(const std::string& dotted_key)> check;

  /// This numeric field with its value restricted to `allowed`.
  Field range(Range allowed) &&;
};

/// A mapping's keys, in the order they are written.
using Schema = std::vector<Field>;

/// Reads the mapping `node` into the schema's options: keys it holds are set, keys it lacks keep
/// the options' defaults; null reads as an empty mapping. Throws ConfigError naming the dotted key
/// (under `prefix`) of an unknown key, a value of the wrong type, or a non-mapping.
void read_section(const Schema& schema, const YAML::Node& node, const std::string& prefix);

/// Every key of the schema with its value, in the schema's order.
YAML::Node write_section(const Schema& schema);

/// Checks every field of the schema (under `prefix`), nested sections and list elements too, in
/// the schema's order. Throws ConfigError as Field::check.
void check_section(const Schema& schema, const std::string& prefix);

/// A nested mapping under `key`.
Field section(const std::string& key, Schema schema);

/// Binds `key` to a value read through `get` and written through `set` (an OTAE_ARG accessor).
template <class Get, class Set>
Field field(const std::string& key, Get get, Set set) {
  using T = std::decay_t<decltype(get())>;
  return {key, [get] { return encode_value(get()); },
          [set](const YAML::Node& node, const std::string& dotted) { set(decode_value<T>(node, dotted)); }, {}};
}

/// Binds `key` to a plain struct member.
template <class T>
Field field(const std::string& key, T& member) {
  return field(key, [&member] { return member; }, [&member](const T& value) { member = value; });
}

/// Binds `key` to a list of mappings, element i read and written through element_schema(element)
/// under "key.i". Every element starts default-constructed; a given list replaces the default one.
template <class Get, class Set, class ElementSchema>
Field section_list(const std::string& key, Get get, Set set, ElementSchema element_schema) {
  using List = std::decay_t<decltype(get())>;
  auto write = [get, element_schema] {
    YAML::Node node(YAML::NodeType::Sequence);
    for (auto element : get()) node.push_back(write_section(element_schema(element)));
    return node;
  };
  auto read = [set, element_schema](const YAML::Node& node, const std::string& dotted) {
    if (!node.IsSequence())
      throw ConfigError("configuration key '" + dotted + "' must be a list of mappings, received " + describe(node));
    List list(node.size());
    for (size_t i = 0; i < node.size(); ++i)
      read_section(element_schema(list[i]), node[i], dotted + "." + std::to_string(i));
    set(list);
  };
  auto check = [get, element_schema](const std::string& dotted) {
    List list = get();
    for (size_t i = 0; i < list.size(); ++i) check_section(element_schema(list[i]), dotted + "." + std::to_string(i));
  };
  return {key, write, read, check};
}

/// section_list on a plain std::vector member.
template <class T, class ElementSchema>
Field section_list(const std::string& key, std::vector<T>& member, ElementSchema element_schema) {
  return section_list(
      key, [&member] { return member; }, [&member](const std::vector<T>& value) { member = value; }, element_schema);
}

/// The getter and setter of the OTAE_ARG accessor NAME of the options object OPTIONS.
#define OTAE_CONFIG_ACCESSORS(OPTIONS, NAME) \
  [&OPTIONS] { return OPTIONS.NAME(); }, [&OPTIONS](const auto& value) { OPTIONS.NAME(value); }

/// Binds YAML key KEY to the OTAE_ARG accessor NAME of the options object OPTIONS.
#define OTAE_CONFIG_FIELD(KEY, OPTIONS, NAME) ::otae::train::detail::field(KEY, OTAE_CONFIG_ACCESSORS(OPTIONS, NAME))

/// Runs `validate` and rethrows its InvalidArgument as a ConfigError prefixed with `section`.
template <class Validate>
void rethrow_as_config_error(const std::string& section, Validate validate) {
  try {
    validate();
  } catch (const InvalidArgument& e) {
    throw ConfigError(section + ": " + e.what());
  }
}

/// Throws ConfigError "configuration key '<key>' must be <expected>, received <value>" unless `holds`.
template <class T>
void require(bool holds, const std::string& key, const std::string& expected, const T& value) {
  if (!holds)
    throw ConfigError("configuration key '" + key + "' must be " + expected + ", received " +
                      describe(encode_value(value)));
}

}  // namespace otae::train::detail
