// `otae otus evaluate` and `otae otus sweep` as library calls, for the command line, the Python
// module and any program: a run folder and its data files in; metrics.json, samples.h5 and
// sweep.json out.
//
// RUN/evaluation (or the chosen folder) holds
//   metrics.json   evaluate_otus's metrics (layout in its "layout" entry), with the run, the data
//                  file, the checkpoint and the caller's provenance
//   samples.h5     the held-out samples the figures are drawn from: half B (z, x), the model's
//                  images of half A (z_tilde, x_tilde, x_tilde_prime, with their acceptance masks),
//                  half A itself (z_a, x_a) and per-event observables (<name>_observables)
// SWEEP/ holds one run folder per value, <key>_<value>/, each evaluated, and sweep.json listing
// them (rewritten after every run, so that an interrupted sweep still reports what it finished);
// each run is evaluated on the device it trained on.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "otae/analysis/otus_evaluation.hpp"
#include "otae/base/arg.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/train/otus_training.hpp"

namespace otae::analysis {

/// Which events of the data file an evaluation uses.
enum class HeldOutRows {
  kAuto,  ///< the run's test split when the data files are the ones it trained on, else all
  kTest,  ///< the run's test split (of whatever file is given)
  kAll,   ///< every row
};

struct OtusRunEvaluationOptions {
  /// Detector-level x from this file, unpaired with the data file's z (as in training with it):
  /// the paired metrics are skipped.
  OTAE_ARG(std::string, x_data, "");
  /// Where metrics.json and samples.h5 go; empty: RUN/evaluation, where the report looks.
  OTAE_ARG(std::string, folder, "");
  OTAE_ARG(train::OtusCheckpoint, checkpoint, train::OtusCheckpoint::kFinal);
  /// Where the generators run (train::resolve_device); the events and metrics stay in host memory.
  OTAE_ARG(at::Device, device, at::kCPU);
  OTAE_ARG(HeldOutRows, rows, HeldOutRows::kAuto);
  /// evaluate_otus's options; `paired` is set from x_data.
  OTAE_ARG(OtusEvaluationOptions, evaluation, OtusEvaluationOptions());
  /// Attributes every file written carries (e.g. otae_version, command_line).
  OTAE_ARG(data::Attributes, provenance, {});
  /// Told what a caller should know (sizes of unpaired samples, a test split taken from a file
  /// the run did not train on), one line without a newline; empty: nobody is told.
  OTAE_ARG(std::function<void(const std::string&)>, notice, nullptr);
  OTAE_ARG_PUBLIC
};

/// What evaluate_otus_run wrote.
struct OtusRunEvaluation {
  OtusMetrics metrics;          ///< evaluate_otus's
  std::string run, data;        ///< the run folder and the data file, as given
  std::string checkpoint;       ///< "final" or "best"
  data::Attributes provenance;  ///< OtusRunEvaluationOptions::provenance
  std::string folder;           ///< where metrics.json and samples.h5 are
};

/// The contents of metrics.json: to_json(metrics) with "run", "data", "checkpoint" and "provenance".
nlohmann::json to_json(const OtusRunEvaluation& evaluation);

/// Evaluates the run in `run_folder` on the events of `data` (evaluate_otus) and writes the folder
/// described above. Throws IoError naming a file that cannot be read or written, InvalidArgument
/// when samples.h5 would replace one of the data files (checked first), the data's objects do not
/// fit the run or fewer than 4 events are held out.
OtusRunEvaluation evaluate_otus_run(const std::string& run_folder, const std::string& data,
                                    const OtusRunEvaluationOptions& options = {});

/// samples.h5 (the layout above) of an evaluation, its objects named by `z_objects` and
/// `x_objects`; `paired` says whether x_a is the truth of z_a row by row.
void write_otus_samples(const std::string& path, const OtusEvaluation& evaluation, const train::OtusModel& model,
                        const std::vector<std::string>& z_objects, const std::vector<std::string>& x_objects,
                        bool paired, const data::Attributes& attributes);

/// An ablation: one run per value of one or more configuration keys (all set to the same value).
struct OtusSweepOptions {
  OTAE_ARG(std::vector<std::string>, parameters, {});  ///< dotted keys, e.g. phases.0.weights.latent
  /// Numbers as typed ("0.1", "1e-3"): the overrides and the folder names use the text.
  OTAE_ARG(std::vector<std::string>, values, {});
  /// Axis label of the ablation figure; empty: the first parameter.
  OTAE_ARG(std::string, label, "");
  OTAE_ARG(int64_t, slices, 1000);  ///< L of the evaluations' sliced Wasserstein distances
  OTAE_ARG(train::OtusTrainOptions, training, train::OtusTrainOptions());
  OTAE_ARG(data::Attributes, provenance, {});
  /// Called after each run is trained and evaluated.
  OTAE_ARG(std::function<void(const OtusRunEvaluation&)>, on_run, nullptr);
  OTAE_ARG_PUBLIC
};

/// Trains and evaluates one run per value into `sweep_folder`/<key>_<value>/ from `base` (its
/// config, overrides and data; its folder is ignored), and writes sweep.json. Returns sweep.json's
/// contents. Throws ConfigError when parameters or values are empty or a value is not a number;
/// otherwise as train_otus_run and evaluate_otus_run.
nlohmann::json otus_sweep(const std::string& sweep_folder, const train::OtusRunFiles& base,
                          const OtusSweepOptions& options);

}  // namespace otae::analysis
