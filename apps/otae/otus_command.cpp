// `otae otus`: train OTUS on unpaired events, use the decoder as a detector simulation and the
// encoder as an unfolding, and evaluate a run against the statistical floor and the identity.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <string>
#include <vector>

#include <ATen/Parallel.h>

#include "commands.hpp"
#include "otae/analysis/otus_evaluation.hpp"
#include "otae/analysis/otus_observables.hpp"
#include "otae/analysis/otus_transfer_function.hpp"
#include "otae/analysis/otus_verdicts.hpp"
#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/base/seed_streams.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/split.hpp"
#include "otae/train/config_file.hpp"
#include "otae/train/cpu_compute.hpp"
#include "otae/train/otus_training.hpp"

namespace otae::cli {
namespace {

data::Attributes with_provenance(data::Attributes attributes) {
  for (const auto& [key, value] : provenance()) attributes[key] = value;
  return attributes;
}

/// z from `z_path` and x from dataset "x" of `x_path`, two samples that are not paired event by
/// event (simulated partons against real detector data) and may differ in size: the larger is cut
/// to the smaller's count by a seeded random choice, so that every batch draws z and x alike and
/// the run's split applies to both. Row i of z and of x are then unrelated events.
data::EventPairs unpaired_events(const std::string& z_path, const std::string& x_path, uint64_t seed) {
  at::Tensor z = data::read_array(z_path, "z").to(at::kFloat), x = data::read_array(x_path, "x").to(at::kFloat);
  const int64_t n = std::min(z.size(0), x.size(0));
  auto cut = [&](const at::Tensor& events, uint64_t stream) {
    if (events.size(0) == n) return events;
    at::Tensor rows = data::seeded_permutation(events.size(0), linear_stream_seed(seed, stream)).narrow(0, 0, n);
    return events.index_select(0, std::get<0>(rows.sort()));
  };
  std::fprintf(stderr, "otae otus: unpaired samples: %ld parton events (%s), %ld detector events (%s); using %ld of each\n",
               static_cast<long>(z.size(0)), z_path.c_str(), static_cast<long>(x.size(0)), x_path.c_str(),
               static_cast<long>(n));
  return data::EventPairs(cut(z, 1), cut(x, 2));
}

/// The events of --data, or z of --data against x of --x-data when that is given.
data::EventPairs events_of(const std::string& data, const std::string& x_data, uint64_t seed) {
  return x_data.empty() ? data::load_event_pairs(data) : unpaired_events(data, x_data, seed);
}

struct TrainArguments {
  std::string config, data, x_data, out, resume;
  std::vector<std::string> overrides;
  int64_t max_epochs = 0;
};

/// `--resume RUN`: the run's own configuration and data files, as its config.yaml and run.json name them.
TrainArguments resumed_run(const TrainArguments& args) {
  if (!args.config.empty() || !args.data.empty() || !args.x_data.empty() || !args.out.empty() || !args.overrides.empty())
    throw ConfigError("--resume " + args.resume +
                      " continues that run with its own config.yaml and data: drop --config, --data, --x-data, --out "
                      "and KEY=VALUE overrides");
  const std::filesystem::path folder(args.resume);
  const nlohmann::json run = nlohmann::json::parse(read_text_file((folder / "run.json").string()));
  TrainArguments resumed = args;
  resumed.config = (folder / "config.yaml").string();
  resumed.data = run.at("data").get<std::string>();
  resumed.x_data = run.value("x_data", "");
  resumed.out = args.resume;
  return resumed;
}

void run_train(const TrainArguments& given) {
  if (given.resume.empty() && (given.config.empty() || given.data.empty() || given.out.empty()))
    throw ConfigError("otae otus train needs --config, --data and --out (or --resume RUN)");
  const TrainArguments args = given.resume.empty() ? given : resumed_run(given);
  YAML::Node tree = train::load_config_file(args.config);
  train::apply_overrides(tree, args.overrides);
  const train::OtusConfig config = train::parse_otus_config(tree);
  const data::EventPairs events = events_of(args.data, args.x_data, config.seed);
  const auto start = std::chrono::steady_clock::now();
  // absolute paths, so that `otae otus evaluate` recognises the training files from anywhere
  nlohmann::json notes = nlohmann::json::object();
  if (!args.x_data.empty()) notes["x_data"] = std::filesystem::absolute(args.x_data).string();
  train::train_otus(config, events, std::filesystem::absolute(args.data).string(), args.out,
                    train::OtusTrainOptions().resume(!args.resume.empty()).epoch_limit(args.max_epochs).run_notes(notes));
  const bool finished = std::filesystem::exists(std::filesystem::path(args.out) / "model.pt");
  std::printf("otae otus train: %s %s in %.1f s\n", args.out.c_str(),
               finished ? "trained" : ("stopped at --max-epochs (continue with --resume " + args.out + ")").c_str(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

/// Simulation (decoder, z → x) or unfolding (encoder, x → z) of every event of a file.
struct GenerateArguments {
  std::string run, input, out, dataset;
  uint64_t seed = 0;
  int64_t batch = 65536, threads = 0;
};

void run_generate(const GenerateArguments& args, bool simulate) {
  refuse_input_as_output(args.out, {args.input});
  train::configure_cpu_compute(args.threads);
  train::OtusModel model = train::load_otus_model(args.run);
  const at::Tensor input = data::read_array(args.input, args.dataset).to(at::kFloat);
  const auto start = std::chrono::steady_clock::now();
  const at::Tensor output =
      train::generate_events(simulate ? model.decoder : model.encoder, input, args.seed, args.batch);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string name = simulate ? "x" : "z";
  data::ListAttributes lists = {{"columns_per_object", {"px_GeV", "py_GeV", "pz_GeV", "E_GeV"}}};
  // the generated side's object names, as the training file calls them, when it is still there
  const std::string training_file = model.run.at("data").get<std::string>();
  if (std::filesystem::exists(training_file)) {
    const auto names = data::read_list_attributes(training_file, name);
    if (names.count("objects")) lists["objects"] = names.at("objects");
  }
  data::write_arrays(args.out,
                     {{name, output,
                       {{"units", "GeV"},
                        {"layout", "(px, py, pz, E) per object"},
                        {"generated_by", simulate ? "OTUS decoder (simulation)" : "OTUS encoder (unfolding)"}},
                       lists}},
                     with_provenance({{"run", args.run}, {"input", args.input}, {"seed", std::to_string(args.seed)}}));
  std::printf("otae otus %s: %ld events in %.3f s: %.0f events/s on %d threads -> %s\n",
               simulate ? "simulate" : "unfold", static_cast<long>(output.size(0)), seconds,
               output.size(0) / std::max(seconds, 1e-9), at::get_num_threads(), args.out.c_str());
}

void add_generate_command(CLI::App* otus, bool simulate) {
  auto args = std::make_shared<GenerateArguments>();
  args->dataset = simulate ? "z" : "x";
  CLI::App* cmd = otus->add_subcommand(
      simulate ? "simulate" : "unfold",
      simulate ? "Detector simulation with the decoder: parton-level z -> detector-level x (prints events/s)"
               : "Unfolding with the encoder: detector-level x -> parton-level z");
  cmd->add_option("RUN", args->run, "run folder written by otae otus train")->required()->check(CLI::ExistingDirectory);
  cmd->add_option(simulate ? "--z" : "--x", args->input,
                  simulate ? "HDF5 file with parton events [N, 4k_z] (px, py, pz, E) GeV"
                           : "HDF5 file with detector events [N, 4k_x] (px, py, pz, E) GeV")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, simulate ? "output HDF5 file with dataset 'x'" : "output HDF5 file with dataset 'z'")
      ->required();
  cmd->add_option("--dataset", args->dataset, "input dataset")->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of the generator noise")->check(non_negative())->capture_default_str();
  cmd->add_option("--batch", args->batch, "events per forward pass")->check(positive())->capture_default_str();
  cmd->add_option("--threads", args->threads, "intra-op threads (0: all cores)")
      ->check(non_negative())->capture_default_str();
  cmd->callback([args, simulate] { run_generate(*args, simulate); });
}

struct EvaluateArguments {
  std::string run, data, x_data, out, rows = "auto", checkpoint = "final";
  int64_t slices = 1000, bins = 50, transfer_bins = 20, threads = 0;
  uint64_t seed = 0;
};

std::vector<std::string> object_names(const std::string& path, const std::string& dataset) {
  const auto lists = data::read_list_attributes(path, dataset);
  const auto found = lists.find("objects");
  if (found == lists.end())
    throw IoError(path + ": dataset '" + dataset + "' has no 'objects' attribute naming its objects (e-, e+, ...)");
  return found->second;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  return std::filesystem::equivalent(a, b, error);
}

/// The held-out rows: the run's test split when the file is the one it trained on, else all rows.
at::Tensor evaluation_rows(const train::OtusModel& model, const EvaluateArguments& args, int64_t n_rows) {
  const bool training_file = same_file(args.data, model.run.at("data").get<std::string>()) &&
                             (args.x_data.empty() ? !model.run.contains("x_data")
                                                  : same_file(args.x_data, model.run.value("x_data", "")));
  if (args.rows == "test" || (args.rows == "auto" && training_file)) {
    if (!training_file)
      std::fprintf(stderr, "otae otus evaluate: warning: %s is not the training file; its rows are split as the run's\n",
                   args.data.c_str());
    return data::split_rows(n_rows, model.config.split).test;
  }
  return at::arange(n_rows, at::kLong);
}

/// The verdict table and the transfer-function tally on stdout; a model worse than the identity
/// also on stderr, so that it cannot go unnoticed in a log.
void print_summary(const nlohmann::json& m) {
  std::fputs(analysis::format_otus_verdicts(m["verdicts"]).c_str(), stdout);
  if (m["transfer_function"].is_object()) std::fputs(analysis::format_transfer_summary(m["transfer_function"]).c_str(), stdout);
  const auto& worse = m["verdicts"]["worse_than_identity"];
  if (!worse.empty()) {
    std::string figures;
    for (const auto& f : worse) figures += (figures.empty() ? "" : ", ") + f.get<std::string>();
    std::fprintf(stderr, "otae otus evaluate: WARNING: the model is worse than the identity (doing nothing) on %zu "
                 "figure(s): %s\n", worse.size(), figures.c_str());
  }
}

/// The held-out samples the figures are drawn from, beside metrics.json: the references (half B),
/// the model's images of half A, and half A itself (z_a with its truth-paired x_a, for the
/// transport plots). Decoded events are stored before the acceptance, with its mask.
void write_samples(const std::string& path, const analysis::OtusEvaluation& e, const train::OtusModel& model,
                   const std::vector<std::string>& z_objects, const std::vector<std::string>& x_objects, bool paired) {
  const data::Attributes gev = {{"units", "GeV"}, {"layout", "(px, py, pz, E) per object"}};
  const data::ListAttributes z_names = {{"objects", z_objects}}, x_names = {{"objects", x_objects}};
  auto described = [&](const std::string& name, const at::Tensor& values, const std::string& what, bool parton) {
    data::Attributes attributes = gev;
    attributes["description"] = what;
    return data::NamedArray{name, values, attributes, parton ? z_names : x_names};
  };
  const auto& cuts = model.config.loss.acceptance();
  auto mask = [&](const std::string& name, const at::Tensor& events, const std::string& what) {
    return data::NamedArray{name, train::event_acceptance(events, cuts).to(at::kInt),
                            {{"description", what + " passes the run's acceptance S (1) or not (0)"}}};
  };
  // per-event observables of the samples the transport plots pair row by row
  auto observables = [&](const std::string& name, const at::Tensor& events, bool parton) {
    std::vector<at::Tensor> columns;
    std::vector<std::string> names;
    for (const auto& o : analysis::event_observables(parton ? z_objects : x_objects)) {
      columns.push_back(o.compute(events).to(at::kFloat));
      names.push_back(o.name);
    }
    return data::NamedArray{name + "_observables", at::stack(columns, 1),
                            {{"description", "observables of " + name + " (columns named in 'names'), GeV"}},
                            {{"names", names}}};
  };
  data::write_arrays(
      path,
      {described("z", e.z_b, "held-out parton events, half B (reference of the unfolding)", true),
       described("x", e.x_b, "held-out detector events, half B (reference of simulation and reconstruction)", false),
       described("z_tilde", e.unfolded, "E(x_a): unfolded half A", true),
       described("x_tilde", e.reconstructed, "D(E(x_a)): reconstructed half A", false),
       described("x_tilde_prime", e.simulated, "D(z_a): simulated half A", false),
       described("z_a", e.z_a, "parton events of half A (input of the simulation)", true),
       described("x_a", e.x_a,
                 paired ? "detector events of half A, the truth paired row by row with z_a"
                        : "detector events of half A, NOT paired with z_a (unpaired samples)",
                 false),
       mask("x_tilde_accepted", e.reconstructed, "x_tilde"), mask("x_tilde_prime_accepted", e.simulated, "x_tilde_prime"),
       observables("z_a", e.z_a, true), observables("x_a", e.x_a, false), observables("z_tilde", e.unfolded, true),
       observables("x_tilde_prime", e.simulated, false)},
      with_provenance({{"run", model.run.value("data", "")}}));
}

void run_evaluate(const EvaluateArguments& args) {
  train::configure_cpu_compute(args.threads);
  train::OtusModel model = train::load_otus_model(
      args.run, args.checkpoint == "best" ? train::OtusCheckpoint::kBest : train::OtusCheckpoint::kFinal);
  const data::EventPairs events = events_of(args.data, args.x_data, model.config.seed);
  const at::Tensor rows = evaluation_rows(model, args, events.size());
  const auto options = analysis::OtusEvaluationOptions()
                           .slices(args.slices)
                           .seed(args.seed)
                           .histogram_bins(args.bins)
                           .transfer_bins(args.transfer_bins)
                           .paired(args.x_data.empty());
  const std::vector<std::string> z_objects = object_names(args.data, "z"),
                                 x_objects = object_names(args.x_data.empty() ? args.data : args.x_data, "x");
  analysis::OtusEvaluation evaluation = analysis::evaluate_otus(model, events, rows, z_objects, x_objects, options);
  evaluation.metrics["run"] = args.run;
  evaluation.metrics["data"] = args.data;
  evaluation.metrics["checkpoint"] = args.checkpoint;
  evaluation.metrics["provenance"] = provenance();
  const std::string folder = args.out.empty() ? (std::filesystem::path(args.run) / "evaluation").string() : args.out;
  refuse_input_as_output((std::filesystem::path(folder) / "samples.h5").string(), {args.data, args.x_data});
  create_folder(folder);
  write_samples((std::filesystem::path(folder) / "samples.h5").string(), evaluation, model, z_objects, x_objects,
                args.x_data.empty());
  write_json_file((std::filesystem::path(folder) / "metrics.json").string(), evaluation.metrics);
  print_summary(evaluation.metrics);
  std::printf("otae otus evaluate: %ld test events -> %s/{metrics.json, samples.h5}\n",
               static_cast<long>(rows.size(0)), folder.c_str());
}

/// An ablation: one run per value, trained and evaluated, listed in SWEEP/sweep.json (rewritten
/// after every run, so an interrupted sweep still reports the runs it finished).
struct SweepArguments {
  TrainArguments train;
  std::vector<std::string> parameters, values;
  std::string label, folder;
  int64_t slices = 1000;
};

std::string folder_name(const std::string& parameter, const std::string& value) {
  std::string name = parameter.substr(parameter.find_last_of('.') + 1) + "_" + value;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  return name;
}

void run_sweep(const SweepArguments& args) {
  create_folder(args.folder);
  nlohmann::json sweep = {{"parameter", args.parameters.front()},
                          {"parameters", args.parameters},
                          {"label", args.label.empty() ? args.parameters.front() : args.label},
                          {"config", std::filesystem::absolute(args.train.config).string()},
                          {"data", std::filesystem::absolute(args.train.data).string()},
                          {"runs", nlohmann::json::array()}};
  for (const std::string& value : args.values) {
    TrainArguments run = args.train;
    run.out = (std::filesystem::path(args.folder) / folder_name(args.parameters.front(), value)).string();
    for (const std::string& parameter : args.parameters) run.overrides.push_back(parameter + "=" + value);
    run_train(run);
    EvaluateArguments evaluate;
    evaluate.run = run.out;
    evaluate.data = run.data;
    evaluate.x_data = run.x_data;
    evaluate.slices = args.slices;
    run_evaluate(evaluate);
    sweep["runs"].push_back({{"value", YAML::Load(value).as<double>()}, {"run", folder_name(args.parameters.front(), value)}});
    write_json_file((std::filesystem::path(args.folder) / "sweep.json").string(), sweep);
  }
}

void add_sweep_command(CLI::App* otus) {
  auto args = std::make_shared<SweepArguments>();
  CLI::App* cmd = otus->add_subcommand(
      "sweep", "Ablation: train and evaluate one run per value of a configuration key (e.g. lambda, the anchor "
               "weights) into SWEEP/<key>_<value>/, listed in SWEEP/sweep.json for otae report");
  cmd->add_option("SWEEP", args->folder, "sweep folder (created)")->required();
  cmd->add_option("--parameter", args->parameters,
                  "configuration key to vary, e.g. phases.0.weights.latent; repeat it to set several keys to the "
                  "same value (both anchor weights)")
      ->required();
  cmd->add_option("--values", args->values, "numeric values, comma separated")->required()->delimiter(',');
  cmd->add_option("--label", args->label, "axis label of the ablation figure, e.g. lambda");
  cmd->add_option("--config", args->train.config, "YAML configuration")->required()->check(CLI::ExistingFile);
  cmd->add_option("--data", args->train.data, "HDF5 file with z and x")->required()->check(CLI::ExistingFile);
  cmd->add_option("--x-data", args->train.x_data, "detector-level x from this file (unpaired)")->check(CLI::ExistingFile);
  add_config_overrides(cmd, args->train.overrides, "training.threads=1 (for every run)");
  cmd->add_option("--slices", args->slices, "L of the evaluation's sliced Wasserstein distances")
      ->check(positive())->capture_default_str();
  cmd->callback([args] {
    for (const std::string& value : args->values) {
      try {
        YAML::Load(value).as<double>();
      } catch (const YAML::Exception&) {
        throw ConfigError("otae otus sweep: --values must be numbers, received '" + value + "'");
      }
    }
    run_sweep(*args);
  });
}

}  // namespace

void add_otus_command(CLI::App& app) {
  CLI::App* otus = app.add_subcommand("otus", "OTUS: learn a detector simulation from unpaired events (Howard et al. 2022)");
  otus->require_subcommand(1);

  auto train_args = std::make_shared<TrainArguments>();
  CLI::App* train_cmd = otus->add_subcommand("train", "Train the encoder and decoder on unpaired z and x");
  train_cmd->add_option("--config", train_args->config, "YAML configuration (configs/otus/*.yaml)")
      ->check(CLI::ExistingFile);
  train_cmd->add_option("--data", train_args->data, "HDF5 file with datasets z and x [N, 4k] (px, py, pz, E) GeV")
      ->check(CLI::ExistingFile);
  train_cmd->add_option("--x-data", train_args->x_data,
                        "detector-level x from this file instead (e.g. real data): z and x unpaired, any counts; "
                        "the larger sample is cut to the smaller's size")
      ->check(CLI::ExistingFile);
  train_cmd->add_option("--out", train_args->out, "run folder (created)");
  train_cmd->add_option("--resume", train_args->resume,
                        "continue the interrupted run in this folder from RUN/checkpoint.pt, with its own config.yaml "
                        "and data")
      ->check(CLI::ExistingDirectory);
  add_config_overrides(train_cmd, train_args->overrides, "phases.0.epochs=5");
  train_cmd->add_option("--max-epochs", train_args->max_epochs,
                        "stop after this many epochs of this call, resumable with --resume RUN (0: train to the end)")
      ->check(non_negative())->capture_default_str();
  train_cmd->callback([train_args] { run_train(*train_args); });

  auto eval_args = std::make_shared<EvaluateArguments>();
  CLI::App* eval_cmd = otus->add_subcommand(
      "evaluate", "Held-out metrics (SW, per-observable W/KS/chi2, transfer function) beside the floor and the identity");
  eval_cmd->add_option("RUN", eval_args->run, "run folder")->required()->check(CLI::ExistingDirectory);
  eval_cmd->add_option("--data", eval_args->data, "HDF5 file with z and x (and their 'objects' attributes)")
      ->required()->check(CLI::ExistingFile);
  eval_cmd->add_option("--x-data", eval_args->x_data,
                       "detector-level x from this file (as in training with --x-data); paired metrics are skipped")
      ->check(CLI::ExistingFile);
  eval_cmd->add_option("--out", eval_args->out,
                       "folder for metrics.json and samples.h5 (the held-out and generated events the figures "
                       "use; default RUN/evaluation, where otae report looks)");
  eval_cmd->add_option("--checkpoint", eval_args->checkpoint, "which models: final (model.pt) or best (best.pt)")
      ->check(CLI::IsMember({"final", "best"}))->capture_default_str();
  eval_cmd->add_option("--rows", eval_args->rows,
                       "which rows: test (the run's split), all, or auto (test when --data is the training file)")
      ->check(CLI::IsMember({"auto", "test", "all"}))->capture_default_str();
  eval_cmd->add_option("--slices", eval_args->slices, "L of the sliced Wasserstein distances")
      ->check(positive())->capture_default_str();
  eval_cmd->add_option("--seed", eval_args->seed, "seed of the halves, the noise and the directions")
      ->check(non_negative())->capture_default_str();
  eval_cmd->add_option("--bins", eval_args->bins, "histogram and chi2 bins")->check(positive())->capture_default_str();
  eval_cmd->add_option("--transfer-bins", eval_args->transfer_bins, "quantile bins of z for the transfer function")
      ->check(positive())->capture_default_str();
  eval_cmd->add_option("--threads", eval_args->threads, "intra-op threads (0: all cores)")
      ->check(non_negative())->capture_default_str();
  eval_cmd->callback([eval_args] { run_evaluate(*eval_args); });

  add_sweep_command(otus);
  add_generate_command(otus, true);
  add_generate_command(otus, false);
}

}  // namespace otae::cli
