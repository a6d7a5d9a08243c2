// Reading and writing OTUS configurations; see otus_config.hpp.
#include "otae/train/otus_config.hpp"

#include <cmath>

#include "otae/base/error.hpp"
#include "otae/train/config_file.hpp"

namespace otae::train {

namespace {

nn::OtusGeneratorOptions parse_generator(const YAML::Node& node, const std::string& where) {
  check_known_keys(node, {"architecture", "hidden", "hidden_layers", "residual_blocks", "noise", "noise_dimension",
                          "noise_hidden", "input_residual", "relative_residual", "shared_response", "missing_momentum",
                          "pt_ordered", "residual_pt_ordered", "masses", "resolution_start", "tail_fraction_start",
                          "tail_scale_start", "object_wise", "calorimeter_rate"},
                   where);
  nn::OtusGeneratorOptions o;
  try {
    o.architecture(nn::parse_generator_architecture(config_value<std::string>(node, "architecture", "mlp", where)))
        .noise(nn::parse_generator_noise(config_value<std::string>(node, "noise", "conditional", where)));
  } catch (const InvalidArgument& e) {
    throw ConfigError(where + ": " + e.what());
  }
  return o.hidden(config_value<int64_t>(node, "hidden", o.hidden(), where))
      .hidden_layers(config_value<int64_t>(node, "hidden_layers", o.hidden_layers(), where))
      .residual_blocks(config_value<int64_t>(node, "residual_blocks", o.residual_blocks(), where))
      .noise_dimension(config_value<int64_t>(node, "noise_dimension", o.noise_dimension(), where))
      .noise_hidden(config_value<int64_t>(node, "noise_hidden", o.noise_hidden(), where))
      .input_residual(config_value<bool>(node, "input_residual", o.input_residual(), where))
      .relative_residual(config_value<bool>(node, "relative_residual", o.relative_residual(), where))
      .shared_response(config_value<bool>(node, "shared_response", o.shared_response(), where))
      .missing_momentum(config_value<std::vector<int64_t>>(node, "missing_momentum", {}, where))
      .pt_ordered(config_value<std::vector<int64_t>>(node, "pt_ordered", {}, where))
      .residual_pt_ordered(config_value<bool>(node, "residual_pt_ordered", o.residual_pt_ordered(), where))
      .output_masses(config_value<std::vector<double>>(node, "masses", {}, where))
      .resolution_start(config_value<std::vector<double>>(node, "resolution_start", o.resolution_start(), where))
      .tail_fraction_start(config_value<double>(node, "tail_fraction_start", o.tail_fraction_start(), where))
      .tail_scale_start(config_value<double>(node, "tail_scale_start", o.tail_scale_start(), where))
      .object_wise(config_value<bool>(node, "object_wise", o.object_wise(), where))
      .calorimeter_rate(config_value<double>(node, "calorimeter_rate", o.calorimeter_rate(), where));
}

YAML::Node generator_yaml(const nn::OtusGeneratorOptions& o) {
  YAML::Node node;
  node["architecture"] = nn::to_string(o.architecture());
  node["hidden"] = o.hidden();
  node["hidden_layers"] = o.hidden_layers();
  node["residual_blocks"] = o.residual_blocks();
  node["noise"] = nn::to_string(o.noise());
  node["noise_dimension"] = o.noise_dimension();
  node["noise_hidden"] = o.noise_hidden();
  node["input_residual"] = o.input_residual();
  node["relative_residual"] = o.relative_residual();
  node["shared_response"] = o.shared_response();
  node["missing_momentum"] = YAML::Node(YAML::NodeType::Sequence);
  for (int64_t j : o.missing_momentum()) node["missing_momentum"].push_back(j);
  node["pt_ordered"] = YAML::Node(YAML::NodeType::Sequence);
  for (int64_t j : o.pt_ordered()) node["pt_ordered"].push_back(j);
  node["residual_pt_ordered"] = o.residual_pt_ordered();
  node["masses"] = o.output_masses();
  node["resolution_start"] = o.resolution_start();
  node["tail_fraction_start"] = o.tail_fraction_start();
  node["tail_scale_start"] = o.tail_scale_start();
  node["object_wise"] = o.object_wise();
  node["calorimeter_rate"] = o.calorimeter_rate();
  return node;
}

OtusLossWeights parse_weights(const YAML::Node& node, const std::string& where) {
  check_known_keys(node, {"reconstruction", "latent", "data", "encoder_anchor", "decoder_anchor", "paired", "mass", "transport"}, where);
  OtusLossWeights w;
  w.reconstruction(config_value<double>(node, "reconstruction", w.reconstruction(), where))
      .latent(config_value<double>(node, "latent", w.latent(), where))
      .data(config_value<double>(node, "data", w.data(), where))
      .encoder_anchor(config_value<double>(node, "encoder_anchor", w.encoder_anchor(), where))
      .decoder_anchor(config_value<double>(node, "decoder_anchor", w.decoder_anchor(), where))
      .paired(config_value<double>(node, "paired", w.paired(), where))
      .mass(config_value<double>(node, "mass", w.mass(), where))
      .transport(config_value<double>(node, "transport", w.transport(), where));
  for (double v : {w.reconstruction(), w.latent(), w.data(), w.encoder_anchor(), w.decoder_anchor(), w.paired(), w.mass(),
                   w.transport()})
    if (!std::isfinite(v) || v < 0) throw ConfigError(where + ": every weight must be finite and >= 0, received " + std::to_string(v));
  return w;
}

ObjectCut parse_cut(const YAML::Node& node, const std::string& where) {
  check_known_keys(node, {"objects", "pt_min", "abs_eta_max", "mass_min", "mass_max"}, where);
  ObjectCut cut;
  cut.objects = config_value<std::vector<int64_t>>(node, "objects", {}, where);
  cut.pt_min = config_value<double>(node, "pt_min", 0.0, where);
  cut.abs_eta_max = config_value<double>(node, "abs_eta_max", cut.abs_eta_max, where);
  cut.mass_min = config_value<double>(node, "mass_min", cut.mass_min, where);
  cut.mass_max = config_value<double>(node, "mass_max", cut.mass_max, where);
  if (cut.objects.empty()) throw ConfigError(where + ".objects: list the object indices the cut applies to");
  if (!(cut.mass_min >= 0) || !(cut.mass_max > cut.mass_min))
    throw ConfigError(where + ": needs 0 <= mass_min < mass_max (GeV), received " + std::to_string(cut.mass_min) +
                      " and " + std::to_string(cut.mass_max));
  return cut;
}

OtusLossOptions parse_loss(const YAML::Node& node) {
  const std::string where = "loss";
  check_known_keys(node, {"slices", "standardised", "mass_bins", "mass_trim", "anchor", "acceptance"}, where);
  OtusLossOptions o;
  o.slices(config_value<int64_t>(node, "slices", o.slices(), where))
      .standardised(config_value<bool>(node, "standardised", o.standardised(), where))
      .mass_bins(config_value<int64_t>(node, "mass_bins", o.mass_bins(), where))
      .mass_trim(config_value<double>(node, "mass_trim", o.mass_trim(), where));
  if (o.slices() < 1) throw ConfigError("loss.slices must be >= 1, received " + std::to_string(o.slices()));
  if (o.mass_bins() < 1) throw ConfigError("loss.mass_bins must be >= 1 (1: unbinned), received " + std::to_string(o.mass_bins()));
  if (!(o.mass_trim() >= 0.0 && o.mass_trim() < 0.5))
    throw ConfigError("loss.mass_trim must be in [0, 0.5) (the fraction cut from each end), received " +
                      std::to_string(o.mass_trim()));
  const YAML::Node anchor = node ? node["anchor"] : YAML::Node();
  check_known_keys(anchor, {"z_object", "x_object"}, "loss.anchor");
  o.anchor_z_object(config_value<int64_t>(anchor, "z_object", o.anchor_z_object(), "loss.anchor"))
      .anchor_x_object(config_value<int64_t>(anchor, "x_object", o.anchor_x_object(), "loss.anchor"));
  std::vector<ObjectCut> cuts;
  if (node && node["acceptance"]) {
    if (!node["acceptance"].IsSequence()) throw ConfigError("loss.acceptance: expected a list of cuts");
    for (size_t i = 0; i < node["acceptance"].size(); ++i)
      cuts.push_back(parse_cut(node["acceptance"][i], "loss.acceptance." + std::to_string(i)));
  }
  return o.acceptance(cuts);
}

OtusPhase parse_phase(const YAML::Node& node, const std::string& where) {
  check_known_keys(node, {"name", "epochs", "learning_rate", "lr_decay_epochs", "decoder_only", "weights"}, where);
  OtusPhase p;
  p.name = config_value<std::string>(node, "name", p.name, where);
  p.epochs = config_value<int64_t>(node, "epochs", p.epochs, where);
  p.learning_rate = config_value<double>(node, "learning_rate", p.learning_rate, where);
  p.lr_decay_epochs = config_value<double>(node, "lr_decay_epochs", p.lr_decay_epochs, where);
  p.decoder_only = config_value<bool>(node, "decoder_only", p.decoder_only, where);
  p.weights = parse_weights(node["weights"], where + ".weights");
  if (p.epochs < 0) throw ConfigError(where + ".epochs must be >= 0, received " + std::to_string(p.epochs));
  if (!(p.learning_rate > 0)) throw ConfigError(where + ".learning_rate must be > 0");
  if (p.lr_decay_epochs < 0) throw ConfigError(where + ".lr_decay_epochs must be >= 0 (0: constant rate)");
  for (char c : p.name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      throw ConfigError(where + ".name '" + p.name + "' may hold only letters, digits, '_' and '-' (it names files)");
  return p;
}

}  // namespace

OtusConfig parse_otus_config(const YAML::Node& tree) {
  check_known_keys(tree, {"seed", "data", "training", "encoder", "decoder", "loss", "phases"}, "configuration");
  OtusConfig c;
  c.seed = config_value<uint64_t>(tree, "seed", c.seed, "configuration");
  const YAML::Node data = tree["data"];
  check_known_keys(data, {"split", "max_train_events", "paired_fraction", "parton_mass_window"}, "data");
  const YAML::Node split = data ? data["split"] : YAML::Node();
  check_known_keys(split, {"train", "validation", "test", "seed"}, "data.split");
  c.split.train(config_value<double>(split, "train", c.split.train(), "data.split"))
      .validation(config_value<double>(split, "validation", c.split.validation(), "data.split"))
      .test(config_value<double>(split, "test", c.split.test(), "data.split"))
      .seed(config_value<uint64_t>(split, "seed", c.split.seed(), "data.split"));
  try {
    c.split.validate();
  } catch (const InvalidArgument& e) {
    throw ConfigError(std::string("data.split: ") + e.what());
  }
  c.max_train_events = config_value<int64_t>(data, "max_train_events", c.max_train_events, "data");
  c.paired_fraction = config_value<double>(data, "paired_fraction", c.paired_fraction, "data");
  c.parton_mass_window = config_value<std::vector<double>>(data, "parton_mass_window", {}, "data");
  const auto& window = c.parton_mass_window;
  if (!window.empty() && (window.size() != 2 || !(window[0] >= 0) || !(window[1] > window[0])))
    throw ConfigError("data.parton_mass_window must be [lo, hi] GeV with 0 <= lo < hi (or absent)");
  if (!(c.paired_fraction >= 0 && c.paired_fraction <= 1))
    throw ConfigError("data.paired_fraction must be in [0, 1], received " + std::to_string(c.paired_fraction));

  const YAML::Node training = tree["training"];
  check_known_keys(training, {"batch_size", "threads", "checkpoint_every"}, "training");
  c.batch_size = config_value<int64_t>(training, "batch_size", c.batch_size, "training");
  c.threads = config_value<int64_t>(training, "threads", c.threads, "training");
  c.checkpoint_every = config_value<int64_t>(training, "checkpoint_every", c.checkpoint_every, "training");
  if (c.batch_size < 2) throw ConfigError("training.batch_size must be >= 2, received " + std::to_string(c.batch_size));
  if (c.checkpoint_every < 1) throw ConfigError("training.checkpoint_every must be >= 1");

  c.encoder = parse_generator(tree["encoder"], "encoder");
  c.decoder = parse_generator(tree["decoder"], "decoder");
  c.loss = parse_loss(tree["loss"]);
  if (tree["phases"]) {
    if (!tree["phases"].IsSequence()) throw ConfigError("phases: expected a list of phases");
    for (size_t i = 0; i < tree["phases"].size(); ++i)
      c.phases.push_back(parse_phase(tree["phases"][i], "phases." + std::to_string(i)));
  } else {
    c.phases.push_back(OtusPhase());
  }
  if (c.phases.empty()) throw ConfigError("phases: at least one phase is needed");
  return c;
}

YAML::Node to_yaml(const OtusConfig& c) {
  YAML::Node tree;
  tree["seed"] = c.seed;
  tree["data"]["split"]["train"] = c.split.train();
  tree["data"]["split"]["validation"] = c.split.validation();
  tree["data"]["split"]["test"] = c.split.test();
  tree["data"]["split"]["seed"] = c.split.seed();
  tree["data"]["max_train_events"] = c.max_train_events;
  tree["data"]["paired_fraction"] = c.paired_fraction;
  if (!c.parton_mass_window.empty()) tree["data"]["parton_mass_window"] = c.parton_mass_window;
  tree["training"]["batch_size"] = c.batch_size;
  tree["training"]["threads"] = c.threads;
  tree["training"]["checkpoint_every"] = c.checkpoint_every;
  tree["encoder"] = generator_yaml(c.encoder);
  tree["decoder"] = generator_yaml(c.decoder);
  tree["loss"]["slices"] = c.loss.slices();
  tree["loss"]["standardised"] = c.loss.standardised();
  tree["loss"]["mass_bins"] = c.loss.mass_bins();
  tree["loss"]["mass_trim"] = c.loss.mass_trim();
  tree["loss"]["anchor"]["z_object"] = c.loss.anchor_z_object();
  tree["loss"]["anchor"]["x_object"] = c.loss.anchor_x_object();
  tree["loss"]["acceptance"] = YAML::Node(YAML::NodeType::Sequence);
  for (const auto& cut : c.loss.acceptance()) {
    YAML::Node node;
    node["objects"] = cut.objects;
    node["pt_min"] = cut.pt_min;
    if (std::isfinite(cut.abs_eta_max)) node["abs_eta_max"] = cut.abs_eta_max;
    if (cut.mass_min > 0) node["mass_min"] = cut.mass_min;
    if (std::isfinite(cut.mass_max)) node["mass_max"] = cut.mass_max;
    tree["loss"]["acceptance"].push_back(node);
  }
  for (const auto& p : c.phases) {
    YAML::Node node;
    node["name"] = p.name;
    node["epochs"] = p.epochs;
    node["learning_rate"] = p.learning_rate;
    node["lr_decay_epochs"] = p.lr_decay_epochs;
    node["decoder_only"] = p.decoder_only;
    node["weights"]["reconstruction"] = p.weights.reconstruction();
    node["weights"]["latent"] = p.weights.latent();
    node["weights"]["data"] = p.weights.data();
    node["weights"]["encoder_anchor"] = p.weights.encoder_anchor();
    node["weights"]["decoder_anchor"] = p.weights.decoder_anchor();
    node["weights"]["paired"] = p.weights.paired();
    node["weights"]["mass"] = p.weights.mass();
    node["weights"]["transport"] = p.weights.transport();
    tree["phases"].push_back(node);
  }
  return tree;
}

void resolve_objects(OtusConfig& config, int64_t z_objects, int64_t x_objects) {
  auto resolve = [](nn::OtusGeneratorOptions& o, int64_t in, int64_t out, const std::string& where) {
    if (o.output_masses().empty()) o.output_masses(std::vector<double>(static_cast<size_t>(out), 0.0));
    if (static_cast<int64_t>(o.output_masses().size()) != out)
      throw ConfigError(where + ".masses lists " + std::to_string(o.output_masses().size()) +
                        " masses but the data have " + std::to_string(out) + " objects on that side");
    o.input_objects(in).output_objects(out);
    try {
      o.validate();
    } catch (const InvalidArgument& e) {
      throw ConfigError(where + ": " + e.what());
    }
  };
  resolve(config.encoder, x_objects, z_objects, "encoder");
  resolve(config.decoder, z_objects, x_objects, "decoder");
}

}  // namespace otae::train
