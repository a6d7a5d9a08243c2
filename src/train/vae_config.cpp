// The configuration schema is written once, as a tree of sections whose fields are bound to the
// options' getters and setters; reading, unknown-key detection and writing all walk that tree.
#include "otae/train/vae_config.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <type_traits>

#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"
#include "otae/train/config_file.hpp"

namespace otae::train {

namespace {


// ---- values <-> YAML nodes

YAML::Node encode_value(bool value) { return YAML::Node(value); }
YAML::Node encode_value(int64_t value) { return YAML::Node(value); }
YAML::Node encode_value(uint64_t value) { return YAML::Node(value); }
YAML::Node encode_value(double value) { return YAML::Node(shortest_decimal(value)); }
YAML::Node encode_value(const std::string& value) { return YAML::Node(value); }
YAML::Node encode_value(const std::vector<int64_t>& values) {
  YAML::Node node(YAML::NodeType::Sequence);
  for (int64_t v : values) node.push_back(v);
  node.SetStyle(YAML::EmitterStyle::Flow);
  return node;
}
YAML::Node encode_value(const std::vector<double>& values) {
  YAML::Node node(YAML::NodeType::Sequence);
  for (double v : values) node.push_back(shortest_decimal(v));
  node.SetStyle(YAML::EmitterStyle::Flow);
  return node;
}
YAML::Node encode_value(ot::PositionGradient value) {
  return YAML::Node(value == ot::PositionGradient::kExact ? "exact" : "frozen_plan");
}

template <class T>
const char* type_name() {
  if constexpr (std::is_same_v<T, bool>) return "true or false";
  if constexpr (std::is_integral_v<T>) return "an integer";
  if constexpr (std::is_floating_point_v<T>) return "a number";
  if constexpr (std::is_same_v<T, std::vector<int64_t>>) return "a list of integers, e.g. [64, 64]";
  if constexpr (std::is_same_v<T, std::vector<double>>) return "a list of numbers, e.g. [0.05, 0.5]";
  return "a string";
}

std::string describe(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

template <class T>
T decode_value(const YAML::Node& node, const std::string& key) {
  if constexpr (std::is_same_v<T, ot::PositionGradient>) {
    const auto name = decode_value<std::string>(node, key);
    if (name == "exact") return ot::PositionGradient::kExact;
    if (name == "frozen_plan") return ot::PositionGradient::kFrozenPlan;
    throw ConfigError("configuration key '" + key + "': expected exact or frozen_plan, received '" + name + "'");
  } else {
    if constexpr (std::is_same_v<T, std::string>)
      if (node.IsNull()) return "";
    try {
      if constexpr (std::is_same_v<T, std::vector<int64_t>> || std::is_same_v<T, std::vector<double>>) {
        if (node.IsNull()) return {};
        if (!node.IsSequence()) throw YAML::BadConversion(node.Mark());
      } else if (!node.IsScalar()) {
        throw YAML::BadConversion(node.Mark());
      }
      return node.as<T>();
    } catch (const YAML::BadConversion&) {
      throw ConfigError("configuration key '" + key + "': expected " + type_name<T>() + ", received " + describe(node));
    }
  }
}

// ---- the schema

struct Field {
  std::string key;
  std::function<YAML::Node()> write;
  std::function<void(const YAML::Node&, const std::string& dotted_key)> read;
};

struct Section {
  std::string key;
  std::vector<Field> fields;
  std::vector<Section> sections;
};

template <class Get, class Set>
Field field(const std::string& key, Get get, Set set) {
  using T = std::decay_t<decltype(get())>;
  return {key, [get] { return encode_value(get()); },
          [set](const YAML::Node& node, const std::string& dotted) { set(decode_value<T>(node, dotted)); }};
}

// Binds YAML key KEY to the OTAE_ARG accessor NAME of the options object OPTIONS.
#define OTAE_CONFIG_FIELD(KEY, OPTIONS, NAME) \
  field(                                      \
      KEY, [&OPTIONS] { return OPTIONS.NAME(); }, [&OPTIONS](const auto& value) { OPTIONS.NAME(value); })

Section schema(VaeConfig& config) {
  auto& data = config.data;
  auto& split = config.split;
  auto& model = config.model;
  auto& sinkhorn = config.sinkhorn;
  auto& binary_kl = config.binary_kl;
  auto& train = config.train;
  auto& reduce_lr = config.reduce_lr;
  auto& early = config.early_stopping;
  auto& schedule = config.schedule;
  return Section{
      "",
      {},
      {
          {"data",
           {OTAE_CONFIG_FIELD("source", data, source), OTAE_CONFIG_FIELD("dataset", data, dataset),
            OTAE_CONFIG_FIELD("centre", data, centre), OTAE_CONFIG_FIELD("max_rows", data, max_rows)},
           {{"split",
             {OTAE_CONFIG_FIELD("train", split, train), OTAE_CONFIG_FIELD("validation", split, validation),
              OTAE_CONFIG_FIELD("test", split, test), OTAE_CONFIG_FIELD("seed", split, seed)},
             {}}}},
          {"model",
           {OTAE_CONFIG_FIELD("latent_dim", model, latent_dim), OTAE_CONFIG_FIELD("leaky_slope", model, leaky_slope),
            OTAE_CONFIG_FIELD("particles", model, particles),
            OTAE_CONFIG_FIELD("particle_widths", model, particle_widths),
            OTAE_CONFIG_FIELD("jet_widths", model, jet_widths),
            OTAE_CONFIG_FIELD("decoder_widths", model, decoder_widths),
            OTAE_CONFIG_FIELD("mask_padding", model, mask_padding), OTAE_CONFIG_FIELD("scale_sum", model, scale_sum),
            OTAE_CONFIG_FIELD("axis_offsets", model, axis_offsets)},
           {{"vector",
             {OTAE_CONFIG_FIELD("encoder_widths", model, vector_encoder_widths),
              OTAE_CONFIG_FIELD("decoder_widths", model, vector_decoder_widths)},
             {}},
            {"binary",
             {OTAE_CONFIG_FIELD("priors", model, binary_priors),
              OTAE_CONFIG_FIELD("temperature", model, binary_temperature)},
             {}},
            {"circular", {OTAE_CONFIG_FIELD("dims", model, circular_dim)}, {}}}},
          {"loss",
           {},
           {{"sinkhorn",
             {OTAE_CONFIG_FIELD("eps_start", sinkhorn, eps_start), OTAE_CONFIG_FIELD("eps_end", sinkhorn, eps_end),
              OTAE_CONFIG_FIELD("eps_steps", sinkhorn, eps_steps),
              OTAE_CONFIG_FIELD("iterations_per_step", sinkhorn, iterations_per_step),
              OTAE_CONFIG_FIELD("tolerance", sinkhorn, tolerance),
              OTAE_CONFIG_FIELD("position_gradient", sinkhorn, position_gradient)},
             {}},
            {"binary_kl",
             {OTAE_CONFIG_FIELD("weight", binary_kl, weight),
              OTAE_CONFIG_FIELD("initial_weight", binary_kl, initial_weight),
              OTAE_CONFIG_FIELD("anneal_steps", binary_kl, anneal_steps)},
             {}}}},
          {"train",
           {OTAE_CONFIG_FIELD("seed", train, seed), OTAE_CONFIG_FIELD("threads", train, threads),
            OTAE_CONFIG_FIELD("batch_size", train, batch_size),
            OTAE_CONFIG_FIELD("steps_per_epoch", train, steps_per_epoch),
            OTAE_CONFIG_FIELD("max_epochs", train, max_epochs),
            OTAE_CONFIG_FIELD("validation_batch_size", train, validation_batch_size),
            OTAE_CONFIG_FIELD("max_nan_retries", train, max_nan_retries)},
           {{"reduce_lr",
             {OTAE_CONFIG_FIELD("factor", reduce_lr, factor), OTAE_CONFIG_FIELD("patience", reduce_lr, patience),
              OTAE_CONFIG_FIELD("min_delta", reduce_lr, min_delta),
              OTAE_CONFIG_FIELD("min_delta_standard_errors", reduce_lr, min_delta_standard_errors),
              OTAE_CONFIG_FIELD("min_learning_rate", reduce_lr, min_learning_rate)},
             {}},
            {"early_stopping",
             {OTAE_CONFIG_FIELD("patience", early, patience), OTAE_CONFIG_FIELD("min_delta", early, min_delta),
              OTAE_CONFIG_FIELD("min_delta_standard_errors", early, min_delta_standard_errors)},
             {}}}},
          {"schedule",
           {},
           {{"grid",
             {OTAE_CONFIG_FIELD("log10_first", schedule, log10_first),
              OTAE_CONFIG_FIELD("log10_step", schedule, log10_step), OTAE_CONFIG_FIELD("points", schedule, points)},
             {}},
            {"priming",
             {OTAE_CONFIG_FIELD("enabled", schedule, priming),
              OTAE_CONFIG_FIELD("learning_rate", schedule, priming_learning_rate)},
             {}},
            {"zigzag",
             {OTAE_CONFIG_FIELD("legs", schedule, zigzag_legs),
              OTAE_CONFIG_FIELD("leg_length", schedule, zigzag_leg_length),
              OTAE_CONFIG_FIELD("first_start", schedule, zigzag_first_start),
              OTAE_CONFIG_FIELD("restart_drop", schedule, zigzag_restart_drop),
              OTAE_CONFIG_FIELD("descending_legs", schedule, zigzag_descending_legs),
              OTAE_CONFIG_FIELD("learning_rate", schedule, zigzag_learning_rate)},
             {}},
            {"production",
             {OTAE_CONFIG_FIELD("enabled", schedule, production),
              OTAE_CONFIG_FIELD("learning_rate", schedule, production_learning_rate)},
             {}}}},
      }};
}

#undef OTAE_CONFIG_FIELD

std::string join_key(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

std::string known_keys(const Section& section) {
  std::string keys;
  for (const auto& f : section.fields) keys += (keys.empty() ? "" : ", ") + f.key;
  for (const auto& s : section.sections) keys += (keys.empty() ? "" : ", ") + s.key;
  return keys;
}

void read_section(const Section& section, const YAML::Node& node, const std::string& prefix) {
  if (node.IsNull()) return;
  if (!node.IsMap())
    throw ConfigError("configuration key '" + (prefix.empty() ? std::string("(top level)") : prefix) +
                      "' must be a mapping of keys (" + known_keys(section) + "), received " + describe(node));
  for (const auto& entry : node) {
    const auto key = entry.first.as<std::string>();
    const std::string dotted = join_key(prefix, key);
    bool known = false;
    for (const auto& f : section.fields)
      if (f.key == key) {
        f.read(entry.second, dotted);
        known = true;
      }
    for (const auto& s : section.sections)
      if (s.key == key) {
        read_section(s, entry.second, dotted);
        known = true;
      }
    if (!known)
      throw ConfigError("unknown configuration key '" + dotted + "' (known keys" +
                        (prefix.empty() ? std::string("") : " in '" + prefix + "'") + ": " + known_keys(section) + ")");
  }
}

YAML::Node write_section(const Section& section) {
  YAML::Node node(YAML::NodeType::Map);
  for (const auto& f : section.fields) node[f.key] = f.write();
  for (const auto& s : section.sections) node[s.key] = write_section(s);
  return node;
}

template <class Validate>
void rethrow_as_config_error(const std::string& section, Validate validate) {
  try {
    validate();
  } catch (const InvalidArgument& e) {
    throw ConfigError(section + ": " + e.what());
  }
}

void require_at_least(const std::string& key, int64_t value, int64_t lowest) {
  if (value < lowest)
    throw ConfigError("configuration key '" + key + "' must be >= " + std::to_string(lowest) + ", received " +
                      std::to_string(value));
}

}  // namespace

nn::MixedLatentOptions VaeModelOptions::mixed_latents() const {
  return nn::MixedLatentOptions()
      .binary_priors(binary_priors_)
      .temperature(binary_temperature_)
      .circular_dim(circular_dim_);
}

nn::EmdVaeOptions VaeModelOptions::emd_vae() const {
  return nn::EmdVaeOptions()
      .encoder(nn::ParticleFlowEncoderOptions()
                   .particle_widths(particle_widths_)
                   .jet_widths(jet_widths_)
                   .latent_dim(latent_dim_)
                   .mixed_latents(mixed_latents())
                   .leaky_slope(leaky_slope_)
                   .mask_padding(mask_padding_)
                   .scale_sum(scale_sum_)
                   .axis_offsets(axis_offsets_))
      .decoder(nn::DenseJetDecoderOptions()
                   .latent_dim(mixed_latents().decoder_input_dim(latent_dim_))
                   .widths(decoder_widths_)
                   .particles(particles_)
                   .leaky_slope(leaky_slope_));
}

nn::DenseVaeOptions VaeModelOptions::dense_vae(int64_t input_dim) const {
  return nn::DenseVaeOptions()
      .input_dim(input_dim)
      .latent_dim(latent_dim_)
      .mixed_latents(mixed_latents())
      .encoder_widths(vector_encoder_widths_)
      .decoder_widths(vector_decoder_widths_)
      .leaky_slope(leaky_slope_);
}

void VaeConfig::validate() const {
  require_at_least("data.max_rows", data.max_rows(), 0);
  rethrow_as_config_error("data.split", [&] { split.validate(); });
  rethrow_as_config_error("model.binary / model.circular", [&] { model.mixed_latents().validate(); });
  rethrow_as_config_error("model", [&] { model.emd_vae().validate(); });
  rethrow_as_config_error("model.vector", [&] { model.dense_vae(1).validate(); });
  rethrow_as_config_error("loss.sinkhorn", [&] { sinkhorn.validate(); });
  rethrow_as_config_error("loss.binary_kl", [&] { binary_kl.validate(); });
  require_at_least("train.threads", train.threads(), 0);
  require_at_least("train.batch_size", train.batch_size(), 1);
  require_at_least("train.steps_per_epoch", train.steps_per_epoch(), 1);
  require_at_least("train.max_epochs", train.max_epochs(), 1);
  require_at_least("train.validation_batch_size", train.validation_batch_size(), 1);
  require_at_least("train.max_nan_retries", train.max_nan_retries(), 0);
  reduce_lr.validate();
  early_stopping.validate();
  schedule.validate();
}

VaeConfig parse_vae_config(const std::string& yaml, const std::vector<std::string>& overrides,
                           const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(origin + ": invalid YAML at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  apply_overrides(root, overrides);
  VaeConfig config;
  try {
    read_section(schema(config), root, "");
  } catch (const ConfigError& e) {
    throw ConfigError(origin + ": " + e.what());
  }
  config.validate();
  return config;
}

VaeConfig load_vae_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream file(path);
  if (!file) throw IoError("cannot read the configuration file " + path + " (missing or unreadable)");
  std::stringstream text;
  text << file.rdbuf();
  return parse_vae_config(text.str(), overrides, path);
}

std::string to_yaml(const VaeConfig& config) {
  VaeConfig copy = config;
  YAML::Emitter out;
  out << write_section(schema(copy));
  return std::string(out.c_str()) + "\n";
}

}  // namespace otae::train
