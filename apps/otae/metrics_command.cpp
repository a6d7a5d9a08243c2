// `otae metrics`: JetNet's scores (W1M, W1P, W1EFP, FPD, KPD) of generated jets against real ones,
// each beside the floor that two halves of the real jets reach.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include <ATen/Parallel.h>

#include "commands.hpp"
#include "otae/analysis/generative_metrics.hpp"
#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/physics/energy_flow_polynomials.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/train/cpu_compute.hpp"

namespace otae::cli {
namespace {

struct MetricsArguments {
  std::string real, generated, dataset = "particles", out;
  int64_t max_jets = 0, threads = 0;
  bool no_floor = false;
  // JetNet's defaults (analysis::GenerativeMetricsOptions)
  int64_t samples = 50000, batches = 5, fpd_min_samples = 20000, fpd_max_samples = 50000, kpd_samples = 5000;
  uint64_t seed = 42;
};

struct TimedFeatures {
  analysis::JetNetFeatures features;
  double seconds = 0;
};

TimedFeatures load_features(const std::string& path, const MetricsArguments& args) {
  at::Tensor jets = data::read_jet_particles(path, args.dataset);
  if (args.max_jets > 0 && jets.size(0) > args.max_jets) jets = jets.narrow(0, 0, args.max_jets);
  const auto start = std::chrono::steady_clock::now();
  analysis::JetNetFeatures features = analysis::jetnet_features(jets, path + ":" + args.dataset);
  return {std::move(features), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

/// "1.234e-03 ± 5.6e-05" with the digits the error allows (two of the error).
std::string with_error(const analysis::MetricValue& m) {
  char text[64];
  std::snprintf(text, sizeof text, "%.4g ± %.2g", m.value, m.error);
  return text;
}

void print_row(const std::string& name, const analysis::MetricValue& m, const analysis::GenerativeMetrics* floor,
               const analysis::MetricValue* floor_value) {
  std::printf("  %-22s %-26s %s\n", name.c_str(), with_error(m).c_str(),
              floor ? with_error(*floor_value).c_str() : "");
}

/// The metrics of generated against real jets, each beside its floor when there is one.
void print_table(const MetricsArguments& args, const TimedFeatures& real, const TimedFeatures& generated,
                 const analysis::GenerativeMetrics& metrics, const analysis::GenerativeMetrics* floor) {
  const analysis::GenerativeMetrics& floor_metrics = floor ? *floor : metrics;
  std::printf("otae metrics: %s (%ld jets) vs %s (%ld jets), %d threads, seed %lu\n", args.real.c_str(),
              static_cast<long>(real.features.jets()), args.generated.c_str(),
              static_cast<long>(generated.features.jets()), at::get_num_threads(),
              static_cast<unsigned long>(args.seed));
  std::printf("  %-22s %-26s %s\n", "metric", "generated vs real", floor ? "floor: real half vs half" : "");
  print_row("W1M (m/pT)", metrics.w1m, floor, &floor_metrics.w1m);
  const char* particle_names[] = {"W1P eta_rel", "W1P phi_rel", "W1P pT_rel"};
  for (int i = 0; i < 3; ++i) print_row(particle_names[i], metrics.w1p[i], floor, &floor_metrics.w1p[i]);
  print_row("W1P mean", metrics.w1p_mean, floor, &floor_metrics.w1p_mean);
  const auto& graphs = physics::efp_graphs();
  for (int i = 0; i < 5; ++i)
    print_row("W1EFP " + graphs[physics::w1efp_graph_indices()[i]].name.substr(6), metrics.w1efp[i], floor,
              &floor_metrics.w1efp[i]);
  print_row("W1EFP mean", metrics.w1efp_mean, floor, &floor_metrics.w1efp_mean);
  print_row("FPD (36 EFPs)", metrics.fpd, floor, &floor_metrics.fpd);
  print_row("KPD (36 EFPs)", metrics.kpd, floor, &floor_metrics.kpd);
}

void run_metrics(const MetricsArguments& args) {
  train::configure_cpu_compute(args.threads);
  refuse_input_as_output(args.out, {args.real, args.generated});
  const auto options = analysis::GenerativeMetricsOptions()
                           .samples(args.samples)
                           .batches(args.batches)
                           .fpd_min_samples(args.fpd_min_samples)
                           .fpd_max_samples(args.fpd_max_samples)
                           .kpd_samples(args.kpd_samples)
                           .seed(args.seed);
  options.validate();
  const TimedFeatures real = load_features(args.real, args);
  const TimedFeatures generated = load_features(args.generated, args);
  if (!args.no_floor && real.features.jets() < 4)
    throw InvalidArgument("otae metrics: " + args.real + ":" + args.dataset + " has " +
                          std::to_string(real.features.jets()) +
                          " jets, too few to split into two halves for the floor; pass --no-floor");
  for (const auto& [path, sample] : {std::pair{args.real, &real}, std::pair{args.generated, &generated}})
    if (sample->features.jets() < options.samples())
      std::fprintf(stderr, "otae metrics: note: %s has %ld jets, fewer than the %ld drawn per batch (JetNet "
                   "recommends 50,000): the draws repeat jets\n", path.c_str(),
                   static_cast<long>(sample->features.jets()), static_cast<long>(options.samples()));
  const analysis::GenerativeMetrics metrics = analysis::generative_metrics(real.features, generated.features, options);
  analysis::GenerativeMetrics floor_metrics;
  if (!args.no_floor) floor_metrics = analysis::truth_floor(real.features, options);
  const analysis::GenerativeMetrics* floor = args.no_floor ? nullptr : &floor_metrics;

  print_table(args, real, generated, metrics, floor);
  std::printf("  seconds: features %.3g + %.3g", real.seconds, generated.seconds);
  for (const auto& [name, seconds] : metrics.seconds) std::printf(", %s %.3g", name.c_str(), seconds);
  std::printf("\n");

  if (args.out.empty()) return;
  nlohmann::json out = {{"real", args.real},
                        {"generated", args.generated},
                        {"dataset", args.dataset},
                        {"real_jets", real.features.jets()},
                        {"generated_jets", generated.features.jets()},
                        {"seed", options.seed()},
                        {"command_line", invocation()},
                        {"generated_vs_real", analysis::to_json(metrics)},
                        {"feature_seconds", {{"real", real.seconds}, {"generated", generated.seconds}}}};
  if (floor) out["floor"] = analysis::to_json(floor_metrics);
  write_json_file(args.out, out);
  std::printf("  -> %s\n", args.out.c_str());
}

}  // namespace

void add_metrics_command(CLI::App& app) {
  auto args = std::make_shared<MetricsArguments>();
  CLI::App* cmd = app.add_subcommand(
      "metrics",
      "JetNet's scores of generated jets against real ones (Kansal et al. 2021, 2023): W1M (jet mass over pT), W1P "
      "(eta_rel, phi_rel, pT_rel of the particles, padding excluded), W1EFP (the five connected energy-flow "
      "polynomials with 4 vertices and 4 edges), FPD and KPD (the 36 EFPs with degree <= 4, each divided by its "
      "largest |value| among the real jets), each with its error, beside the floor that two halves of REAL reach. "
      "Features are relative to each jet's four-momentum, so GeV and pT/HT files, centred or not, compare "
      "directly. Prints a table; --out writes JSON");
  cmd->add_option("REAL", args->real, "HDF5 file with the reference jets [N, M, 3] (pT, eta, phi rad)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("GENERATED", args->generated, "HDF5 file with the jets to judge, same layout")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--dataset", args->dataset, "jets dataset in both files")->capture_default_str();
  cmd->add_option("--out", args->out, "JSON file for every number (not REAL or GENERATED)");
  cmd->add_option("--max-jets", args->max_jets, "use only the first N jets of each file (0: all)")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--samples", args->samples, "jets drawn with replacement per batch of the W1 metrics")
      ->check(positive())->capture_default_str();
  cmd->add_option("--batches", args->batches, "batches of the W1 metrics (value: mean, error: standard deviation)")
      ->check(positive())->capture_default_str();
  cmd->add_option("--fpd-min-samples", args->fpd_min_samples, "smallest sample size of FPD's fit in 1/N")
      ->check(positive())->capture_default_str();
  cmd->add_option("--fpd-max-samples", args->fpd_max_samples, "largest sample size of FPD's fit in 1/N")
      ->check(positive())->capture_default_str();
  cmd->add_option("--kpd-samples", args->kpd_samples, "jets per KPD batch (value: median of 10, error: half the "
                  "16-84 % range)")->check(positive())->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of every draw (same seed, same numbers)")->capture_default_str();
  cmd->add_flag("--no-floor", args->no_floor, "skip the floor (half of REAL against the other half)");
  cmd->add_option("--threads", args->threads, "worker threads (0: all cores)")->check(non_negative())->capture_default_str();
  cmd->callback([args] { run_metrics(*args); });
}

}  // namespace otae::cli
