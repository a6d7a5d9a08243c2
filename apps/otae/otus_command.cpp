// `otae otus`: train OTUS on unpaired events, use the decoder as a detector simulation and the
// encoder as an unfolding, and evaluate a run against the statistical floor and the identity.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <string>
#include <vector>

#include <ATen/Parallel.h>

#include "commands.hpp"
#include "otae/analysis/otus_evaluation.hpp"
#include "otae/analysis/otus_runs.hpp"
#include "otae/analysis/otus_transfer_function.hpp"
#include "otae/analysis/otus_verdicts.hpp"
#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/train/cpu_compute.hpp"
#include "otae/train/device.hpp"
#include "otae/train/distributed.hpp"
#include "otae/train/otus_training.hpp"

namespace otae::cli {
namespace {

data::Attributes with_provenance(data::Attributes attributes) {
  for (const auto& [key, value] : provenance()) attributes[key] = value;
  return attributes;
}

/// Prints what the library says a user should know, on stderr.
void notice(const std::string& text) { std::fprintf(stderr, "otae otus: %s\n", text.c_str()); }

struct TrainArguments {
  std::string config, data, x_data, out, resume;
  std::string device;  ///< empty: the configuration's training.device
  std::vector<std::string> overrides;
  int64_t max_epochs = 0;
};

void add_device_option(CLI::App* cmd, std::string& device, const std::string& what) {
  cmd->add_option("--device", device, "where " + what + ": cpu, cuda or cuda:N")->capture_default_str();
}

/// The overrides with --device last, as training.device, so that it wins over the configuration.
std::vector<std::string> with_device(std::vector<std::string> overrides, const std::string& device) {
  if (device.empty()) return overrides;
  train::resolve_device(device, "--device");  // refused before any data is read
  overrides.push_back("training.device=" + device);
  return overrides;
}

/// `--resume RUN`: the run's own configuration and data files, as its config.yaml and run.json name them.
TrainArguments resumed_run(const TrainArguments& args) {
  if (!args.config.empty() || !args.data.empty() || !args.x_data.empty() || !args.out.empty() || !args.overrides.empty())
    throw ConfigError("--resume " + args.resume +
                      " continues that run with its own config.yaml and data: drop --config, --data, --x-data, --out "
                      "and KEY=VALUE overrides");
  const std::filesystem::path folder(args.resume);
  const train::OtusRunRecord run = train::OtusRunRecord::read(args.resume);
  TrainArguments resumed = args;
  resumed.config = (folder / "config.yaml").string();
  resumed.data = run.data;
  resumed.x_data = run.x_data;
  resumed.out = args.resume;
  return resumed;
}

void run_train(const TrainArguments& given) {
  if (given.resume.empty() && (given.config.empty() || given.data.empty() || given.out.empty()))
    throw ConfigError("otae otus train needs --config, --data and --out (or --resume RUN)");
  const std::vector<std::string> overrides = with_device(given.overrides, given.device);
  const TrainArguments args = given.resume.empty() ? given : resumed_run(given);
  const auto start = std::chrono::steady_clock::now();
  const auto& parallel = train::data_parallel();
  if (parallel.world_size() > 1 && parallel.writes_files())
    notice("data-parallel over " + std::to_string(parallel.world_size()) + " processes (" + parallel.launcher() + ")");
  train::train_otus_run({args.config, overrides, args.data, args.x_data, args.out},
                        train::OtusTrainOptions().resume(!args.resume.empty()).epoch_limit(args.max_epochs).notice(notice));
  if (!train::data_parallel().writes_files()) return;  // rank 0 reports for a data-parallel run
  const bool finished = std::filesystem::exists(std::filesystem::path(args.out) / "model.pt");
  std::printf("otae otus train: %s %s in %.1f s\n", args.out.c_str(),
               finished ? "trained" : ("stopped at --max-epochs (continue with --resume " + args.out + ")").c_str(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

/// Simulation (decoder, z → x) or unfolding (encoder, x → z) of every event of a file.
struct GenerateArguments {
  std::string run, input, out, dataset, device = "cpu";
  uint64_t seed = 0;
  int64_t batch = 65536, threads = 0;
};

void run_generate(const GenerateArguments& args, bool simulate) {
  refuse_input_as_output(args.out, {args.input});
  train::configure_cpu_compute(args.threads);
  train::OtusModel model =
      train::load_otus_model(args.run, train::OtusCheckpoint::kFinal, train::resolve_device(args.device, "--device"));
  const at::Tensor input = data::read_array(args.input, args.dataset).to(at::kFloat);
  const auto start = std::chrono::steady_clock::now();
  const at::Tensor output =
      train::generate_events(simulate ? model.decoder : model.encoder, input, args.seed, args.batch);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string name = simulate ? "x" : "z";
  data::ListAttributes lists = {{"columns_per_object", {"px_GeV", "py_GeV", "pz_GeV", "E_GeV"}}};
  // the generated side's object names, as the training file calls them, when it is still there
  const std::string training_file = model.run.data;
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
  add_device_option(cmd, args->device, "the generator runs");
  cmd->callback([args, simulate] { run_generate(*args, simulate); });
}

struct EvaluateArguments {
  std::string run, data, x_data, out, rows = "auto", checkpoint = "final", device = "cpu";
  int64_t slices = 1000, bins = 50, transfer_bins = 20, threads = 0;
  uint64_t seed = 0;
  std::vector<double> mass_edges;
};

/// The verdict table and the transfer-function tally on stdout; a model worse than the identity
/// also on stderr, so that it cannot go unnoticed in a log.
void print_summary(const analysis::OtusMetrics& m) {
  std::fputs(analysis::format_otus_verdicts(m.verdicts).c_str(), stdout);
  if (m.transfer_function) std::fputs(analysis::format_transfer_summary(*m.transfer_function).c_str(), stdout);
  if (m.mass_response) std::fputs(analysis::format_mass_response(*m.mass_response).c_str(), stdout);
  if (m.jetnet) std::fputs(analysis::format_otus_jetnet(*m.jetnet).c_str(), stdout);
  const auto& worse = m.verdicts.worse_than_identity;
  if (!worse.empty()) {
    std::fflush(stdout);  // the warning follows the table it refers to, also when both go to one file
    std::string figures;
    for (const auto& f : worse) figures += (figures.empty() ? "" : ", ") + f;
    std::fprintf(stderr, "otae otus evaluate: WARNING: the model is worse than the identity (doing nothing) on %zu "
                 "figure(s): %s\n", worse.size(), figures.c_str());
  }
}

void run_evaluate(const EvaluateArguments& args) {
  train::configure_cpu_compute(args.threads);
  const analysis::HeldOutRows rows = args.rows == "test"  ? analysis::HeldOutRows::kTest
                                     : args.rows == "all" ? analysis::HeldOutRows::kAll
                                                          : analysis::HeldOutRows::kAuto;
  const analysis::OtusRunEvaluation evaluation = analysis::evaluate_otus_run(
      args.run, args.data,
      analysis::OtusRunEvaluationOptions()
          .x_data(args.x_data)
          .folder(args.out)
          .checkpoint(args.checkpoint == "best" ? train::OtusCheckpoint::kBest : train::OtusCheckpoint::kFinal)
          .device(train::resolve_device(args.device, "--device"))
          .rows(rows)
          .evaluation(analysis::OtusEvaluationOptions()
                          .slices(args.slices)
                          .seed(args.seed)
                          .histogram_bins(args.bins)
                          .transfer_bins(args.transfer_bins)
                          .mass_edges(args.mass_edges))
          .provenance(provenance())
          .notice(notice));
  print_summary(evaluation.metrics);
  std::printf("otae otus evaluate: %ld test events -> %s/{metrics.json, samples.h5}\n",
               static_cast<long>(evaluation.metrics.test_events), evaluation.folder.c_str());
}

/// An ablation: one run per value, trained and evaluated (analysis::otus_sweep).
struct SweepArguments {
  TrainArguments train;
  std::vector<std::string> parameters, values;
  std::string label, folder;
  int64_t slices = 1000;
};

void run_sweep(const SweepArguments& args) {
  analysis::otus_sweep(args.folder,
                       {args.train.config, with_device(args.train.overrides, args.train.device), args.train.data,
                        args.train.x_data, ""},
                       analysis::OtusSweepOptions()
                           .parameters(args.parameters)
                           .values(args.values)
                           .label(args.label)
                           .slices(args.slices)
                           .training(train::OtusTrainOptions().notice(notice))
                           .provenance(provenance())
                           .on_run([](const analysis::OtusRunEvaluation& run) {
                             print_summary(run.metrics);
                             std::printf("otae otus sweep: %s\n", run.folder.c_str());
                           }));
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
  add_device_option(cmd, args->train.device, "every run trains and is evaluated (default: the configuration's training.device)");
  add_config_overrides(cmd, args->train.overrides, "training.threads=1 (for every run)");
  cmd->add_option("--slices", args->slices, "L of the evaluation's sliced Wasserstein distances")
      ->check(positive())->capture_default_str();
  cmd->callback([args] { run_sweep(*args); });
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
  add_device_option(train_cmd, train_args->device, "it trains (default: the configuration's training.device; also with --resume)");
  add_config_overrides(train_cmd, train_args->overrides, "phases.0.epochs=5");
  train_cmd->add_option("--max-epochs", train_args->max_epochs,
                        "stop after this many epochs of this call, resumable with --resume RUN (0: train to the end)")
      ->check(non_negative())->capture_default_str();
  train_cmd->callback([train_args] { run_train(*train_args); });

  auto eval_args = std::make_shared<EvaluateArguments>();
  CLI::App* eval_cmd = otus->add_subcommand(
      "evaluate", "Held-out metrics (SW, per-observable W/KS/chi2, transfer function, mass response) beside the floor and the identity");
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
  eval_cmd->add_option("--mass-edges", eval_args->mass_edges,
                       "windows of the parton mass M(z) [GeV] for the mass response, e.g. 50,60,70,80,100,120,150 "
                       "(default: 10 quantile windows)")
      ->delimiter(',')->check(non_negative());
  eval_cmd->add_option("--threads", eval_args->threads, "intra-op threads (0: all cores)")
      ->check(non_negative())->capture_default_str();
  add_device_option(eval_cmd, eval_args->device, "the generators run");
  eval_cmd->callback([eval_args] { run_evaluate(*eval_args); });

  add_sweep_command(otus);
  add_generate_command(otus, true);
  add_generate_command(otus, false);
}

}  // namespace otae::cli
