// The configuration of an OTUS run: data split, the two generators, the loss and its phases.
// Read from YAML (configs/otus/*.yaml; every key optional, defaults from the paper's Z→ee run)
// and written back resolved into the run folder, so that the folder alone rebuilds the models.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "otae/data/split.hpp"
#include "otae/nn/otus_generator.hpp"
#include "otae/train/otus_loss.hpp"

namespace otae::train {

/// The generators a phase trains (YAML `trains`): both; the decoder alone (fine-tuning the
/// simulator); or the encoder alone, against a finished simulator (the unfolder learning to invert
/// it, e.g. from its simulated pairs). The other one is frozen and evaluates in inference mode.
enum class PhaseTrains { kBoth, kDecoder, kEncoder };

/// "both", "decoder", "encoder"; parse throws InvalidArgument naming the choices.
PhaseTrains parse_phase_trains(const std::string& name);
std::string to_string(PhaseTrains trains);

/// One stretch of training with fixed weights: `epochs` passes over the training rows with Adam
/// at lr(e) = learning_rate / (1 + e / lr_decay_epochs) (constant when lr_decay_epochs = 0), e the
/// epoch within the phase, on the terms of the generators it trains.
struct OtusPhase {
  std::string name = "main";
  int64_t epochs = 1;
  double learning_rate = 1e-3;
  double lr_decay_epochs = 0;
  PhaseTrains trains = PhaseTrains::kBoth;
  OtusLossWeights weights;

  bool trains_encoder() const { return trains != PhaseTrains::kDecoder; }
  bool trains_decoder() const { return trains != PhaseTrains::kEncoder; }
};

struct OtusConfig {
  uint64_t seed = 0;
  data::SplitOptions split = data::SplitOptions().train(0.5).validation(0.0).test(0.5);
  /// Use at most this many training rows (0: all), for quick runs.
  int64_t max_train_events = 0;
  /// Train only on rows whose parton-level invariant mass of all objects lies in [lo, hi) GeV
  /// (both sides of the row, so that z and x stay one population; the test split keeps every
  /// mass): a model that must simulate resonances at masses it never saw. Empty: every row.
  std::vector<double> parton_mass_window;
  /// Fraction of the training rows whose pairing the semi-supervised term may use (eqs. 20–21).
  double paired_fraction = 0;
  int64_t batch_size = 20000;
  /// Shards of every batch, each with its own loss (its own sliced-Wasserstein samples) and its
  /// share of the gradient: 1 computes the batch whole. A data-parallel run of W processes cuts
  /// each batch into max(batch_shards, W) shards, so W processes reproduce one process with
  /// batch_shards = W (see train/distributed.hpp).
  int64_t batch_shards = 1;
  /// Intra-op threads (0: every core).
  int64_t threads = 0;
  /// Where the generators and the loss compute: cpu, cuda or cuda:N (resolve_device); the
  /// command line's --device overrides it. The events stay in host memory.
  std::string device = "cpu";
  /// Write checkpoint.pt every this many epochs (and at every phase end).
  int64_t checkpoint_every = 1;
  /// x → z̃ and z → x̃; object counts come from the data (resolve_objects), and so do the masses'
  /// count: none given means 0 GeV for every object.
  nn::OtusGeneratorOptions encoder = nn::OtusGeneratorOptions().output_masses({});
  nn::OtusGeneratorOptions decoder = nn::OtusGeneratorOptions().output_masses({});
  OtusLossOptions loss;
  /// A file without `phases` trains one phase of OtusPhase's defaults.
  std::vector<OtusPhase> phases = {OtusPhase()};

  /// Throws ConfigError naming the dotted key (e.g. "phases.1.weights.mass"), its value and the
  /// range it must lie in (the schema's) for any value out of its domain. The generators are
  /// checked by resolve_objects, which knows the object counts.
  void validate() const;
};

/// Reads a configuration tree (after overrides); keys absent from it keep OtusConfig's defaults.
/// A phase's `decoder_only: true` (run folders written before `trains`) reads as `trains: decoder`.
/// Throws ConfigError naming the dotted key on an unknown key, a value of the wrong type, or an
/// invalid value (validate).
OtusConfig parse_otus_config(const YAML::Node& tree);

/// The configuration as YAML, every value explicit; parse_otus_config(to_yaml(c)) gives c back.
YAML::Node to_yaml(const OtusConfig& config);

/// Sets the object counts of both generators from the data (k_z parton, k_x detector objects),
/// filling absent masses with zeros. Throws ConfigError when given masses do not number k.
void resolve_objects(OtusConfig& config, int64_t z_objects, int64_t x_objects);

}  // namespace otae::train
