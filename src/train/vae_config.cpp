// The VAE configuration's schema, a tree of sections whose fields are bound to the options'
// getters and setters with the ranges of their values (config_schema.hpp); reading, unknown-key
// detection, writing and VaeConfig::validate walk it. The options of lower layers (models,
// Sinkhorn, schedules) check their own values.
#include "otae/train/vae_config.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "config_schema.hpp"
#include "otae/base/error.hpp"
#include "otae/train/config_file.hpp"

namespace otae::train {

namespace {

using detail::at_least;
using detail::Schema;
using detail::section;

Schema schema(VaeConfig& config) {
  auto& data = config.data;
  auto& split = config.split;
  auto& model = config.model;
  auto& sinkhorn = config.sinkhorn;
  auto& binary_kl = config.binary_kl;
  auto& train = config.train;
  auto& reduce_lr = config.reduce_lr;
  auto& early = config.early_stopping;
  auto& schedule = config.schedule;
  return {
      section("data",
              {OTAE_CONFIG_FIELD("source", data, source), OTAE_CONFIG_FIELD("dataset", data, dataset),
               OTAE_CONFIG_FIELD("centre", data, centre), OTAE_CONFIG_FIELD("max_rows", data, max_rows).range(at_least(0)),
               section("split",
                       {OTAE_CONFIG_FIELD("train", split, train), OTAE_CONFIG_FIELD("validation", split, validation),
                        OTAE_CONFIG_FIELD("test", split, test), OTAE_CONFIG_FIELD("seed", split, seed)})}),
      section("model",
              {OTAE_CONFIG_FIELD("latent_dim", model, latent_dim), OTAE_CONFIG_FIELD("leaky_slope", model, leaky_slope),
               OTAE_CONFIG_FIELD("particles", model, particles),
               OTAE_CONFIG_FIELD("particle_widths", model, particle_widths),
               OTAE_CONFIG_FIELD("jet_widths", model, jet_widths),
               OTAE_CONFIG_FIELD("decoder_widths", model, decoder_widths),
               OTAE_CONFIG_FIELD("mask_padding", model, mask_padding), OTAE_CONFIG_FIELD("scale_sum", model, scale_sum),
               OTAE_CONFIG_FIELD("axis_offsets", model, axis_offsets),
               section("vector", {OTAE_CONFIG_FIELD("encoder_widths", model, vector_encoder_widths),
                                  OTAE_CONFIG_FIELD("decoder_widths", model, vector_decoder_widths)}),
               section("binary", {OTAE_CONFIG_FIELD("priors", model, binary_priors),
                                  OTAE_CONFIG_FIELD("temperature", model, binary_temperature)}),
               section("circular", {OTAE_CONFIG_FIELD("dims", model, circular_dim)})}),
      section("loss", {section("sinkhorn", {OTAE_CONFIG_FIELD("eps_start", sinkhorn, eps_start),
                                            OTAE_CONFIG_FIELD("eps_end", sinkhorn, eps_end),
                                            OTAE_CONFIG_FIELD("eps_steps", sinkhorn, eps_steps),
                                            OTAE_CONFIG_FIELD("iterations_per_step", sinkhorn, iterations_per_step),
                                            OTAE_CONFIG_FIELD("tolerance", sinkhorn, tolerance),
                                            OTAE_CONFIG_FIELD("position_gradient", sinkhorn, position_gradient)}),
                       section("binary_kl", {OTAE_CONFIG_FIELD("weight", binary_kl, weight),
                                             OTAE_CONFIG_FIELD("initial_weight", binary_kl, initial_weight),
                                             OTAE_CONFIG_FIELD("anneal_steps", binary_kl, anneal_steps)})}),
      section(
          "train",
          {OTAE_CONFIG_FIELD("seed", train, seed), OTAE_CONFIG_FIELD("threads", train, threads).range(at_least(0)),
           OTAE_CONFIG_FIELD("device", train, device),
           OTAE_CONFIG_FIELD("batch_size", train, batch_size).range(at_least(1)),
           OTAE_CONFIG_FIELD("steps_per_epoch", train, steps_per_epoch).range(at_least(1)),
           OTAE_CONFIG_FIELD("max_epochs", train, max_epochs).range(at_least(1)),
           OTAE_CONFIG_FIELD("validation_batch_size", train, validation_batch_size).range(at_least(1)),
           OTAE_CONFIG_FIELD("max_nan_retries", train, max_nan_retries).range(at_least(0)),
           section("reduce_lr",
                   {OTAE_CONFIG_FIELD("factor", reduce_lr, factor), OTAE_CONFIG_FIELD("patience", reduce_lr, patience),
                    OTAE_CONFIG_FIELD("min_delta", reduce_lr, min_delta),
                    OTAE_CONFIG_FIELD("min_delta_standard_errors", reduce_lr, min_delta_standard_errors),
                    OTAE_CONFIG_FIELD("min_learning_rate", reduce_lr, min_learning_rate)}),
           section("early_stopping",
                   {OTAE_CONFIG_FIELD("patience", early, patience), OTAE_CONFIG_FIELD("min_delta", early, min_delta),
                    OTAE_CONFIG_FIELD("min_delta_standard_errors", early, min_delta_standard_errors)})}),
      section("schedule",
              {section("grid", {OTAE_CONFIG_FIELD("log10_first", schedule, log10_first),
                                OTAE_CONFIG_FIELD("log10_step", schedule, log10_step),
                                OTAE_CONFIG_FIELD("points", schedule, points)}),
               section("priming", {OTAE_CONFIG_FIELD("enabled", schedule, priming),
                                   OTAE_CONFIG_FIELD("learning_rate", schedule, priming_learning_rate)}),
               section("zigzag", {OTAE_CONFIG_FIELD("legs", schedule, zigzag_legs),
                                  OTAE_CONFIG_FIELD("leg_length", schedule, zigzag_leg_length),
                                  OTAE_CONFIG_FIELD("first_start", schedule, zigzag_first_start),
                                  OTAE_CONFIG_FIELD("restart_drop", schedule, zigzag_restart_drop),
                                  OTAE_CONFIG_FIELD("descending_legs", schedule, zigzag_descending_legs),
                                  OTAE_CONFIG_FIELD("learning_rate", schedule, zigzag_learning_rate)}),
               section("production", {OTAE_CONFIG_FIELD("enabled", schedule, production),
                                      OTAE_CONFIG_FIELD("learning_rate", schedule, production_learning_rate)})}),
  };
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
  VaeConfig copy = *this;  // the schema binds to options it may set
  detail::check_section(schema(copy), "");
  detail::rethrow_as_config_error("data.split", [&] { split.validate(); });
  detail::rethrow_as_config_error("model.binary / model.circular", [&] { model.mixed_latents().validate(); });
  detail::rethrow_as_config_error("model", [&] { model.emd_vae().validate(); });
  detail::rethrow_as_config_error("model.vector", [&] { model.dense_vae(1).validate(); });
  detail::rethrow_as_config_error("loss.sinkhorn", [&] { sinkhorn.validate(); });
  detail::rethrow_as_config_error("loss.binary_kl", [&] { binary_kl.validate(); });
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
    detail::read_section(schema(config), root, "");
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
  out << detail::write_section(schema(copy));
  return std::string(out.c_str()) + "\n";
}

}  // namespace otae::train
