// The OTUS configuration's schema (config_schema.hpp): the keys a file may hold, bound to the
// options they set, whose defaults are OtusConfig's, with the ranges of their values; reading, the
// run folder's config.yaml and OtusConfig::validate all walk it. validate then checks what spans
// more than one key.
#include "otae/train/otus_config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <utility>

#include "config_schema.hpp"
#include "otae/base/error.hpp"

namespace otae::train {

namespace {

using detail::field;
using detail::require;
using detail::above;
using detail::at_least;
using detail::Schema;
using detail::section;
using detail::section_list;
using detail::within;
using detail::within_below;

Schema generator_schema(nn::OtusGeneratorOptions& o) {
  return {OTAE_CONFIG_FIELD("architecture", o, architecture),
          OTAE_CONFIG_FIELD("hidden", o, hidden),
          OTAE_CONFIG_FIELD("hidden_layers", o, hidden_layers),
          OTAE_CONFIG_FIELD("residual_blocks", o, residual_blocks),
          OTAE_CONFIG_FIELD("noise", o, noise),
          OTAE_CONFIG_FIELD("noise_dimension", o, noise_dimension),
          OTAE_CONFIG_FIELD("noise_hidden", o, noise_hidden),
          OTAE_CONFIG_FIELD("input_residual", o, input_residual),
          OTAE_CONFIG_FIELD("relative_residual", o, relative_residual),
          OTAE_CONFIG_FIELD("shared_response", o, shared_response),
          OTAE_CONFIG_FIELD("missing_momentum", o, missing_momentum),
          OTAE_CONFIG_FIELD("pt_ordered", o, pt_ordered),
          OTAE_CONFIG_FIELD("residual_pt_ordered", o, residual_pt_ordered),
          OTAE_CONFIG_FIELD("masses", o, output_masses),
          OTAE_CONFIG_FIELD("resolution_start", o, resolution_start),
          OTAE_CONFIG_FIELD("tail_fraction_start", o, tail_fraction_start),
          OTAE_CONFIG_FIELD("tail_scale_start", o, tail_scale_start),
          OTAE_CONFIG_FIELD("object_wise", o, object_wise),
          OTAE_CONFIG_FIELD("object_identity", o, object_identity),
          OTAE_CONFIG_FIELD("object_angles", o, object_angles),
          OTAE_CONFIG_FIELD("calorimeter_rate", o, calorimeter_rate)};
}

Schema cut_schema(ObjectCut& cut) {
  return {field("objects", cut.objects), field("pt_min", cut.pt_min), field("abs_eta_max", cut.abs_eta_max),
          field("mass_min", cut.mass_min), field("mass_max", cut.mass_max)};
}

Schema loss_schema(OtusLossOptions& o) {
  return {OTAE_CONFIG_FIELD("slices", o, slices).range(at_least(1)),
          OTAE_CONFIG_FIELD("standardised", o, standardised),
          OTAE_CONFIG_FIELD("mass_bins", o, mass_bins).range(at_least(1, "1: unbinned")),
          OTAE_CONFIG_FIELD("mass_trim", o, mass_trim)
              .range(within_below(0, 0.5, "the fraction cut from each end")),
          OTAE_CONFIG_FIELD("detector_masses", o, detector_masses),
          OTAE_CONFIG_FIELD("parton_masses", o, parton_masses),
          section("anchor", {OTAE_CONFIG_FIELD("z_object", o, anchor_z_object),
                             OTAE_CONFIG_FIELD("x_object", o, anchor_x_object)}),
          section_list("acceptance", OTAE_CONFIG_ACCESSORS(o, acceptance), cut_schema)};
}

/// A loss term's weight.
detail::Range weight() {
  return {[](double w) { return std::isfinite(w) && w >= 0; }, "finite and >= 0"};
}

Schema weights_schema(OtusLossWeights& w) {
  return {OTAE_CONFIG_FIELD("reconstruction", w, reconstruction).range(weight()),
          OTAE_CONFIG_FIELD("latent", w, latent).range(weight()),
          OTAE_CONFIG_FIELD("data", w, data).range(weight()),
          OTAE_CONFIG_FIELD("encoder_anchor", w, encoder_anchor).range(weight()),
          OTAE_CONFIG_FIELD("decoder_anchor", w, decoder_anchor).range(weight()),
          OTAE_CONFIG_FIELD("paired", w, paired).range(weight()),
          OTAE_CONFIG_FIELD("mass", w, mass).range(weight()),
          OTAE_CONFIG_FIELD("transport", w, transport).range(weight()),
          OTAE_CONFIG_FIELD("simulated_pairs", w, simulated_pairs).range(weight()),
          OTAE_CONFIG_FIELD("simulation_transport", w, simulation_transport).range(weight())};
}

Schema phase_schema(OtusPhase& p) {
  return {field("name", p.name),
          field("epochs", p.epochs).range(at_least(0)),
          field("learning_rate", p.learning_rate).range(above(0)),
          field("lr_decay_epochs", p.lr_decay_epochs).range(at_least(0, "0: constant rate")),
          field("trains", p.trains),
          section("weights", weights_schema(p.weights))};
}

Schema schema(OtusConfig& c) {
  auto& split = c.split;
  return {field("seed", c.seed),
          section("data",
                  {section("split", {OTAE_CONFIG_FIELD("train", split, train),
                                     OTAE_CONFIG_FIELD("validation", split, validation),
                                     OTAE_CONFIG_FIELD("test", split, test), OTAE_CONFIG_FIELD("seed", split, seed)}),
                   field("max_train_events", c.max_train_events),
                   field("paired_fraction", c.paired_fraction).range(within(0, 1)),
                   field("parton_mass_window", c.parton_mass_window)}),
          section("training", {field("batch_size", c.batch_size).range(at_least(2)),
                               field("batch_shards", c.batch_shards).range(at_least(1)),
                               field("threads", c.threads), field("device", c.device),
                               field("checkpoint_every", c.checkpoint_every).range(at_least(1))}),
          section("encoder", generator_schema(c.encoder)),
          section("decoder", generator_schema(c.decoder)),
          section("loss", loss_schema(c.loss)),
          section_list("phases", c.phases, phase_schema)};
}

void validate_cut(const ObjectCut& cut, const std::string& key) {
  require(!cut.objects.empty(), key + ".objects", "the list of object indices the cut applies to", cut.objects);
  if (!(cut.mass_min >= 0) || !(cut.mass_max > cut.mass_min))
    throw ConfigError("configuration key '" + key + "' needs 0 <= mass_min < mass_max (GeV), received mass_min " +
                      detail::describe(detail::encode_value(cut.mass_min)) + " and mass_max " +
                      detail::describe(detail::encode_value(cut.mass_max)));
}


bool names_a_file(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

/// The tree with each phase's `decoder_only` (the key before `trains`) turned into `trains`, so
/// that run folders written before keep reading; a copy, the caller's tree is left alone.
YAML::Node with_phases_trains(const YAML::Node& tree) {
  if (!tree.IsMap() || !tree["phases"] || !tree["phases"].IsSequence()) return tree;
  YAML::Node copy = YAML::Clone(tree);
  for (size_t i = 0; i < copy["phases"].size(); ++i) {
    YAML::Node phase = copy["phases"][i];
    if (!phase.IsMap() || !phase["decoder_only"]) continue;
    const std::string key = "phases." + std::to_string(i);
    if (phase["trains"])
      throw ConfigError("configuration keys '" + key + ".decoder_only' and '" + key +
                        ".trains' say the same thing; keep 'trains' (both, decoder or encoder)");
    const bool decoder_only = detail::decode_value<bool>(phase["decoder_only"], key + ".decoder_only");
    phase.remove("decoder_only");
    if (decoder_only) phase["trains"] = "decoder";
  }
  return copy;
}

}  // namespace

void OtusConfig::validate() const {
  OtusConfig copy = *this;  // the schema binds to options it may set
  detail::check_section(schema(copy), "");
  detail::rethrow_as_config_error("data.split", [&] { split.validate(); });
  const auto& window = parton_mass_window;
  require(window.empty() || (window.size() == 2 && window[0] >= 0 && window[1] > window[0]), "data.parton_mass_window",
          "[lo, hi] GeV with 0 <= lo < hi, or [] for every row", window);
  for (size_t i = 0; i < loss.acceptance().size(); ++i)
    validate_cut(loss.acceptance()[i], "loss.acceptance." + std::to_string(i));
  for (const auto& [key, masses] : {std::pair{"loss.detector_masses", &loss.detector_masses()},
                                    std::pair{"loss.parton_masses", &loss.parton_masses()}}) {
    for (const auto& objects : *masses)
      require(!objects.empty(), key, "lists of object indices, none empty", *masses);
  }
  if (phases.empty()) throw ConfigError("configuration key 'phases' must list at least one phase, received []");
  for (size_t i = 0; i < phases.size(); ++i)
    require(names_a_file(phases[i].name), "phases." + std::to_string(i) + ".name",
            "letters, digits, '_' and '-' only (it names files)", phases[i].name);
}

PhaseTrains parse_phase_trains(const std::string& name) {
  if (name == "both") return PhaseTrains::kBoth;
  if (name == "decoder") return PhaseTrains::kDecoder;
  if (name == "encoder") return PhaseTrains::kEncoder;
  throw InvalidArgument("unknown choice '" + name + "' of the generators a phase trains; choose both, decoder or encoder");
}

std::string to_string(PhaseTrains trains) {
  switch (trains) {
    case PhaseTrains::kBoth: return "both";
    case PhaseTrains::kDecoder: return "decoder";
    case PhaseTrains::kEncoder: return "encoder";
  }
  return "unknown";
}

OtusConfig parse_otus_config(const YAML::Node& tree) {
  OtusConfig config;
  detail::read_section(schema(config), with_phases_trains(tree), "");
  config.validate();
  return config;
}

YAML::Node to_yaml(const OtusConfig& config) {
  OtusConfig copy = config;
  return detail::write_section(schema(copy));
}

void resolve_objects(OtusConfig& config, int64_t z_objects, int64_t x_objects) {
  auto resolve = [](nn::OtusGeneratorOptions& o, int64_t in, int64_t out, const std::string& where) {
    if (o.output_masses().empty()) o.output_masses(std::vector<double>(static_cast<size_t>(out), 0.0));
    if (static_cast<int64_t>(o.output_masses().size()) != out)
      throw ConfigError(where + ".masses lists " + std::to_string(o.output_masses().size()) +
                        " masses but the data have " + std::to_string(out) + " objects on that side");
    o.input_objects(in).output_objects(out);
    detail::rethrow_as_config_error(where, [&] { o.validate(); });
  };
  resolve(config.encoder, x_objects, z_objects, "encoder");
  resolve(config.decoder, z_objects, x_objects, "decoder");
  auto check_masses = [](const std::vector<std::vector<int64_t>>& masses, int64_t objects, const std::string& key) {
    for (const auto& listed : masses)
      for (int64_t j : listed)
        require(j >= 0 && j < objects, key, "object indices in 0.." + std::to_string(objects - 1) + " (the data's objects)",
                masses);
  };
  check_masses(config.loss.detector_masses(), x_objects, "loss.detector_masses");
  check_masses(config.loss.parton_masses(), z_objects, "loss.parton_masses");
}

}  // namespace otae::train
