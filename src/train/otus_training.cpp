// The OTUS training loop: phases of unpaired epochs, checkpoints, logs; see otus_training.hpp.
#include "otae/train/otus_training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <limits>
#include <optional>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/optim/adam.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "otae/base/csv_log.hpp"
#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/base/seed_streams.hpp"
#include "otae/base/progress.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/preprocessing_standardisation.hpp"
#include "otae/data/split.hpp"
#include "otae/train/config_file.hpp"
#include "otae/train/cpu_compute.hpp"

namespace otae::train {

namespace {

// Streams of the run's seed that must not be correlated with the epoch orders of the data layer.
constexpr uint64_t kPairedRowsStream = 11;
constexpr uint64_t kPairedOrderStream = 12;
constexpr uint64_t kValidationStream = 13;

/// Where a run stands: phases finished, epochs finished in the current phase, optimiser steps.
struct Position {
  int64_t phase = 0, epoch = 0, step = 0;
};

const std::vector<std::string> kLogColumns = {"phase", "epoch", "global_epoch", "learning_rate", "total",
                                              "reconstruction", "latent", "data", "encoder_anchor",
                                              "decoder_anchor", "paired", "mass", "acceptance", "seconds",
                                              "validation_total", "validation_reconstruction", "validation_latent",
                                              "validation_data", "validation_mass", "validation_distance"};
constexpr size_t kTerms = 8;  // total … mass, in the order of the log

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

at::Generator& cpu_generator() {
  static at::Generator generator = at::detail::getDefaultCPUGenerator();
  return generator;
}

void save_models(torch::serialize::OutputArchive& archive, nn::OtusGenerator& encoder, nn::OtusGenerator& decoder) {
  torch::serialize::OutputArchive e, d;
  encoder->save(e);
  decoder->save(d);
  archive.write("encoder", e);
  archive.write("decoder", d);
}

void save_checkpoint(const std::string& path, nn::OtusGenerator& encoder, nn::OtusGenerator& decoder,
                     torch::optim::Optimizer* optimizer, const Position& position) {
  torch::serialize::OutputArchive archive;
  save_models(archive, encoder, decoder);
  if (optimizer) {
    torch::serialize::OutputArchive o;
    optimizer->save(o);
    archive.write("optimizer", o);
  }
  archive.write("position", at::tensor({position.phase, position.epoch, position.step}, at::kLong));
  {
    std::lock_guard<std::mutex> lock(cpu_generator().mutex());
    archive.write("rng", cpu_generator().get_state());
  }
  write_atomically(path, [&](const std::string& temporary) { archive.save_to(temporary); });
}

void save_model_file(const std::string& path, nn::OtusGenerator& encoder, nn::OtusGenerator& decoder) {
  torch::serialize::OutputArchive archive;
  save_models(archive, encoder, decoder);
  write_atomically(path, [&](const std::string& temporary) { archive.save_to(temporary); });
}

torch::serialize::InputArchive open_archive(const std::string& path) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
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

/// Per-epoch sums of the loss terms; a term never computed stays NaN in the log.
struct EpochMeans {
  std::vector<double> sums = std::vector<double>(kTerms, 0.0);
  std::vector<int64_t> counts = std::vector<int64_t>(kTerms, 0);
  double acceptance = 0;
  int64_t steps = 0;

  void add(const OtusLossTerms& t) {
    const at::Tensor terms[] = {t.total,          t.reconstruction, t.latent, t.data,
                                t.encoder_anchor, t.decoder_anchor, t.paired, t.mass};
    for (size_t i = 0; i < kTerms; ++i) {
      if (!terms[i].defined()) continue;
      sums[i] += terms[i].item<double>();
      ++counts[i];
    }
    acceptance += t.acceptance;
    ++steps;
  }
  double mean(size_t i) const { return counts[i] ? sums[i] / counts[i] : std::nan(""); }
};

nlohmann::json weights_json(const OtusLossWeights& w) {
  return {{"reconstruction", w.reconstruction()}, {"latent", w.latent()}, {"data", w.data()},
          {"encoder_anchor", w.encoder_anchor()}, {"decoder_anchor", w.decoder_anchor()}, {"paired", w.paired()},
          {"mass", w.mass()}};
}

/// A calorimeter generator's learnt resolution s(E) = √(a² + b²/E + c²/E²) and tail, per object.
nlohmann::json calorimeter_json(nn::OtusGenerator& g) {
  torch::NoGradGuard no_grad;
  const at::Tensor resolution = g->resolution_parameters();
  auto values = [](const at::Tensor& t) {
    const at::Tensor c = t.to(at::kDouble).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
  };
  return {{"a", values(resolution.select(1, 0))}, {"b_sqrt_GeV", values(resolution.select(1, 1))},
          {"c_GeV", values(resolution.select(1, 2))}, {"tail_fraction", values(g->tail_fraction())},
          {"tail_scale", values(g->tail_scale())}};
}

/// Everything the epochs share.
struct Trainer {
  Trainer(OtusConfig c, const data::EventPairs& e, std::string f)
      : config(std::move(c)), events(e), folder(std::move(f)) {}

  OtusConfig config;
  const data::EventPairs& events;
  std::string folder;
  at::Tensor train_rows, paired_rows, validation_rows;
  int64_t batch_size = 0, steps_per_epoch = 0;
  nn::OtusGenerator encoder{nullptr}, decoder{nullptr};
  OtusLossScales scales;

  int64_t epochs_before(size_t phase) const {
    int64_t n = 0;
    for (size_t i = 0; i < phase; ++i) n += config.phases[i].epochs;
    return n;
  }

  std::string phase_file(size_t i, const char* extension) const {
    return path_in(folder, "phase_" + std::to_string(i) + "_" + config.phases[i].name + extension);
  }

  OtusBatch batch_of(const at::Tensor& z_rows, const at::Tensor& x_rows, const std::vector<at::Tensor>& paired_slices,
                     size_t b) const {
    const data::EventBatch unpaired = events.unpaired_batch(z_rows, x_rows);
    OtusBatch batch{unpaired.z, unpaired.x, {}, {}};
    if (!paired_slices.empty()) {
      const data::EventBatch paired = events.paired_batch(paired_slices[b % paired_slices.size()]);
      batch.z_paired = paired.z;
      batch.x_paired = paired.x;
    }
    return batch;
  }

  /// The validation rows' loss terms, every distribution term computed whatever the phase's
  /// weights: total (phase weights), reconstruction, latent, data, mass, and the selection distance
  /// latent + data + mass (unit weights, the same in every phase; the mass term is the one that
  /// sees a 1 GeV change of M_ee). Fixed noise and directions, so epochs compare; the training RNG is
  /// restored afterwards, so validating leaves the training numbers unchanged. NaN when there are
  /// no validation rows.
  std::vector<double> validate(const OtusPhase& phase) {
    std::vector<double> out(6, std::nan(""));
    if (!validation_rows.defined() || validation_rows.size(0) < 4) return out;
    at::Tensor saved;
    {
      std::lock_guard<std::mutex> lock(cpu_generator().mutex());
      saved = cpu_generator().get_state();
    }
    const bool encoder_training = encoder->is_training(), decoder_training = decoder->is_training();
    encoder->eval();
    decoder->eval();
    at::manual_seed(splitmix64_draw(config.seed, kValidationStream));
    OtusLossTerms terms;
    {
      torch::NoGradGuard no_grad;
      // z and x from disjoint halves: E(x) ≈ z event by event, so on the same events every
      // distance would come out far below what unpaired samples can reach
      const int64_t half = validation_rows.size(0) / 2;
      const data::EventBatch b =
          events.unpaired_batch(validation_rows.narrow(0, 0, half), validation_rows.narrow(0, half, half));
      const OtusLossWeights w = OtusLossWeights(phase.weights).reconstruction(1).latent(1).data(1).mass(1).paired(0);
      terms = otus_loss(encoder, decoder, {b.z, b.x, {}, {}}, w, config.loss, scales,
                        splitmix64_draw(config.seed, kValidationStream));
    }
    encoder->train(encoder_training);
    decoder->train(decoder_training);
    {
      std::lock_guard<std::mutex> lock(cpu_generator().mutex());
      cpu_generator().set_state(saved);
    }
    auto value = [](const at::Tensor& v) { return v.defined() ? v.item<double>() : 0.0; };
    const OtusLossWeights& p = phase.weights;
    out[0] = p.reconstruction() * value(terms.reconstruction) + p.latent() * value(terms.latent) +
             p.data() * value(terms.data) + p.encoder_anchor() * value(terms.encoder_anchor) +
             p.decoder_anchor() * value(terms.decoder_anchor) + p.mass() * value(terms.mass);
    out[1] = value(terms.reconstruction);
    out[2] = value(terms.latent);
    out[3] = value(terms.data);
    out[4] = value(terms.mass);
    out[5] = out[2] + out[3] + out[4];
    return out;
  }

  EpochMeans run_epoch(const OtusPhase& phase, int64_t global_epoch, torch::optim::Adam& optimizer, Position& position,
                       ProgressMeter* progress, int64_t& steps_done) {
    const auto epoch = data::unpaired_epoch(
        train_rows, global_epoch, data::UnpairedEpochOptions().seed(config.seed).batch_size(batch_size).drop_last(true));
    std::vector<at::Tensor> paired_slices;
    if (paired_rows.defined() && paired_rows.size(0) > 0) {
      const int64_t per_step = std::max<int64_t>(1, paired_rows.size(0) / steps_per_epoch);
      paired_slices = data::batch_slices(data::epoch_order(paired_rows, config.seed, global_epoch, kPairedOrderStream),
                                         per_step, true);
    }
    EpochMeans means;
    for (size_t b = 0; b < epoch.z_rows.size(); ++b) {
      const OtusLossTerms terms = otus_loss(encoder, decoder, batch_of(epoch.z_rows[b], epoch.x_rows[b], paired_slices, b),
                                            phase.weights, config.loss, scales, splitmix64_draw(config.seed, position.step));
      if (!std::isfinite(terms.total.item<double>()))
        throw NumericalError("OTUS training: the loss is " + std::to_string(terms.total.item<double>()) + " in phase '" +
                             phase.name + "', epoch " + std::to_string(position.epoch) +
                             "; lower the learning rate or resume from " + path_in(folder, "checkpoint.pt"));
      optimizer.zero_grad();
      terms.total.backward();
      optimizer.step();
      means.add(terms);
      ++position.step;
      if (progress) progress->update(++steps_done);
    }
    return means;
  }
};

std::string emitted(const OtusConfig& config) {
  YAML::Emitter emitter;
  emitter << to_yaml(config);
  return std::string(emitter.c_str()) + "\n";
}

void write_run_files(const OtusConfig& config, const std::string& folder, const nlohmann::json& run, bool resume) {
  const std::string resolved = emitted(config);
  const std::string config_path = path_in(folder, "config.yaml");
  if (resume) {
    // compared as values, not as text: "0.1" written by hand equals the 0.10000000000000001 emitted
    OtusConfig stored = parse_otus_config(load_config_file(config_path));
    resolve_objects(stored, run.at("z_objects").get<int64_t>(), run.at("x_objects").get<int64_t>());
    if (emitted(stored) != resolved)
      throw ConfigError("cannot resume " + folder + ": its config.yaml differs from the configuration given; resume with "
                        "--config " + config_path + " or start a new run folder");
    return;
  }
  write_text_file(config_path, resolved);
  write_json_file(path_in(folder, "run.json"), run);
}

/// The models handed back: trainable again, in evaluation mode.
OtusModel finished(Trainer& t, const OtusConfig& config, const nlohmann::json& run) {
  for (auto& p : t.encoder->parameters()) p.set_requires_grad(true);
  t.encoder->eval();
  t.decoder->eval();
  return {config, t.encoder, t.decoder, run};
}

}  // namespace

at::Tensor generate_events(nn::OtusGenerator& generator, const at::Tensor& events, uint64_t seed, int64_t batch_size) {
  at::manual_seed(seed);
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> parts;
  for (int64_t begin = 0; begin < events.size(0); begin += batch_size)
    parts.push_back(generator->forward(events.narrow(0, begin, std::min(batch_size, events.size(0) - begin))));
  return parts.empty() ? at::empty({0, 4 * generator->options().output_objects()}) : at::cat(parts, 0);
}

OtusModel train_otus(OtusConfig config, const data::EventPairs& events, const std::string& data_name,
                     const std::string& run_folder, const OtusTrainOptions& options) {
  // LibTorch's and OpenBLAS's threads set together, freed memory kept: as the VAE trainer
  configure_cpu_compute(config.threads);
  const int64_t z_objects = events.z().size(1) / 4, x_objects = events.x().size(1) / 4;
  resolve_objects(config, z_objects, x_objects);
  const data::Split split = data::split_rows(events.size(), config.split);
  Trainer t(config, events, run_folder);
  t.train_rows = split.train;
  t.validation_rows = split.validation;
  if (config.max_train_events > 0 && t.train_rows.size(0) > config.max_train_events)
    t.train_rows = t.train_rows.narrow(0, 0, config.max_train_events);
  const int64_t n_train = t.train_rows.size(0);
  if (n_train < 2)
    throw ConfigError("OTUS training needs at least 2 training rows; data.split.train gives " + std::to_string(n_train));
  t.batch_size = std::min(config.batch_size, n_train);
  t.steps_per_epoch = n_train / t.batch_size;
  const auto n_paired = static_cast<int64_t>(std::llround(config.paired_fraction * static_cast<double>(n_train)));
  if (n_paired > 0)
    t.paired_rows = t.train_rows.index_select(
        0, data::seeded_permutation(n_train, splitmix64_draw(config.seed, kPairedRowsStream)).narrow(0, 0, n_paired));

  const data::Standardisation z_stats = data::fit_standardisation(events.z(), t.train_rows);
  const data::Standardisation x_stats = data::fit_standardisation(events.x(), t.train_rows);
  at::manual_seed(config.seed);
  t.encoder = nn::OtusGenerator(config.encoder, statistics_between(x_stats, z_stats));
  t.decoder = nn::OtusGenerator(config.decoder, statistics_between(z_stats, x_stats));
  t.scales = {z_stats.to_tensors()[1].to(at::kFloat), x_stats.to_tensors()[1].to(at::kFloat),
              total_invariant_mass(events.z().index_select(0, t.train_rows)).std().item<double>(),
              total_invariant_mass(events.x().index_select(0, t.train_rows)).std().item<double>()};

  create_folder(run_folder);
  nlohmann::json run = {{"data", data_name},
                        {"z_objects", z_objects},
                        {"x_objects", x_objects},
                        {"train_events", n_train},
                        {"paired_events", n_paired},
                        {"test_events", split.test.size(0)},
                        {"validation_events", split.validation.size(0)},
                        {"steps_per_epoch", t.steps_per_epoch},
                        {"batch_size", t.batch_size}};
  run.update(options.run_notes());
  const std::string checkpoint = path_in(run_folder, "checkpoint.pt");
  const bool resuming = options.resume() && std::filesystem::exists(checkpoint);
  write_run_files(config, run_folder, run, resuming);

  Position position;
  std::optional<torch::serialize::InputArchive> resumed;
  if (resuming) {
    resumed = open_archive(checkpoint);
    load_models(*resumed, checkpoint, t.encoder, t.decoder);
    at::Tensor where, rng;
    resumed->read("position", where);
    resumed->read("rng", rng);
    position = {where[0].item<int64_t>(), where[1].item<int64_t>(), where[2].item<int64_t>()};
    std::lock_guard<std::mutex> lock(cpu_generator().mutex());
    cpu_generator().set_state(rng);
  }

  // the progress line counts the steps of this call, so that a resumed run's rate is its own, and
  // no more than the epoch limit lets it run
  int64_t epochs_left = -position.epoch, steps_done = 0;
  for (auto i = static_cast<size_t>(position.phase); i < config.phases.size(); ++i) epochs_left += config.phases[i].epochs;
  if (options.epoch_limit() > 0) epochs_left = std::min(epochs_left, options.epoch_limit());
  const int64_t steps_left = epochs_left * t.steps_per_epoch;
  std::optional<ProgressMeter> progress;
  if (options.show_progress()) progress.emplace("otae otus train", "steps", steps_left);
  CsvLog log(path_in(run_folder, "log.csv"), kLogColumns, resuming);
  // the best model by validation distance so far; best.json carries its score across a resume
  const std::string best_json = path_in(run_folder, "best.json");
  double best_distance = std::numeric_limits<double>::infinity();
  if (resuming && std::filesystem::exists(best_json))
    best_distance = nlohmann::json::parse(read_text_file(best_json)).at("validation_distance").get<double>();

  int64_t epochs_this_call = 0;
  for (auto i = static_cast<size_t>(position.phase); i < config.phases.size(); ++i) {
    const OtusPhase& phase = config.phases[i];
    t.encoder->train(!phase.decoder_only);
    t.decoder->train(true);
    std::vector<at::Tensor> parameters = t.decoder->parameters();
    if (!phase.decoder_only)
      for (const auto& p : t.encoder->parameters()) parameters.push_back(p);
    for (auto& p : t.encoder->parameters()) p.set_requires_grad(!phase.decoder_only);
    torch::optim::Adam optimizer(parameters, torch::optim::AdamOptions(phase.learning_rate));
    torch::serialize::InputArchive optimizer_state;
    if (resumed && position.epoch > 0 && resumed->try_read("optimizer", optimizer_state)) optimizer.load(optimizer_state);
    resumed.reset();
    const auto phase_start = std::chrono::steady_clock::now();
    EpochMeans last;
    for (; position.epoch < phase.epochs; ++position.epoch) {
      if (options.epoch_limit() > 0 && epochs_this_call == options.epoch_limit()) {
        save_checkpoint(checkpoint, t.encoder, t.decoder, &optimizer, position);
        return finished(t, config, run);
      }
      ++epochs_this_call;
      const double rate = phase.learning_rate /
                          (phase.lr_decay_epochs > 0 ? 1.0 + static_cast<double>(position.epoch) / phase.lr_decay_epochs : 1.0);
      for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(rate);
      const auto start = std::chrono::steady_clock::now();
      const int64_t global_epoch = t.epochs_before(i) + position.epoch;
      last = t.run_epoch(phase, global_epoch, optimizer, position, progress ? &*progress : nullptr, steps_done);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const std::vector<double> validation = t.validate(phase);
      std::vector<double> row = {static_cast<double>(i), static_cast<double>(position.epoch),
                                 static_cast<double>(global_epoch), rate};
      for (size_t k = 0; k < kTerms; ++k) row.push_back(last.mean(k));
      row.push_back(last.acceptance / static_cast<double>(std::max<int64_t>(1, last.steps)));
      row.push_back(seconds);
      row.insert(row.end(), validation.begin(), validation.end());
      log.write_row(row);
      if (validation[5] < best_distance) {
        best_distance = validation[5];
        save_model_file(path_in(run_folder, "best.pt"), t.encoder, t.decoder);
        write_json_file(best_json, {{"phase", phase.name}, {"phase_index", i}, {"epoch", position.epoch},
                                    {"global_epoch", global_epoch}, {"validation_distance", best_distance}});
      }
      const Position after{static_cast<int64_t>(i), position.epoch + 1, position.step};
      if ((position.epoch + 1) % config.checkpoint_every == 0 || position.epoch + 1 == phase.epochs)
        save_checkpoint(checkpoint, t.encoder, t.decoder, &optimizer, after);
    }
    save_model_file(t.phase_file(i, ".pt"), t.encoder, t.decoder);
    nlohmann::json summary = {
        {"phase", phase.name}, {"index", i}, {"epochs", phase.epochs}, {"learning_rate", phase.learning_rate},
        {"lr_decay_epochs", phase.lr_decay_epochs}, {"decoder_only", phase.decoder_only},
        {"weights", weights_json(phase.weights)},
        {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - phase_start).count()}};
    if (last.steps > 0) {
      nlohmann::json final_epoch;
      for (size_t k = 0; k < kTerms; ++k)
        if (last.counts[k]) final_epoch[kLogColumns[4 + k]] = last.mean(k);
      final_epoch["acceptance"] = last.acceptance / static_cast<double>(last.steps);
      summary["final_epoch"] = final_epoch;
    }
    for (auto* side : {&t.encoder, &t.decoder})
      if ((*side)->options().noise() == nn::GeneratorNoise::kCalorimeter)
        summary[side == &t.encoder ? "encoder_calorimeter" : "decoder_calorimeter"] = calorimeter_json(*side);
    write_json_file(t.phase_file(i, ".json"), summary);
    position = {static_cast<int64_t>(i) + 1, 0, position.step};
    save_checkpoint(checkpoint, t.encoder, t.decoder, nullptr, position);
  }
  save_model_file(path_in(run_folder, "model.pt"), t.encoder, t.decoder);
  return finished(t, config, run);
}

OtusModel load_otus_model(const std::string& run_folder, OtusCheckpoint which) {
  OtusModel model;
  model.config = parse_otus_config(load_config_file(path_in(run_folder, "config.yaml")));
  model.run = nlohmann::json::parse(read_text_file(path_in(run_folder, "run.json")));
  const int64_t z_objects = model.run.at("z_objects").get<int64_t>(), x_objects = model.run.at("x_objects").get<int64_t>();
  resolve_objects(model.config, z_objects, x_objects);
  model.encoder = nn::OtusGenerator(model.config.encoder, blank_statistics(x_objects, z_objects));
  model.decoder = nn::OtusGenerator(model.config.decoder, blank_statistics(z_objects, x_objects));
  std::string path = path_in(run_folder, which == OtusCheckpoint::kBest ? "best.pt" : "model.pt");
  if (which == OtusCheckpoint::kBest && !std::filesystem::exists(path))
    throw IoError("run folder " + run_folder + " holds no best.pt; it is written only when data.split.validation > 0");
  if (!std::filesystem::exists(path)) path = path_in(run_folder, "checkpoint.pt");
  if (!std::filesystem::exists(path))
    throw IoError("run folder " + run_folder + " holds neither model.pt nor checkpoint.pt; train it first");
  auto archive = open_archive(path);
  load_models(archive, path, model.encoder, model.decoder);
  model.encoder->eval();
  model.decoder->eval();
  return model;
}

}  // namespace otae::train
