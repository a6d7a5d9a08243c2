// The OTUS trainer's observers for log.csv and the progress line; see otus_training_log.hpp.
#include "otae/train/otus_training_log.hpp"

#include <optional>

#include "otae/base/csv_log.hpp"
#include "otae/base/progress.hpp"

namespace otae::train {

const std::vector<std::string>& otus_log_columns() {
  static const std::vector<std::string> columns = {
      "phase", "epoch", "global_epoch", "learning_rate", "total", "reconstruction", "latent", "data", "encoder_anchor",
      "decoder_anchor", "paired", "mass", "transport", "simulated_pairs", "simulation_transport", "acceptance", "seconds", "validation_total",
      "validation_reconstruction", "validation_latent", "validation_data", "validation_mass", "validation_distance"};
  return columns;
}

std::vector<double> otus_log_row(const OtusEpochRecord& r) {
  const OtusTermValues& t = r.training;
  const OtusValidationValues& v = r.validation;
  return {static_cast<double>(r.phase), static_cast<double>(r.epoch), static_cast<double>(r.global_epoch),
          r.learning_rate, t.total, t.reconstruction, t.latent, t.data, t.encoder_anchor, t.decoder_anchor, t.paired,
          t.mass, t.transport, t.simulated_pairs, t.simulation_transport, r.acceptance, r.seconds, v.total, v.reconstruction, v.latent, v.data, v.mass, v.distance};
}

OtusTrainingObserver otus_log_writer(const std::string& path, bool append) {
  // shared: an observer is copied, the file stays open once
  auto log = std::make_shared<CsvLog>(path, otus_log_columns(), append);
  OtusTrainingObserver observer;
  observer.on_epoch_end = [log](const OtusEpochRecord& record) { log->write_row(otus_log_row(record)); };
  return observer;
}

OtusTrainingObserver otus_progress_line(const std::string& label) {
  auto meter = std::make_shared<std::optional<ProgressMeter>>();
  OtusTrainingObserver observer;
  observer.on_start = [meter, label](const OtusTrainingStart& start) { meter->emplace(label, "steps", start.steps); };
  observer.on_step_end = [meter](int64_t steps_done) { (*meter)->update(steps_done); };
  return observer;
}

}  // namespace otae::train
