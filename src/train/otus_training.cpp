// The OTUS training loop: phases of unpaired epochs, checkpoints, logs; see otus_training.hpp.
#include "otae/train/otus_training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <type_traits>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/optim/adam.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/base/seed_streams.hpp"
#include "otae/data/distance_shards.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/preprocessing_standardisation.hpp"
#include "otae/data/split.hpp"
#include "otae/train/config_file.hpp"
#include "otae/train/cpu_compute.hpp"
#include "otae/train/device.hpp"
#include "otae/train/distributed.hpp"

namespace otae::train {

namespace {

// Streams of the run's seed that must not be correlated with the epoch orders of the data layer.
constexpr uint64_t kPairedRowsStream = 11;
constexpr uint64_t kPairedOrderStream = 12;
constexpr uint64_t kValidationStream = 13;
constexpr uint64_t kShardNoiseStream = 14;

/// Where a run stands: phases finished, epochs finished in the current phase, optimiser steps.
struct Position {
  int64_t phase = 0, epoch = 0, step = 0;
};

constexpr size_t kTerms = 11;  // total … simulation_transport, in the order of the log

std::string path_in(const std::string& folder, const std::string& name) {
  return (std::filesystem::path(folder) / name).string();
}

at::Tensor momentum_columns(int64_t objects) {
  std::vector<int64_t> columns;
  for (int64_t i = 0; i < objects; ++i)
    for (int64_t c = 0; c < 3; ++c) columns.push_back(4 * i + c);
  return at::tensor(columns, at::kLong);
}

nn::GeneratorStatistics statistics_between(const data::Standardisation& from, const data::Standardisation& to) {
  const auto f = from.to_tensors(), t = to.to_tensors();
  const at::Tensor columns = momentum_columns(t[0].size(0) / 4);
  return {f[0], f[1], t[0].index_select(0, columns), t[1].index_select(0, columns)};
}

/// Placeholder statistics of the right shapes, overwritten by a checkpoint's buffers.
nn::GeneratorStatistics blank_statistics(int64_t in_objects, int64_t out_objects) {
  return {at::zeros({4 * in_objects}), at::ones({4 * in_objects}), at::zeros({3 * out_objects}),
          at::ones({3 * out_objects})};
}

void save_models(torch::serialize::OutputArchive& archive, nn::OtusGenerator& encoder, nn::OtusGenerator& decoder) {
  torch::serialize::OutputArchive e, d;
  encoder->save(e);
  decoder->save(d);
  archive.write("encoder", e);
  archive.write("decoder", d);
}

void save_checkpoint(const std::string& path, nn::OtusGenerator& encoder, nn::OtusGenerator& decoder,
                     torch::optim::Optimizer* optimizer, const Position& position, const at::Generator& noise) {
  torch::serialize::OutputArchive archive;
  save_models(archive, encoder, decoder);
  if (optimizer) {
    torch::serialize::OutputArchive o;
    optimizer->save(o);
    archive.write("optimizer", o);
  }
  archive.write("position", at::tensor({position.phase, position.epoch, position.step}, at::kLong));
  archive.write("rng", noise.get_state());
  write_atomically(path, [&](const std::string& temporary) { archive.save_to(temporary); });
}

void save_model_file(const std::string& path, nn::OtusGenerator& encoder, nn::OtusGenerator& decoder) {
  torch::serialize::OutputArchive archive;
  save_models(archive, encoder, decoder);
  write_atomically(path, [&](const std::string& temporary) { archive.save_to(temporary); });
}

/// The archive at `path` with its tensors on `device`, wherever it was written.
torch::serialize::InputArchive open_archive(const std::string& path, const at::Device& device) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path, device);
  } catch (const c10::Error& e) {
    throw IoError("cannot read checkpoint " + path + ": " + e.what_without_backtrace());
  }
  return archive;
}

void load_models(torch::serialize::InputArchive& archive, const std::string& path, nn::OtusGenerator& encoder,
                 nn::OtusGenerator& decoder) {
  torch::serialize::InputArchive e, d;
  try {
    archive.read("encoder", e);
    archive.read("decoder", d);
    encoder->load(e);
    decoder->load(d);
  } catch (const c10::Error& error) {
    throw IoError("checkpoint " + path + " does not fit the configured generators: " + error.what_without_backtrace());
  }
}

/// Sets `value` from field `key` of `j`, the contents of the file `path`; a missing optional field
/// leaves it as it is. Throws IoError naming the file and the field when a required one is
/// missing or the field has the wrong type (a damaged run folder, not a library's message).
template <class T>
void read_field(const nlohmann::json& j, const std::string& path, const char* key, T& value, bool required = true) {
  if (!j.is_object() || !j.contains(key)) {
    if (required) throw IoError(path + ": field '" + key + "' is missing");
    return;
  }
  const nlohmann::json& v = j[key];
  const bool right_type = std::is_same_v<T, std::string> ? v.is_string()
                          : std::is_integral_v<T>        ? v.is_number_integer()
                                                         : v.is_number();
  if (!right_type)
    throw IoError(path + ": field '" + key + "' must be " +
                  (std::is_same_v<T, std::string> ? "a string" : std::is_integral_v<T> ? "an integer" : "a number") +
                  ", found " + v.dump());
  value = v.get<T>();
}

/// best.json: where the models of best.pt were taken, and their validation distance, the score a
/// resumed run must beat.
struct BestModel {
  std::string phase;
  int64_t phase_index = 0, epoch = 0, global_epoch = 0;
  double validation_distance = std::numeric_limits<double>::infinity();

  nlohmann::json to_json() const {
    return {{"phase", phase}, {"phase_index", phase_index}, {"epoch", epoch}, {"global_epoch", global_epoch},
            {"validation_distance", validation_distance}};
  }
  static BestModel read(const std::string& path) {
    const nlohmann::json j = read_json_file(path);
    BestModel best;
    read_field(j, path, "phase", best.phase);
    read_field(j, path, "phase_index", best.phase_index);
    read_field(j, path, "epoch", best.epoch);
    read_field(j, path, "global_epoch", best.global_epoch);
    read_field(j, path, "validation_distance", best.validation_distance);
    return best;
  }
};

/// Per-epoch sums of the loss terms; a term never computed stays NaN in the log. A shard of a
/// batch counts with its share of the batch, so that the shards of a step count as one step.
struct EpochMeans {
  std::vector<double> sums = std::vector<double>(kTerms, 0.0);
  std::vector<double> counts = std::vector<double>(kTerms, 0.0);
  double acceptance = 0;
  double steps = 0;

  void add(const OtusLossTerms& t, double share) {
    const at::Tensor terms[] = {t.total,          t.reconstruction, t.latent,   t.data,
                                t.encoder_anchor, t.decoder_anchor, t.paired,   t.mass,
                                t.transport,      t.simulated_pairs, t.simulation_transport};
    for (size_t i = 0; i < kTerms; ++i) {
      if (!terms[i].defined()) continue;
      sums[i] += share * terms[i].item<double>();
      counts[i] += share;
    }
    acceptance += share * t.acceptance;
    steps += share;
  }
  double mean(size_t i) const { return counts[i] > 0 ? sums[i] / counts[i] : std::nan(""); }
  OtusTermValues means() const {
    return {mean(0), mean(1), mean(2), mean(3), mean(4), mean(5), mean(6), mean(7), mean(8), mean(9), mean(10)};
  }

  /// The sums of every rank's shards (a no-op alone).
  void sum_over_ranks(DataParallel& parallel) {
    std::vector<double> all = sums;
    all.insert(all.end(), counts.begin(), counts.end());
    all.push_back(acceptance);
    all.push_back(steps);
    parallel.sum(all);
    std::copy(all.begin(), all.begin() + kTerms, sums.begin());
    std::copy(all.begin() + kTerms, all.begin() + 2 * kTerms, counts.begin());
    acceptance = all[2 * kTerms];
    steps = all[2 * kTerms + 1];
  }
};

nlohmann::json weights_json(const OtusLossWeights& w) {
  return {{"reconstruction", w.reconstruction()}, {"latent", w.latent()}, {"data", w.data()},
          {"encoder_anchor", w.encoder_anchor()}, {"decoder_anchor", w.decoder_anchor()}, {"paired", w.paired()},
          {"mass", w.mass()}, {"transport", w.transport()},
          {"simulated_pairs", w.simulated_pairs()}, {"simulation_transport", w.simulation_transport()}};
}

/// A calorimeter generator's learnt resolution s(E) = √(a² + b²/E + c²/E²) and tail, per object.
nlohmann::json calorimeter_json(nn::OtusGenerator& g) {
  torch::NoGradGuard no_grad;
  const at::Tensor resolution = g->resolution_parameters();
  auto values = [](const at::Tensor& t) {
    const at::Tensor c = t.to(at::kDouble).cpu().contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
  };
  return {{"a", values(resolution.select(1, 0))}, {"b_sqrt_GeV", values(resolution.select(1, 1))},
          {"c_GeV", values(resolution.select(1, 2))}, {"tail_fraction", values(g->tail_fraction())},
          {"tail_scale", values(g->tail_scale())}};
}

std::string emitted(const OtusConfig& config) {
  YAML::Emitter emitter;
  emitter << to_yaml(config);
  return std::string(emitter.c_str()) + "\n";
}

void write_run_files(const OtusConfig& config, const std::string& folder, const OtusRunRecord& run, bool resume) {
  const std::string resolved = emitted(config);
  const std::string config_path = path_in(folder, "config.yaml");
  if (resume) {
    // compared as values, not as text: "0.1" written by hand equals the 0.10000000000000001 emitted
    OtusConfig stored = parse_otus_config(load_config_file(config_path));
    resolve_objects(stored, run.z_objects, run.x_objects);
    stored.device = config.device;  // a run may continue on another device
    if (emitted(stored) != resolved)
      throw ConfigError("cannot resume " + folder + ": its config.yaml differs from the configuration given; resume with "
                        "--config " + config_path + " or start a new run folder");
    return;
  }
  write_text_file(config_path, resolved);
  write_json_file(path_in(folder, "run.json"), run.to_json());
}

/// An OTUS run in stages: rows and generators, run files, resumption, phases of epochs. Each
/// stage reads the members the stages before it set.
class Trainer {
 public:
  Trainer(OtusConfig c, const data::EventPairs& e, const std::string& data_name, std::string f,
          const OtusTrainOptions& o)
      : config_(std::move(c)), events_(e), folder_(std::move(f)), options_(o),
        checkpoint_(path_in(folder_, "checkpoint.pt")), best_json_(path_in(folder_, "best.json")) {
    const int64_t z_objects = events_.z().size(1) / 4, x_objects = events_.x().size(1) / 4;
    resolve_objects(config_, z_objects, x_objects);
    device_ = resolve_device(config_.device, "training.device");
    const data::Split split = data::split_rows(events_.size(), config_.split);
    choose_rows(split);
    build_generators();
    run_.data = data_name;
    run_.x_data = options_.x_data();
    run_.z_objects = z_objects;
    run_.x_objects = x_objects;
    run_.train_events = train_rows_.size(0);
    run_.paired_events = paired_rows_.defined() ? paired_rows_.size(0) : 0;
    run_.test_events = split.test.size(0);
    run_.validation_events = split.validation.size(0);
    run_.steps_per_epoch = steps_per_epoch_;
    run_.batch_size = batch_size_;
    run_.device = device_.str();
  }

  OtusModel train() {
    const bool resuming = options_.resume() && std::filesystem::exists(checkpoint_);
    parallel_.barrier();  // every rank has looked before rank 0 writes the run folder
    if (writes()) create_folder(folder_);
    if (writes() || resuming) write_run_files(config_, folder_, run_, resuming);
    if (resuming) resume();
    std::vector<at::Tensor> parameters = encoder_->parameters();
    for (const auto& p : decoder_->parameters()) parameters.push_back(p);
    parallel_.broadcast_from_root(parameters);
    start_observers(resuming);
    for (auto i = static_cast<size_t>(position_.phase); i < config_.phases.size(); ++i)
      if (!run_phase(i)) return finished();
    save_model_file(path_in(folder_, "model.pt"), encoder_, decoder_);
    return finished();
  }

 private:
  OtusConfig config_;
  at::Device device_ = at::kCPU;
  const data::EventPairs& events_;
  std::string folder_;
  const OtusTrainOptions& options_;
  std::string checkpoint_, best_json_;
  OtusRunRecord run_;
  at::Tensor train_rows_, paired_rows_, validation_rows_;
  int64_t batch_size_ = 0, steps_per_epoch_ = 0;
  /// The generators' initial weights, then the training noise ε: one stream from the run's seed,
  /// whose state checkpoint.pt keeps.
  at::Generator noise_ = at::make_generator<at::CPUGeneratorImpl>(config_.seed);
  nn::OtusGenerator encoder_{nullptr}, decoder_{nullptr};
  OtusLossScales scales_;
  Position position_;
  std::optional<torch::serialize::InputArchive> resumed_;
  /// log.csv, the progress line and the caller's; none on a process that writes no files.
  std::vector<OtusTrainingObserver> observers_;
  BestModel best_;
  int64_t epochs_this_call_ = 0, steps_done_ = 0;
  DataParallel& parallel_ = data_parallel();
  /// Shards of every batch (1 alone unless training.batch_shards asks for more) and this rank's.
  int64_t shards_ = parallel_.shards(config_.batch_shards);
  ShardRange my_shards_ = parallel_.my_shards(config_.batch_shards);

  /// Whether this process writes the run's files and progress (rank 0 of a data-parallel run).
  bool writes() const { return parallel_.writes_files(); }

  void choose_rows(const data::Split& split) {
    train_rows_ = in_parton_mass_window(split.train);
    validation_rows_ = in_parton_mass_window(split.validation);
    if (config_.max_train_events > 0 && train_rows_.size(0) > config_.max_train_events)
      train_rows_ = train_rows_.narrow(0, 0, config_.max_train_events);
    const int64_t n_train = train_rows_.size(0);
    if (n_train < 2)
      throw ConfigError("OTUS training needs at least 2 training rows; data.split.train gives " + std::to_string(n_train));
    batch_size_ = std::min(config_.batch_size, n_train);
    if (batch_size_ < 2 * shards_)
      throw ConfigError("training.batch_size=" + std::to_string(batch_size_) + " leaves fewer than 2 events in each of " +
                        std::to_string(shards_) + " shards (training.batch_shards, processes of the run)");
    steps_per_epoch_ = n_train / batch_size_;
    const auto n_paired = static_cast<int64_t>(std::llround(config_.paired_fraction * static_cast<double>(n_train)));
    if (n_paired > 0)
      paired_rows_ = train_rows_.index_select(
          0, data::seeded_permutation(n_train, splitmix64_draw(config_.seed, kPairedRowsStream)).narrow(0, 0, n_paired));
  }

  at::Tensor in_parton_mass_window(const at::Tensor& rows) const {
    const auto& window = config_.parton_mass_window;
    if (window.empty() || rows.size(0) == 0) return rows;
    const at::Tensor mass = total_invariant_mass(events_.z().index_select(0, rows)).squeeze(1);
    return rows.index_select(0, ((mass >= window[0]) & (mass < window[1])).nonzero().squeeze(1));
  }

  void build_generators() {
    const data::Standardisation z_stats = data::fit_standardisation(events_.z(), train_rows_);
    const data::Standardisation x_stats = data::fit_standardisation(events_.x(), train_rows_);
    encoder_ = nn::OtusGenerator(config_.encoder, statistics_between(x_stats, z_stats), noise_);
    decoder_ = nn::OtusGenerator(config_.decoder, statistics_between(z_stats, x_stats), noise_);
    encoder_->to(device_);
    decoder_->to(device_);
    scales_ = {z_stats.to_tensors()[1].to(device_, at::kFloat), x_stats.to_tensors()[1].to(device_, at::kFloat),
               total_invariant_mass(events_.z().index_select(0, train_rows_)).std().item<double>(),
               total_invariant_mass(events_.x().index_select(0, train_rows_)).std().item<double>()};
  }

  /// Weights, position and random state of the checkpoint; its optimiser state waits for the
  /// phase it belongs to.
  void resume() {
    resumed_ = open_archive(checkpoint_, device_);
    load_models(*resumed_, checkpoint_, encoder_, decoder_);
    at::Tensor where, rng;
    resumed_->read("position", where);
    resumed_->read("rng", rng);
    position_ = {where[0].item<int64_t>(), where[1].item<int64_t>(), where[2].item<int64_t>()};
    noise_.set_state(rng.cpu());  // read onto the run's device with the rest
    if (std::filesystem::exists(best_json_))
      best_ = BestModel::read(best_json_);
  }

  void start_observers(bool resuming) {
    if (!writes()) return;
    observers_.push_back(otus_log_writer(path_in(folder_, "log.csv"), resuming));
    if (options_.show_progress()) observers_.push_back(otus_progress_line("otae otus train"));
    observers_.push_back(options_.observer());
    // the steps of this call, so that a resumed run's rate is its own, and no more than the epoch
    // limit lets it run
    int64_t epochs_left = -position_.epoch;
    for (auto i = static_cast<size_t>(position_.phase); i < config_.phases.size(); ++i)
      epochs_left += config_.phases[i].epochs;
    if (options_.epoch_limit() > 0) epochs_left = std::min(epochs_left, options_.epoch_limit());
    const OtusTrainingStart start{position_.phase, position_.epoch, resuming, steps_per_epoch_,
                                  epochs_left * steps_per_epoch_};
    for (const auto& observer : observers_)
      if (observer.on_start) observer.on_start(start);
  }

  /// Trains phase i from the current position; false when the epoch limit stopped it.
  bool run_phase(size_t i) {
    const OtusPhase& phase = config_.phases[i];
    std::vector<at::Tensor> parameters;
    // the decoder's parameters first: the order of the optimiser state that checkpoints keep
    for (auto [generator, trained] : {std::pair{&decoder_, phase.trains_decoder()}, {&encoder_, phase.trains_encoder()}}) {
      (*generator)->train(trained);
      for (auto& p : (*generator)->parameters()) {
        p.set_requires_grad(trained);
        if (trained) parameters.push_back(p);
      }
    }
    torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(phase.learning_rate));
    torch::serialize::InputArchive optimizer_state;
    if (resumed_ && position_.epoch > 0 && resumed_->try_read("optimizer", optimizer_state))
      optimizer.load(optimizer_state);
    resumed_.reset();
    const auto phase_start = std::chrono::steady_clock::now();
    EpochMeans last;
    for (; position_.epoch < phase.epochs; ++position_.epoch) {
      if (options_.epoch_limit() > 0 && epochs_this_call_ == options_.epoch_limit()) {
        if (writes()) save_checkpoint(checkpoint_, encoder_, decoder_, &optimizer, position_, noise_);
        return false;
      }
      ++epochs_this_call_;
      const double rate = phase.learning_rate / (phase.lr_decay_epochs > 0
                                                     ? 1.0 + static_cast<double>(position_.epoch) / phase.lr_decay_epochs
                                                     : 1.0);
      for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(rate);
      const auto start = std::chrono::steady_clock::now();
      const int64_t global_epoch = epochs_before(i) + position_.epoch;
      last = run_epoch(phase, global_epoch, optimizer);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      finish_epoch(i, global_epoch, rate, last, seconds);
      const Position after{static_cast<int64_t>(i), position_.epoch + 1, position_.step};
      if (writes() && ((position_.epoch + 1) % config_.checkpoint_every == 0 || position_.epoch + 1 == phase.epochs))
        save_checkpoint(checkpoint_, encoder_, decoder_, &optimizer, after, noise_);
    }
    finish_phase(i, last, std::chrono::duration<double>(std::chrono::steady_clock::now() - phase_start).count());
    return true;
  }

  /// The epoch's record (training means, validation terms) to the observers, and the best model
  /// so far.
  void finish_epoch(size_t i, int64_t global_epoch, double rate, const EpochMeans& last, double seconds) {
    const OtusPhase& phase = config_.phases[i];
    const OtusValidationValues validation = validate(phase);
    const bool best = validation.distance < best_.validation_distance;
    if (best) best_ = {phase.name, static_cast<int64_t>(i), position_.epoch, global_epoch, validation.distance};
    if (!writes()) return;
    const OtusEpochRecord record{static_cast<int64_t>(i), position_.epoch, global_epoch, rate, last.means(),
                                 last.acceptance / std::max(1.0, last.steps), seconds, validation};
    for (const auto& observer : observers_)
      if (observer.on_epoch_end) observer.on_epoch_end(record);
    if (best) {
      save_model_file(path_in(folder_, "best.pt"), encoder_, decoder_);
      write_json_file(best_json_, best_.to_json());
    }
  }

  /// The phase's model file, its summary (final epoch's means, learnt calorimeter resolutions) and
  /// a checkpoint at the start of the next phase.
  void finish_phase(size_t i, const EpochMeans& last, double seconds) {
    const OtusPhase& phase = config_.phases[i];
    const Position next{static_cast<int64_t>(i) + 1, 0, position_.step};
    if (!writes()) {
      position_ = next;
      return;
    }
    save_model_file(phase_file(i, ".pt"), encoder_, decoder_);
    nlohmann::json summary = {
        {"phase", phase.name}, {"index", i}, {"epochs", phase.epochs}, {"learning_rate", phase.learning_rate},
        {"lr_decay_epochs", phase.lr_decay_epochs}, {"trains", to_string(phase.trains)},
        {"weights", weights_json(phase.weights)}, {"seconds", seconds}};
    if (last.steps > 0.0) {
      nlohmann::json final_epoch;
      for (size_t k = 0; k < kTerms; ++k)
        if (last.counts[k]) final_epoch[otus_log_columns()[4 + k]] = last.mean(k);
      final_epoch["acceptance"] = last.acceptance / last.steps;
      summary["final_epoch"] = final_epoch;
    }
    for (auto* side : {&encoder_, &decoder_})
      if ((*side)->options().noise() == nn::GeneratorNoise::kCalorimeter)
        summary[side == &encoder_ ? "encoder_calorimeter" : "decoder_calorimeter"] = calorimeter_json(*side);
    write_json_file(phase_file(i, ".json"), summary);
    position_ = next;
    save_checkpoint(checkpoint_, encoder_, decoder_, nullptr, position_, noise_);
  }

  /// The models handed back: trainable again, in evaluation mode.
  OtusModel finished() {
    for (auto& p : encoder_->parameters()) p.set_requires_grad(true);
    encoder_->eval();
    decoder_->eval();
    return {config_, encoder_, decoder_, run_};
  }

  int64_t epochs_before(size_t phase) const {
    int64_t n = 0;
    for (size_t i = 0; i < phase; ++i) n += config_.phases[i].epochs;
    return n;
  }

  std::string phase_file(size_t i, const char* extension) const {
    return path_in(folder_, "phase_" + std::to_string(i) + "_" + config_.phases[i].name + extension);
  }

  OtusBatch batch_of(const at::Tensor& z_rows, const at::Tensor& x_rows, const std::vector<at::Tensor>& paired_slices,
                     size_t b) const {
    const data::EventBatch unpaired = events_.unpaired_batch(z_rows, x_rows);
    OtusBatch batch{to_device(unpaired.z, device_), to_device(unpaired.x, device_), {}, {}};
    if (!paired_slices.empty()) {
      const data::EventBatch paired = events_.paired_batch(paired_slices[b % paired_slices.size()]);
      batch.z_paired = to_device(paired.z, device_);
      batch.x_paired = to_device(paired.x, device_);
    }
    return batch;
  }

  /// The validation rows' loss terms, every distribution term computed whatever the phase's
  /// weights: total (phase weights), reconstruction, latent, data, mass, and the selection distance
  /// latent + data + mass (unit weights, the same in every phase; the mass term is the one that
  /// sees a 1 GeV change of M_ee). Fixed noise and directions, so epochs compare; the noise has a
  /// generator of its own, so validating leaves the training numbers unchanged. NaN when there are
  /// no validation rows.
  OtusValidationValues validate(const OtusPhase& phase) {
    const double nan = std::nan("");
    OtusValidationValues out{nan, nan, nan, nan, nan, nan};
    if (!validation_rows_.defined() || validation_rows_.size(0) < 4) return out;
    const bool encoder_training = encoder_->is_training(), decoder_training = decoder_->is_training();
    encoder_->eval();
    decoder_->eval();
    const OtusLossTerms terms = validation_terms(phase);
    encoder_->train(encoder_training);
    decoder_->train(decoder_training);
    auto value = [](const at::Tensor& v) { return v.defined() ? v.item<double>() : 0.0; };
    const OtusLossWeights& p = phase.weights;
    out.total = p.reconstruction() * value(terms.reconstruction) + p.latent() * value(terms.latent) +
                p.data() * value(terms.data) + p.encoder_anchor() * value(terms.encoder_anchor) +
                p.decoder_anchor() * value(terms.decoder_anchor) + p.mass() * value(terms.mass) +
                p.transport() * value(terms.transport) + p.simulated_pairs() * value(terms.simulated_pairs) +
                p.simulation_transport() * value(terms.simulation_transport);
    out.reconstruction = value(terms.reconstruction);
    out.latent = value(terms.latent);
    out.data = value(terms.data);
    out.mass = value(terms.mass);
    out.distance = out.latent + out.data + out.mass;
    return out;
  }

  OtusLossTerms validation_terms(const OtusPhase& phase) {
    const uint64_t seed = splitmix64_draw(config_.seed, kValidationStream);
    torch::NoGradGuard no_grad;
    // z and x from disjoint halves: E(x) ≈ z event by event, so on the same events every
    // distance would come out far below what unpaired samples can reach
    const int64_t half = validation_rows_.size(0) / 2;
    const data::EventBatch b =
        events_.unpaired_batch(validation_rows_.narrow(0, 0, half), validation_rows_.narrow(0, half, half));
    const OtusLossWeights w = OtusLossWeights(phase.weights).reconstruction(1).latent(1).data(1).mass(1).paired(0);
    return otus_loss(encoder_, decoder_, {to_device(b.z, device_), to_device(b.x, device_), {}, {}}, w, config_.loss,
                     scales_, seed, at::make_generator<at::CPUGeneratorImpl>(seed));
  }

  EpochMeans run_epoch(const OtusPhase& phase, int64_t global_epoch, torch::optim::Adam& optimizer) {
    const auto epoch = data::unpaired_epoch(
        train_rows_, global_epoch,
        data::UnpairedEpochOptions().seed(config_.seed).batch_size(batch_size_).drop_last(true));
    std::vector<at::Tensor> paired_slices;
    if (paired_rows_.defined() && paired_rows_.size(0) > 0) {
      const int64_t per_step = std::max<int64_t>(1, paired_rows_.size(0) / steps_per_epoch_);
      paired_slices = data::batch_slices(
          data::epoch_order(paired_rows_, config_.seed, global_epoch, kPairedOrderStream), per_step, true);
    }
    EpochMeans means;
    for (size_t b = 0; b < epoch.z_rows.size(); ++b) {
      optimizer.zero_grad();
      std::string failure;
      for (int64_t s = my_shards_.first; s < my_shards_.first + my_shards_.count && failure.empty(); ++s)
        failure = add_shard_gradient(phase, epoch.z_rows[b], epoch.x_rows[b],
                                     paired_slices.empty() ? at::Tensor() : paired_slices[b % paired_slices.size()], s,
                                     means);
      // every rank learns of a failure on any, so that all stop together
      if (parallel_.sum_gradients(optimizer.param_groups()[0].params(), !failure.empty()))
        throw NumericalError("OTUS training: " + (failure.empty() ? std::string("a rank's loss") : failure) +
                             " is not finite in phase '" + phase.name + "', epoch " + std::to_string(position_.epoch) +
                             "; lower the learning rate or resume from " + checkpoint_);
      optimizer.step();
      ++position_.step;
      ++steps_done_;
      for (const auto& observer : observers_)
        if (observer.on_step_end) observer.on_step_end(steps_done_);
    }
    means.sum_over_ranks(parallel_);
    return means;
  }

  /// The noise of shard s at this step: the run's stream alone, a stream of (step, shard) with more
  /// than one shard, so that any rank can draw it.
  at::Generator shard_noise(int64_t s) const {
    if (shards_ == 1) return noise_;
    return at::make_generator<at::CPUGeneratorImpl>(
        derive_seed(config_.seed, {kShardNoiseStream, uint64_t(position_.step), uint64_t(s)}));
  }

  /// Adds shard s of the step's batch (its rows of z, x and the paired slice) to the gradients,
  /// weighed by its share of the batch, and its loss terms to `means`; returns a description of
  /// the loss when it is not finite (then nothing is added). With more than one shard, each draws
  /// its generator noise from a stream of its own, so that any rank can compute it; the sliced
  /// directions are the step's, shared by the shards.
  std::string add_shard_gradient(const OtusPhase& phase, const at::Tensor& z_rows, const at::Tensor& x_rows,
                                 const at::Tensor& paired, int64_t s, EpochMeans& means) {
    auto part = [&](const at::Tensor& rows) {
      if (shards_ == 1 || !rows.defined()) return rows;
      const auto [first, end] = data::shard_rows(rows.size(0), s, shards_);
      return rows.narrow(0, first, end - first);
    };
    const at::Tensor z_part = part(z_rows);
    std::vector<at::Tensor> paired_part;
    if (paired.defined() && part(paired).size(0) > 0) paired_part.push_back(part(paired));
    const OtusLossTerms terms = otus_loss(encoder_, decoder_, batch_of(z_part, part(x_rows), paired_part, 0),
                                          phase.weights, config_.loss, scales_,
                                          splitmix64_draw(config_.seed, position_.step), shard_noise(s));
    const double total = terms.total.item<double>();
    if (!std::isfinite(total)) return "the loss " + std::to_string(total);
    const double share = static_cast<double>(z_part.size(0)) / static_cast<double>(z_rows.size(0));
    (shards_ == 1 ? terms.total : terms.total * share).backward();
    means.add(terms, share);
    return "";
  }
};

}  // namespace

at::Tensor generate_events(nn::OtusGenerator& generator, const at::Tensor& events, uint64_t seed, int64_t batch_size) {
  at::Generator noise = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::NoGradGuard no_grad;
  const at::Device device = device_of(*generator);
  std::vector<at::Tensor> parts;
  for (int64_t begin = 0; begin < events.size(0); begin += batch_size)
    parts.push_back(
        generator->forward(to_device(events.narrow(0, begin, std::min(batch_size, events.size(0) - begin)), device), noise)
            .cpu());
  return parts.empty() ? at::empty({0, 4 * generator->options().output_objects()}) : at::cat(parts, 0);
}

nlohmann::json OtusRunRecord::to_json() const {
  nlohmann::json j = {{"data", data},
                      {"z_objects", z_objects},
                      {"x_objects", x_objects},
                      {"train_events", train_events},
                      {"paired_events", paired_events},
                      {"test_events", test_events},
                      {"validation_events", validation_events},
                      {"steps_per_epoch", steps_per_epoch},
                      {"batch_size", batch_size},
                      {"device", device}};
  if (!x_data.empty()) j["x_data"] = x_data;
  return j;
}

OtusRunRecord OtusRunRecord::read(const std::string& run_folder) {
  const std::string path = path_in(run_folder, "run.json");
  if (!std::filesystem::exists(path)) throw IoError("run folder " + run_folder + " holds no run.json; train it first");
  const nlohmann::json j = read_json_file(path);
  auto field = [&](const char* key, auto& value, bool required) { read_field(j, path, key, value, required); };
  OtusRunRecord run;
  field("data", run.data, true);
  field("x_data", run.x_data, false);
  field("z_objects", run.z_objects, true);
  field("x_objects", run.x_objects, true);
  field("train_events", run.train_events, false);
  field("paired_events", run.paired_events, false);
  field("test_events", run.test_events, false);
  field("validation_events", run.validation_events, false);
  field("steps_per_epoch", run.steps_per_epoch, false);
  field("batch_size", run.batch_size, false);
  field("device", run.device, false);  // runs from before the device was recorded trained on the CPU
  return run;
}

OtusModel train_otus(OtusConfig config, const data::EventPairs& events, const std::string& data_name,
                     const std::string& run_folder, const OtusTrainOptions& options) {
  // LibTorch's and OpenBLAS's threads set together, freed memory kept: as the VAE trainer
  configure_cpu_compute(config.threads);
  return Trainer(std::move(config), events, data_name, run_folder, options).train();
}

OtusModel train_otus_run(const OtusRunFiles& files, OtusTrainOptions options) {
  YAML::Node tree = load_config_file(files.config);
  apply_overrides(tree, files.overrides);
  const OtusConfig config = parse_otus_config(tree);
  const std::string data = std::filesystem::absolute(files.data).string();
  if (files.x_data.empty()) return train_otus(config, data::load_event_pairs(files.data), data, files.folder, options);
  const data::UnpairedSamples samples = data::load_unpaired_events(files.data, files.x_data, config.seed);
  if (options.notice() && data_parallel().writes_files())  // once per run, not per rank
    options.notice()("unpaired samples: " + std::to_string(samples.z_in_file) + " parton events (" + files.data + "), " +
                     std::to_string(samples.x_in_file) + " detector events (" + files.x_data + "); using " +
                     std::to_string(samples.events.size()) + " of each");
  return train_otus(config, samples.events, data, files.folder,
                    options.x_data(std::filesystem::absolute(files.x_data).string()));
}

OtusModel load_otus_model(const std::string& run_folder, OtusCheckpoint which, const at::Device& device) {
  OtusModel model;
  model.config = parse_otus_config(load_config_file(path_in(run_folder, "config.yaml")));
  model.run = OtusRunRecord::read(run_folder);
  const int64_t z_objects = model.run.z_objects, x_objects = model.run.x_objects;
  resolve_objects(model.config, z_objects, x_objects);
  model.encoder = nn::OtusGenerator(model.config.encoder, blank_statistics(x_objects, z_objects));
  model.decoder = nn::OtusGenerator(model.config.decoder, blank_statistics(z_objects, x_objects));
  model.encoder->to(device);
  model.decoder->to(device);
  std::string path = path_in(run_folder, which == OtusCheckpoint::kBest ? "best.pt" : "model.pt");
  if (which == OtusCheckpoint::kBest && !std::filesystem::exists(path))
    throw IoError("run folder " + run_folder + " holds no best.pt; it is written only when data.split.validation > 0");
  if (!std::filesystem::exists(path)) path = path_in(run_folder, "checkpoint.pt");
  if (!std::filesystem::exists(path))
    throw IoError("run folder " + run_folder + " holds neither model.pt nor checkpoint.pt; train it first");
  auto archive = open_archive(path, device);
  load_models(archive, path, model.encoder, model.decoder);
  model.encoder->eval();
  model.decoder->eval();
  return model;
}

}  // namespace otae::train
