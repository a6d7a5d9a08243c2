// Training OTUS from unpaired events, and reading a trained run back.
//
// A run folder holds:
//   config.yaml           the resolved configuration (object counts and masses filled in)
//   run.json              data file, object names, split sizes, seed, device
//   checkpoint.pt         models, optimiser, RNG and position (phase, epoch), written atomically
//   phase_<i>_<name>.pt   the models at the end of phase i; .json beside it: that phase's summary
//   model.pt              the models at the end of the last phase
//   best.pt, best.json    the models with the lowest validation distance SW(z, E(x)) + SW(x, D(z)) +
//                         W₂²(M) (the mass term, otus_loss.hpp) so far (only when
//                         data.split.validation > 0), and where they were taken
//   log.csv               one row per epoch: loss terms, P̂_D(S), learning rate, seconds, and the
//                         same terms on the validation rows (fixed noise and directions)
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "otae/base/arg.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/nn/otus_generator.hpp"
#include "otae/train/otus_config.hpp"
#include "otae/train/otus_training_log.hpp"

namespace otae::train {

struct OtusTrainOptions {
  /// Continue from RUN/checkpoint.pt (same configuration) instead of starting afresh.
  OTAE_ARG(bool, resume, false);
  /// Stop after this many epochs of this call (0: run every phase to the end), leaving
  /// checkpoint.pt to resume from: training in slices of a CPU budget.
  OTAE_ARG(int64_t, epoch_limit, 0);
  /// Print a progress line (steps, rate, time left) on stderr.
  OTAE_ARG(bool, show_progress, true);
  /// Told of the start, every step and every epoch, after log.csv and the progress line are.
  OTAE_ARG(OtusTrainingObserver, observer, {});
  /// The detector-level file of an unpaired run (x from it, z from the data), for run.json.
  OTAE_ARG(std::string, x_data, "");
  /// Told what a caller should know before training starts (the sizes of unpaired samples), one
  /// line without a newline; empty: nobody is told.
  OTAE_ARG(std::function<void(const std::string&)>, notice, nullptr);
  OTAE_ARG_PUBLIC
};

/// A run as files name it: `otae otus train` and every run of a sweep.
struct OtusRunFiles {
  std::string config;                  ///< YAML configuration (configs/otus/*.yaml)
  std::vector<std::string> overrides;  ///< KEY=VALUE, applied in order
  std::string data;                    ///< HDF5 with z and x
  std::string x_data;                  ///< when not empty: x from this file, unpaired with data's z
  std::string folder;                  ///< the run folder
};

/// run.json: what a run was trained on, written when it starts.
struct OtusRunRecord {
  std::string data;    ///< the file of z, and of x unless x_data is set (absolute path)
  std::string x_data;  ///< the file of x of an unpaired run from two files; empty: data's own x
  int64_t z_objects = 0, x_objects = 0;
  int64_t train_events = 0, paired_events = 0, test_events = 0, validation_events = 0;
  int64_t steps_per_epoch = 0, batch_size = 0;
  std::string device = "cpu";  ///< where it trained (a run may resume on another)

  nlohmann::json to_json() const;
  /// RUN/run.json. Throws IoError naming the file when it is missing or not JSON, or naming the
  /// field that is missing or of the wrong type.
  static OtusRunRecord read(const std::string& run_folder);
};

/// The two trained generators and what they were trained with.
struct OtusModel {
  OtusConfig config;
  nn::OtusGenerator encoder{nullptr};  ///< x → z̃ (unfolding)
  nn::OtusGenerator decoder{nullptr};  ///< z → x̃ (simulation)
  OtusRunRecord run;                   ///< run.json
};

/// Trains on the rows of `events` chosen by config.split (training part only; the pairing of z
/// and x is never used except by the semi-supervised term on its paired_fraction of rows), phase
/// after phase, writing the run folder described above. `data_name` (the file) and the object
/// names go into run.json. Deterministic for a fixed seed on the CPU. Resuming skips finished
/// phases and epochs and restores the optimiser and RNG, so an interrupted run ends with the
/// same models as an uninterrupted one. Returns the trained models (evaluation mode); after an
/// epoch_limit stop, the models as they stand (no model.pt is written).
/// Throws ConfigError when resuming with a different configuration, IoError on file problems,
/// NumericalError when a loss turns NaN (naming the phase and epoch).
OtusModel train_otus(OtusConfig config, const data::EventPairs& events, const std::string& data_name,
                     const std::string& run_folder, const OtusTrainOptions& options = {});

/// train_otus on files: the configuration with its overrides, the events of `data` (or z of
/// `data` against x of `x_data`, unpaired: load_unpaired_events, seeded by the run's seed), the
/// files' absolute paths in run.json so that an evaluation recognises them from anywhere.
/// Throws as train_otus, and ConfigError or IoError naming a file that cannot be read.
OtusModel train_otus_run(const OtusRunFiles& files, OtusTrainOptions options = {});

/// Which models of a run folder to read.
enum class OtusCheckpoint {
  kFinal,  ///< model.pt, or checkpoint.pt for an unfinished run
  kBest,   ///< best.pt, the lowest validation distance
};

/// Reads a run folder: config.yaml, run.json and the chosen models, on `device` (resolve_device;
/// wherever the run was trained). The generators are in evaluation mode. Throws IoError naming
/// the missing file.
OtusModel load_otus_model(const std::string& run_folder, OtusCheckpoint which = OtusCheckpoint::kFinal,
                          const at::Device& device = at::kCPU);

/// Applies a generator to events [N, 4k] (GeV, any device) in batches without gradients, on the
/// generator's device, its noise drawn on the CPU (nn/noise.hpp) from a generator seeded by `seed`
/// (the same output twice, on any device, whatever LibTorch's global generator holds). Returns
/// [N, 4k'] float32 in host memory.
at::Tensor generate_events(nn::OtusGenerator& generator, const at::Tensor& events, uint64_t seed,
                           int64_t batch_size = 65536);

}  // namespace otae::train
