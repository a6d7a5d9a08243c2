// `otae vae …`: train the EMD-VAE through its β schedule (or resume it), encode rows into the
// posterior's μ and σ at a chosen β, decode latent points into jets, analyse a finished run (or
// train, analyse and report in one go), read a mixed sample's hidden labels off the binary latents
// (next to a supervised baseline), and compare circular latents with the jet φ or a toy's angle.
// Parsing and printing only; the work is in otae::train and otae::analysis.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "otae/analysis/circular_statistics.hpp"
#include "otae/analysis/classification.hpp"
#include "otae/analysis/vae_run_analysis.hpp"
#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/base/progress.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/train/cpu_compute.hpp"
#include "otae/train/device.hpp"
#include "otae/train/vae_config.hpp"
#include "otae/train/vae_run.hpp"
#include "otae/train/vae_run_folder.hpp"
#include "otae/train/distributed.hpp"
#include "otae/train/vae_trainer.hpp"

namespace otae::cli {
namespace {

struct TrainArguments {
  std::string config, data, out, resume;
  std::string device;  ///< empty: the configuration's train.device
  std::vector<std::string> overrides;
};

struct UseArguments {
  std::string run, step = "last", data, latents, dataset, out, device = "cpu";
  int64_t batch_size = 1000;
};

/// Defaults are the library's.
struct AnalyzeArguments {
  std::string run, data, out;
  int64_t max_rows = analysis::VaeAnalysisOptions().max_rows();
  int64_t correlation_points = analysis::VaeAnalysisOptions().correlation_points();
  int64_t traversal_directions = analysis::VaeAnalysisOptions().traversal_directions();
  int64_t metrics_jets = analysis::VaeAnalysisOptions().metrics_jets();
  int64_t threads = 0;
  std::string device = "cpu";
};

/// KL above which a latent direction counts as used, for the one-line step summary only.
constexpr double kActiveKl = 0.1;

/// A progress line over "epoch slots" (max_epochs per β step; an early stop fills the rest of
/// its step's slots), and a summary line per β step on stdout. β steps are numbered from 0, as in
/// beta_schedule.csv, the checkpoints and the figures.
train::TrainingObserver progress_observer() {
  auto meter = std::make_shared<std::optional<ProgressMeter>>();
  auto start = std::make_shared<train::TrainingStart>();
  train::TrainingObserver observer;
  observer.on_start = [meter, start](const train::TrainingStart& s) {
    *start = s;
    const int64_t slots = (static_cast<int64_t>(s.schedule.size()) - s.completed_steps) * s.max_epochs;
    meter->emplace("otae vae train", "epoch slots", slots);
    std::printf("otae vae train: %zu beta steps (%ld done), %ld training and %ld validation rows",
                s.schedule.size(), static_cast<long>(s.completed_steps), static_cast<long>(s.train_rows),
                static_cast<long>(s.validation_rows));
    if (s.on_jets) std::printf(", <HT> = %.4g GeV", s.energy_scale);
    const auto& parallel = train::data_parallel();
    if (parallel.world_size() > 1)
      std::printf(", data-parallel over %ld processes (%s)", static_cast<long>(parallel.world_size()),
                  parallel.launcher().c_str());
    std::printf("\n");
    std::fflush(stdout);
  };
  observer.on_epoch_end = [meter, start](const train::EpochRecord& e, torch::nn::Module&) {
    (*meter)->update((e.step - start->completed_steps) * start->max_epochs + e.epoch + 1);
  };
  observer.on_step_end = [meter, start](const train::BetaStepRecord& r) {
    (*meter)->update((r.step + 1 - start->completed_steps) * start->max_epochs);
    const auto active =
        std::count_if(r.kl_per_dim.begin(), r.kl_per_dim.end(), [](double kl) { return kl > kActiveKl; });
    // the distortion is the squared EMD of pT/HT-normalised jets, or the squared error of toy vectors
    std::printf(
        "step %ld (%ld of %zu) %-10s beta_hat=%.3e %s, beta=%.4g %s: %ld epochs (%s), validation loss %.6g nats, "
        "D %.4g %s, KL %.4g nats (%ld dims > %.1f nats)\n",
        static_cast<long>(r.step), static_cast<long>(r.step + 1), start->schedule.size(),
        train::to_string(r.phase).c_str(), r.beta_hat, start->on_jets ? "HT*DeltaR" : "data units", r.beta,
        start->on_jets ? "GeV" : "data units", static_cast<long>(r.epochs),
        r.stopped_early ? "early stop" : "epoch cap", r.validation_loss,
        r.validation_distortion, start->on_jets ? "(HT*DeltaR)^2" : "data units^2", r.validation_kl,
        static_cast<long>(active), kActiveKl);
    std::fflush(stdout);
  };
  return observer;
}

void run_train(const TrainArguments& a) {
  const train::TrainingObserver observer = progress_observer();
  if (!a.device.empty()) train::resolve_device(a.device, "--device");  // refused before any data is read
  if (!a.resume.empty()) {
    if (!a.config.empty() || !a.data.empty() || !a.out.empty() || !a.overrides.empty())
      throw ConfigError(
          "--resume " + a.resume +
          " continues that run with its own config.yaml: drop --config, --data, --out and KEY=VALUE overrides");
    train::resume_vae(a.resume, observer, a.device);
    if (train::data_parallel().writes_files()) std::printf("otae vae train: run %s complete\n", a.resume.c_str());
    return;
  }
  if (a.out.empty()) throw ConfigError("otae vae train needs --out RUN (or --resume RUN)");
  train::VaeConfig config = a.config.empty() ? train::parse_vae_config("", a.overrides, "the defaults")
                                             : train::load_vae_config(a.config, a.overrides);
  // Set directly rather than as an override, so that a path is never read as YAML.
  if (!a.data.empty()) config.data.source(a.data);
  if (!a.device.empty()) config.train.device(a.device);
  train::train_vae(config, a.out, observer);
  if (train::data_parallel().writes_files()) std::printf("otae vae train: run %s complete\n", a.out.c_str());
}

/// A progress line per analysis stage, each with its rate and time left.
analysis::AnalysisProgress analysis_progress() {
  auto meter = std::make_shared<std::optional<ProgressMeter>>();
  auto stage = std::make_shared<std::string>();
  return [meter, stage](const std::string& what, int64_t done, int64_t total) {
    if (*stage != what || !meter->has_value()) {
      *stage = what;
      const auto colon = what.find(": ");
      meter->emplace("otae vae analyze: " + what.substr(0, colon),
                     colon == std::string::npos ? what : what.substr(colon + 2), total);
    }
    (*meter)->update(done);
  };
}

void run_analyze(const AnalyzeArguments& a) {
  train::configure_cpu_compute(a.threads);
  const std::string out = a.out.empty() ? (std::filesystem::path(a.run) / "analysis").string() : a.out;
  const nlohmann::json summary = analysis::analyze_vae_run(a.run, out,
                                                           analysis::VaeAnalysisOptions()
                                                               .data(a.data)
                                                               .max_rows(a.max_rows)
                                                               .correlation_points(a.correlation_points)
                                                               .traversal_directions(a.traversal_directions)
                                                               .metrics_jets(a.metrics_jets)
                                                               .threads(a.threads)
                                                               .device(train::resolve_device(a.device, "--device"))
                                                               .command_line(invocation())
                                                               .progress(analysis_progress()));
  std::printf("otae vae analyze: %zu checkpoints on %ld held-out rows of %s", summary["checkpoints"].size(),
              static_cast<long>(summary["rows"].get<int64_t>()), summary["data"].get<std::string>().c_str());
  if (summary["kind"] == "jets") std::printf(" (<HT> = %.4g GeV)", summary["energy_scale_GeV"].get<double>());
  std::printf("\n");
  for (const auto& c : summary["checkpoints"])
    std::printf("step %3ld %-10s beta=%9.4g %s: KL %.4g nats, D %.4g %s, %zu informative directions\n",
                static_cast<long>(c["step"].get<int64_t>()), c["phase"].get<std::string>().c_str(),
                c["beta"].get<double>(), summary["beta_unit"].get<std::string>().c_str(), c["kl"].get<double>(),
                c["distortion"].get<double>(), summary["kind"] == "jets" ? "(HT*DeltaR)^2" : "data units^2",
                c["informative"].size());
  if (!summary["generative_metrics"].is_null()) {
    const auto& floor = summary["generative_metrics"]["floor"];
    std::printf("JetNet's metrics on %ld held-out jets (floor: W1M %.3g, FPD %.3g)\n",
                static_cast<long>(summary["generative_metrics"]["jets"].get<int64_t>()),
                floor["w1m"]["value"].get<double>(), floor["fpd"]["value"].get<double>());
    for (const auto& c : summary["checkpoints"]) {
      const auto& m = c["generative_metrics"];
      std::printf("step %3ld decoded: W1M %.3g, FPD %.3g", static_cast<long>(c["step"].get<int64_t>()),
                  m["decoded"]["w1m"]["value"].get<double>(), m["decoded"]["fpd"]["value"].get<double>());
      if (!m["generated"].is_null())
        std::printf("; from the prior: W1M %.3g, FPD %.3g", m["generated"]["w1m"]["value"].get<double>(),
                    m["generated"]["fpd"]["value"].get<double>());
      std::printf("\n");
    }
  }
  std::printf("otae vae analyze: -> %s\n", out.c_str());
}

void add_analyze_options(CLI::App* cmd, AnalyzeArguments& a) {
  cmd->add_option("--max-rows", a.max_rows, "evaluate at most this many held-out rows, the first ones (0: all)")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--dcorr-points", a.correlation_points,
                  "rows for the correlation dimension of the data (N(N-1)/2 exact EMDs; 0 skips it)")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--metrics-jets", a.metrics_jets,
                  "held-out jets that JetNet's metrics (see otae metrics) compare at every checkpoint with their "
                  "reconstructions and with jets decoded from the prior (0 skips them)")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--traversal-directions", a.traversal_directions,
                  "latent directions of each traversal grid, the most informative first")
      ->check(CLI::Range(1, 3))
      ->capture_default_str();
  cmd->add_option("--threads", a.threads, "threads (0: every core)")->check(non_negative())->capture_default_str();
}

void add_device_option(CLI::App* cmd, std::string& device, const std::string& what) {
  cmd->add_option("--device", device, "where " + what + ": cpu, cuda or cuda:N")->capture_default_str();
}

data::Attributes run_attributes(const UseArguments& a, const train::TrainedVae& trained) {
  data::Attributes attributes = provenance();
  attributes.insert({{"run", a.run},
                     {"checkpoint", trained.checkpoint_path},
                     {"beta_step", std::to_string(trained.checkpoint.step)},
                     {"phase", trained.checkpoint.phase},
                     {"beta_hat", shortest_decimal(trained.checkpoint.beta_hat)}});
  return attributes;
}

void run_encode(const UseArguments& a) {
  refuse_input_as_output(a.out, {a.data});
  train::configure_cpu_compute(0);
  train::TrainedVae trained = train::load_trained_vae(a.run, a.step, train::resolve_device(a.device, "--device"));
  train::VaeDataOptions options = trained.config.data;
  const train::VaeData rows = train::VaeData::load(options.source(a.data).max_rows(0));
  train::require_compatible(*trained.model, rows, a.data);
  const nn::LatentPosterior posterior = train::encode_rows(*trained.model, rows, a.batch_size);
  data::Attributes attributes = run_attributes(a, trained);
  attributes["data_source"] = a.data;
  std::vector<data::NamedArray> arrays{
      {"mu", posterior.gaussian.mean.contiguous(), {{"description", "posterior mean per row and latent direction"}}},
      {"sigma",
       posterior.gaussian.standard_deviation().contiguous(),
       {{"description", "posterior standard deviation per row and latent direction"}}}};
  if (posterior.binary_log_alpha.defined())
    arrays.push_back({"binary_probability",
                      at::sigmoid(posterior.binary_log_alpha).contiguous(),
                      {{"description", "posterior probability sigmoid(log alpha) of each binary latent variable"}}});
  if (posterior.circular_mean.defined()) {
    arrays.push_back({"circular_mean",
                      posterior.circular_mean.contiguous(),
                      {{"description", "posterior mean direction of each circular latent direction"}, {"units", "rad"}}});
    arrays.push_back({"circular_concentration",
                      posterior.circular_concentration.contiguous(),
                      {{"description", "posterior von Mises concentration kappa of each circular latent direction"}}});
  }
  data::write_arrays(a.out, arrays, attributes);
  const nn::MixedLatentOptions& mixed = trained.model->mixed_latents();
  std::printf(
      "otae vae encode: %ld rows x %ld Gaussian directions, %ld binary, %ld circular at beta_hat=%.4g -> %s\n",
      static_cast<long>(posterior.gaussian.mean.size(0)), static_cast<long>(posterior.gaussian.mean.size(1)),
      static_cast<long>(mixed.binary_dim()), static_cast<long>(mixed.circular_dim()), trained.checkpoint.beta_hat,
      a.out.c_str());
}

void run_decode(const UseArguments& a) {
  refuse_input_as_output(a.out, {a.latents});
  train::configure_cpu_compute(0);
  train::TrainedVae trained = train::load_trained_vae(a.run, a.step, train::resolve_device(a.device, "--device"));
  std::string dataset = a.dataset;
  if (dataset.empty()) dataset = data::has_dataset(a.latents, "z") ? "z" : "mu";
  const at::Tensor z = data::read_array(a.latents, dataset);
  const std::vector<data::NamedArray> arrays = train::decode_latents(*trained.model, z, a.batch_size);
  data::Attributes attributes = run_attributes(a, trained);
  attributes["latents"] = a.latents + ":" + dataset;
  data::write_arrays(a.out, arrays, attributes);
  std::printf("otae vae decode: %ld latent points from %s:%s at beta_hat=%.4g -> %s\n", static_cast<long>(z.size(0)),
              a.latents.c_str(), dataset.c_str(), trained.checkpoint.beta_hat, a.out.c_str());
}

struct ClassifyArguments {
  std::string run, data, labels = "label", out;
  train::JetClassifierOptions baseline = train::JetClassifierOptions().epochs(10);
};

nlohmann::json classification_header(const ClassifyArguments& a) {
  return {{"run", a.run}, {"data", a.data.empty() ? std::string("(the run's own)") : a.data}, {"labels", a.labels},
          {"rows", "the run's test split"}, {"otae", provenance()}};
}

void run_classify(const ClassifyArguments& a) {
  refuse_input_as_output(a.out, {a.data});
  train::configure_cpu_compute(0);
  const auto steps = analysis::classify_with_binary_latents(a.run, a.data, a.labels);
  nlohmann::json out = classification_header(a);
  out["score"] = "posterior probability sigmoid(log alpha) of each binary latent variable";
  out["checkpoints"] = nlohmann::json::array();
  for (const auto& step : steps) {
    out["checkpoints"].push_back(analysis::to_json(step));
    for (size_t k = 0; k < step.variables.size(); ++k)
      std::printf("beta_hat=%.4g binary %zu: AUC %.4f, accuracy at 1/2 %.4f, best cut %.4f\n", step.beta_hat, k,
                  step.variables[k].auc, step.variables[k].fixed_cut.accuracy, step.variables[k].best.accuracy);
    for (const auto& c : step.decoding) {
      std::printf("  binary %ld = %ld: decoded jet moves per traversal step", static_cast<long>(c.variable),
                  static_cast<long>(c.value));
      for (size_t i = 0; i < c.directions.size(); ++i)
        std::printf("%s z%ld %.3g", i ? "," : "", static_cast<long>(c.directions[i]), c.mean_step[i]);
      std::printf("\n");
    }
  }
  write_json_file(a.out, out);
  std::printf("otae vae classify: %zu checkpoints -> %s\n", steps.size(), a.out.c_str());
}

void run_baseline(const ClassifyArguments& a) {
  refuse_input_as_output(a.out, {a.data});
  train::configure_cpu_compute(1);
  ProgressMeter meter("otae vae baseline", "epochs", a.baseline.epochs());
  const analysis::SupervisedBaseline baseline = analysis::supervised_baseline(
      a.run, a.data, a.labels, a.baseline, [&](int64_t epoch, double) { meter.update(epoch + 1); });
  nlohmann::json out = classification_header(a);
  out["classifier"] = "supervised: the run's Particle Flow encoder trunk, logistic output, binary cross-entropy";
  out["learning_rate"] = a.baseline.learning_rate();
  out["batch_size"] = a.baseline.batch_size();
  out["seed"] = a.baseline.seed();
  out["baseline"] = analysis::to_json(baseline);
  write_json_file(a.out, out);
  std::printf("otae vae baseline: test AUC %.4f, accuracy at 1/2 %.4f -> %s\n", baseline.test.auc,
              baseline.test.fixed_cut.accuracy, a.out.c_str());
}

void run_circular(const ClassifyArguments& a) {
  refuse_input_as_output(a.out, {a.data});
  train::configure_cpu_compute(0);
  const auto steps = analysis::circular_latent_correlations(a.run, a.data);
  nlohmann::json out = {{"run", a.run},
                        {"data", a.data.empty() ? std::string("(the run's own)") : a.data},
                        {"angle", "jets: the jet dataset's phi; 2-D toys: atan2(x2, x1)"},
                        {"rows", "the run's test split (all rows when it has none)"},
                        {"measure", "Jammalamadaka-SenGupta circular correlation of the posterior mean direction"},
                        {"otae", provenance()},
                        {"checkpoints", nlohmann::json::array()}};
  for (const auto& step : steps) {
    out["checkpoints"].push_back(analysis::to_json(step));
    for (size_t c = 0; c < step.correlation.size(); ++c)
      std::printf("beta_hat=%.4g circular %zu: circular correlation %.4f, rank correlation %.4f, <kappa> %.4g\n",
                  step.beta_hat, c, step.correlation[c], step.rank_correlation[c], step.mean_concentration[c]);
  }
  write_json_file(a.out, out);
  std::printf("otae vae circular: %zu checkpoints -> %s\n", steps.size(), a.out.c_str());
}

void add_classify_options(CLI::App* cmd, ClassifyArguments& a) {
  cmd->add_option("RUN", a.run, "run folder written by otae vae train")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("--data", a.data,
                  "the HDF5 file the run was trained on (default: the run's data.source); its split is the run's");
  cmd->add_option("--labels", a.labels, "dataset of --data with the hidden label (0 or 1) of each row")
      ->capture_default_str();
  cmd->add_option("--out", a.out, "JSON file to write")->required();
}

void add_use_options(CLI::App* cmd, UseArguments& a) {
  cmd->add_option("RUN", a.run, "run folder written by otae vae train")->required()->check(CLI::ExistingDirectory);
  cmd->add_option(
         "--step", a.step,
         "'last' (the last finished beta step), step:N (beta step N of any phase) or a beta_hat (units of HT x "
         "Delta R) of the production run, e.g. 1e-3")
      ->capture_default_str();
  cmd->add_option("--out", a.out, "output HDF5 file")->required();
  cmd->add_option("--batch-size", a.batch_size, "rows per forward pass")->check(positive())->capture_default_str();
  add_device_option(cmd, a.device, "the model runs");
}

/// Train (resuming a run the folder already holds), analyse, draw the report.
void run_study(const TrainArguments& given, AnalyzeArguments analyze_arguments) {
  TrainArguments train_arguments = given;
  if (std::filesystem::exists(train::VaeRunFolder(given.out).last_checkpoint())) {
    std::fprintf(stderr, "otae vae study: %s already holds a run; resuming it with its own config.yaml\n",
                 given.out.c_str());
    train_arguments = TrainArguments{};
    train_arguments.resume = given.out;
    train_arguments.device = given.device;
  }
  train::data_parallel().barrier();  // every rank has looked before rank 0 writes the run folder
  run_train(train_arguments);
  if (!train::data_parallel().writes_files()) return;  // the other ranks of a data-parallel run only train
  analyze_arguments.run = given.out;
  analyze_arguments.device =
      given.device.empty() ? train::load_vae_config(train::VaeRunFolder(given.out).config_file()).train.device()
                           : given.device;
  run_analyze(analyze_arguments);
  if (const int status = draw_report(given.out, "", analyze_arguments.out); status != 0) throw CLI::RuntimeError(status);
}

void add_train_subcommand(CLI::App* vae) {
  auto t = std::make_shared<TrainArguments>();
  CLI::App* train_cmd = vae->add_subcommand(
      "train", "Train (or resume) a VAE; writes config, schedule, logs and checkpoints into the run folder");
  train_cmd->add_option("--config", t->config, "YAML configuration (default: the paper's settings; see configs/vae/)")
      ->check(CLI::ExistingFile);
  train_cmd->add_option(
      "--data", t->data,
      "HDF5 jets [N, 50, 3] (pT GeV, eta, phi), or a toy such as toy:gaussian:2,1,0.5,0.25 (sets data.source)");
  train_cmd->add_option("--out", t->out, "run folder to create");
  train_cmd
      ->add_option("--resume", t->resume,
                   "continue the interrupted run in this folder from its last finished beta step")
      ->check(CLI::ExistingDirectory);
  add_device_option(train_cmd, t->device, "it trains (default: the configuration's train.device; also with --resume)");
  add_config_overrides(train_cmd, t->overrides, "train.batch_size=50 model.latent_dim=32");
  train_cmd->callback([t] { run_train(*t); });

}

void add_analyze_subcommand(CLI::App* vae) {
  auto an = std::make_shared<AnalyzeArguments>();
  CLI::App* analyze = vae->add_subcommand(
      "analyze",
      "Read out a run on held-out rows: KL spectra, D1/D2, correlation dimension, traversals, latent <-> physics");
  analyze->add_option("RUN", an->run, "run folder written by otae vae train")->required()->check(CLI::ExistingDirectory);
  analyze->add_option("--data", an->data,
                      "HDF5 jets or toy spec to evaluate on (default: the run's own source, its test split and the "
                      "rows beyond its data.max_rows; never training rows)");
  analyze->add_option("--out", an->out, "analysis folder (default: RUN/analysis)");
  add_analyze_options(analyze, *an);
  add_device_option(analyze, an->device, "the model encodes and decodes");
  analyze->callback([an] { run_analyze(*an); });

}

void add_study_subcommand(CLI::App* vae) {
  auto st = std::make_shared<TrainArguments>();
  auto sa = std::make_shared<AnalyzeArguments>();
  CLI::App* study = vae->add_subcommand(
      "study", "Train a run (resuming it when --out already holds one), analyse it into RUN/analysis and draw its report "
      "into RUN/report");
  study->add_option("--config", st->config, "YAML configuration (see configs/vae/)")->required()->check(CLI::ExistingFile);
  study->add_option("--data", st->data, "HDF5 jets or toy spec to train on (sets data.source)");
  study->add_option("--out", st->out, "run folder")->required();
  add_device_option(study, st->device, "it trains and analyses (default: the configuration's train.device)");
  add_config_overrides(study, st->overrides, "data.centre=true");
  add_analyze_options(study, *sa);
  study->callback([st, sa] { run_study(*st, *sa); });

}

void add_encode_decode_subcommands(CLI::App* vae) {
  auto e = std::make_shared<UseArguments>();
  CLI::App* encode = vae->add_subcommand("encode", "Posterior mu and sigma [N, L] of every row of a data file");
  add_use_options(encode, *e);
  encode->add_option("--data", e->data, "HDF5 jets (prepared as in training: pT/HT, centring) or a toy spec")
      ->required();
  encode->callback([e] { run_encode(*e); });

  auto d = std::make_shared<UseArguments>();
  CLI::App* decode =
      vae->add_subcommand("decode", "Decode latent points [N, L] into jets (pT/HT, eta, phi) or toy vectors");
  add_use_options(decode, *d);
  decode->add_option("--latents", d->latents, "HDF5 file with latent points [N, L]")
      ->required()
      ->check(CLI::ExistingFile);
  decode->add_option("--dataset", d->dataset, "dataset of --latents (default: z if present, else mu)");
  decode->callback([d] { run_decode(*d); });

}

void add_classify_subcommands(CLI::App* vae) {
  auto c = std::make_shared<ClassifyArguments>();
  CLI::App* classify = vae->add_subcommand(
      "classify", "ROC AUC and accuracy of each binary latent's probability against a mixed sample's hidden labels, "
                  "on the run's test rows, at every kept beta");
  add_classify_options(classify, *c);
  classify->callback([c] { run_classify(*c); });

  auto b = std::make_shared<ClassifyArguments>();
  CLI::App* baseline = vae->add_subcommand(
      "baseline", "Supervised baseline for classify: train the run's encoder trunk with a logistic output on the "
                  "labels of the run's training rows, score its test rows");
  add_classify_options(baseline, *b);
  baseline->add_option_function<int64_t>("--epochs", [b](int64_t v) { b->baseline.epochs(v); },
                                         "passes over the training rows (default 10)")
      ->check(positive());
  baseline->add_option_function<double>("--learning-rate", [b](double v) { b->baseline.learning_rate(v); },
                                        "Adam step size (default 1e-3)")
      ->check(positive());
  baseline->add_option_function<uint64_t>("--seed", [b](uint64_t v) { b->baseline.seed(v); },
                                          "seed of the weights and batch order (default 0)")
      ->check(non_negative());
  baseline->callback([b] { run_baseline(*b); });

}

void add_circular_subcommand(CLI::App* vae) {
  auto r = std::make_shared<ClassifyArguments>();
  CLI::App* circular = vae->add_subcommand(
      "circular", "Circular correlation of each circular latent direction with the jet phi (or a 2-D toy's angle) on "
                  "the run's test rows, at every kept beta");
  circular->add_option("RUN", r->run, "run folder written by otae vae train")->required()->check(CLI::ExistingDirectory);
  circular->add_option("--data", r->data, "HDF5 jets with a 'jet' dataset, or a toy spec (default: the run's)");
  circular->add_option("--out", r->out, "JSON file to write")->required();
  circular->callback([r] { run_circular(*r); });
}

}  // namespace

void add_vae_command(CLI::App& app) {
  CLI::App* vae = app.add_subcommand(
      "vae", "EMD-VAE (Collins 2021): train through a beta schedule, encode, decode, classify with binary latents");
  vae->require_subcommand(1);
  add_train_subcommand(vae);
  add_analyze_subcommand(vae);
  add_study_subcommand(vae);
  add_encode_decode_subcommands(vae);
  add_classify_subcommands(vae);
  add_circular_subcommand(vae);
}

}  // namespace otae::cli
