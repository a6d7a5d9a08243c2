// `otae otus`: train OTUS on unpaired events, use the decoder as a detector simulation and the
// encoder as an unfolding, and evaluate a run against the statistical floor and the identity.
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>

#include "commands.hpp"
#include "otae/analysis/otus_evaluation.hpp"
#include "otae/base/error.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/split.hpp"
#include "otae/train/config_file.hpp"
#include "otae/train/run_folder.hpp"
#include "otae/train/otus_training.hpp"

namespace otae::cli {
namespace {

void use_threads(int64_t threads) {
  at::set_num_threads(threads > 0 ? static_cast<int>(threads)
                                  : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

data::Attributes with_provenance(data::Attributes attributes) {
  for (const auto& [key, value] : provenance()) attributes[key] = value;
  return attributes;
}

struct TrainArguments {
  std::string config, data, out;
  std::vector<std::string> overrides;
  bool resume = false;
  int64_t max_epochs = 0;
};

void run_train(const TrainArguments& args) {
  YAML::Node tree = train::load_config_file(args.config);
  train::apply_overrides(tree, args.overrides);
  const train::OtusConfig config = train::parse_otus_config(tree);
  const data::EventPairs events = data::load_event_pairs(args.data);
  const auto start = std::chrono::steady_clock::now();
  // an absolute path, so that `otae otus evaluate` recognises the training file from anywhere
  train::train_otus(config, events, std::filesystem::absolute(args.data).string(), args.out,
                    train::OtusTrainOptions().resume(args.resume).epoch_limit(args.max_epochs));
  const bool finished = std::filesystem::exists(std::filesystem::path(args.out) / "model.pt");
  std::fprintf(stderr, "otae otus train: %s %s in %.1f s\n", args.out.c_str(),
               finished ? "trained" : "stopped at --max-epochs (continue with --resume)",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

/// Simulation (decoder, z → x) or unfolding (encoder, x → z) of every event of a file.
struct GenerateArguments {
  std::string run, input, out, dataset;
  uint64_t seed = 0;
  int64_t batch = 65536, threads = 0;
};

void run_generate(const GenerateArguments& args, bool simulate) {
  use_threads(args.threads);
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
  std::fprintf(stderr, "otae otus %s: %ld events in %.3f s: %.0f events/s on %d threads -> %s\n",
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
  cmd->add_option("--seed", args->seed, "seed of the generator noise")->capture_default_str();
  cmd->add_option("--batch", args->batch, "events per forward pass")->capture_default_str();
  cmd->add_option("--threads", args->threads, "intra-op threads (0: all cores)")->capture_default_str();
  cmd->callback([args, simulate] { run_generate(*args, simulate); });
}

struct EvaluateArguments {
  std::string run, data, out, events_out, rows = "auto";
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
  const bool training_file = same_file(args.data, model.run.at("data").get<std::string>());
  if (args.rows == "test" || (args.rows == "auto" && training_file)) {
    if (!training_file)
      std::fprintf(stderr, "otae otus evaluate: warning: %s is not the training file; its rows are split as the run's\n",
                   args.data.c_str());
    return data::split_rows(n_rows, model.config.split).test;
  }
  return at::arange(n_rows, at::kLong);
}

void print_summary(const nlohmann::json& m) {
  auto number = [](const nlohmann::json& v) { return v.is_number() ? v.get<double>() : std::nan(""); };
  std::printf("%-28s %12s %12s %12s\n", "SW_2^2 [GeV^2]", "model", "floor", "identity");
  for (const char* what : {"unfolding", "reconstruction", "simulation"}) {
    const auto& s = m["sliced_wasserstein"]["gev2"][what];
    std::printf("%-28s %12.4g %12.4g %12.4g\n", what, number(s["model"]), number(s["floor"]), number(s["identity"]));
  }
  std::printf("%-28s %12s %12s %12s\n", "KS (x vs x~')", "simulation", "floor", "identity");
  for (const auto& o : m["observables"]["detector"]) {
    const auto& c = o["comparisons"];
    auto ks = [&](const char* k) { return c[k].is_null() ? std::nan("") : number(c[k]["ks"]); };
    std::printf("%-28s %12.4g %12.4g %12.4g\n", o["name"].get<std::string>().c_str(), ks("simulation"), ks("floor"),
                ks("identity"));
  }
}

void run_evaluate(const EvaluateArguments& args) {
  use_threads(args.threads);
  train::OtusModel model = train::load_otus_model(args.run);
  const data::EventPairs events = data::load_event_pairs(args.data);
  const at::Tensor rows = evaluation_rows(model, args, events.size());
  const auto options = analysis::OtusEvaluationOptions()
                           .slices(args.slices)
                           .seed(args.seed)
                           .histogram_bins(args.bins)
                           .transfer_bins(args.transfer_bins);
  analysis::OtusEvaluation evaluation =
      analysis::evaluate_otus(model, events, rows, object_names(args.data, "z"), object_names(args.data, "x"), options);
  evaluation.metrics["run"] = args.run;
  evaluation.metrics["data"] = args.data;
  evaluation.metrics["provenance"] = provenance();
  train::write_json_file(args.out, evaluation.metrics);
  if (!args.events_out.empty()) {
    const data::Attributes gev = {{"units", "GeV"}, {"layout", "(px, py, pz, E) per object"}};
    data::write_arrays(args.events_out,
                       {{"z_a", evaluation.z_a, gev}, {"x_a", evaluation.x_a, gev}, {"z_b", evaluation.z_b, gev},
                        {"x_b", evaluation.x_b, gev}, {"unfolded", evaluation.unfolded, gev},
                        {"reconstructed", evaluation.reconstructed, gev}, {"simulated", evaluation.simulated, gev}},
                       provenance());
  }
  print_summary(evaluation.metrics);
  std::fprintf(stderr, "otae otus evaluate: %ld test events -> %s\n", static_cast<long>(rows.size(0)), args.out.c_str());
}

}  // namespace

void add_otus_command(CLI::App& app) {
  CLI::App* otus = app.add_subcommand("otus", "OTUS: learn a detector simulation from unpaired events (Howard et al. 2022)");
  otus->require_subcommand(1);

  auto train_args = std::make_shared<TrainArguments>();
  CLI::App* train_cmd = otus->add_subcommand("train", "Train the encoder and decoder on unpaired z and x");
  train_cmd->add_option("--config", train_args->config, "YAML configuration (configs/otus/*.yaml)")
      ->required()->check(CLI::ExistingFile);
  train_cmd->add_option("--data", train_args->data, "HDF5 file with datasets z and x [N, 4k] (px, py, pz, E) GeV")
      ->required()->check(CLI::ExistingFile);
  train_cmd->add_option("--out", train_args->out, "run folder (created)")->required();
  train_cmd->add_option("--set", train_args->overrides, "override a configuration value, e.g. --set phases.0.epochs=5");
  train_cmd->add_flag("--resume", train_args->resume, "continue from RUN/checkpoint.pt");
  train_cmd->add_option("--max-epochs", train_args->max_epochs,
                        "stop after this many epochs of this call, resumable with --resume (0: train to the end)")
      ->capture_default_str();
  train_cmd->callback([train_args] { run_train(*train_args); });

  auto eval_args = std::make_shared<EvaluateArguments>();
  CLI::App* eval_cmd = otus->add_subcommand(
      "evaluate", "Held-out metrics (SW, per-observable W/KS/chi2, transfer function) beside the floor and the identity");
  eval_cmd->add_option("RUN", eval_args->run, "run folder")->required()->check(CLI::ExistingDirectory);
  eval_cmd->add_option("--data", eval_args->data, "HDF5 file with z and x (and their 'objects' attributes)")
      ->required()->check(CLI::ExistingFile);
  eval_cmd->add_option("--out", eval_args->out, "metrics JSON")->required();
  eval_cmd->add_option("--events", eval_args->events_out, "also write the halves and generated events to this HDF5 file");
  eval_cmd->add_option("--rows", eval_args->rows,
                       "which rows: test (the run's split), all, or auto (test when --data is the training file)")
      ->check(CLI::IsMember({"auto", "test", "all"}))->capture_default_str();
  eval_cmd->add_option("--slices", eval_args->slices, "L of the sliced Wasserstein distances")->capture_default_str();
  eval_cmd->add_option("--seed", eval_args->seed, "seed of the halves, the noise and the directions")->capture_default_str();
  eval_cmd->add_option("--bins", eval_args->bins, "histogram and chi2 bins")->capture_default_str();
  eval_cmd->add_option("--transfer-bins", eval_args->transfer_bins, "quantile bins of z for the transfer function")
      ->capture_default_str();
  eval_cmd->add_option("--threads", eval_args->threads, "intra-op threads (0: all cores)")->capture_default_str();
  eval_cmd->callback([eval_args] { run_evaluate(*eval_args); });

  add_generate_command(otus, true);
  add_generate_command(otus, false);
}

}  // namespace otae::cli
