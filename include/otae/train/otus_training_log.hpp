// What an OTUS training call reports as it goes: its start, every optimiser step and every epoch,
// to observers; two of them write the run's log.csv and the progress line on stderr, and a
// caller (a command, a test) may add its own.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace otae::train {

/// Where a call of train_otus starts.
struct OtusTrainingStart {
  int64_t phase = 0, epoch = 0;  ///< the position it starts from (phase index, epoch within it)
  bool resuming = false;
  int64_t steps_per_epoch = 0;
  /// Optimiser steps this call will take: the epochs left, or fewer under an epoch limit.
  int64_t steps = 0;
};

/// The loss terms of otus_loss.hpp (OtusLossTerms), dimensionless; NaN: a term not computed.
struct OtusTermValues {
  double total = 0, reconstruction = 0, latent = 0, data = 0, encoder_anchor = 0, decoder_anchor = 0, paired = 0,
         mass = 0, transport = 0, simulated_pairs = 0, simulation_transport = 0;
};

/// The validation rows' terms (fixed noise and directions): total with the phase's weights, the
/// distribution terms, and the selection distance latent + data + mass that picks best.pt. NaN
/// without validation rows.
struct OtusValidationValues {
  double total = 0, reconstruction = 0, latent = 0, data = 0, mass = 0, distance = 0;
};

/// One epoch, one row of log.csv.
struct OtusEpochRecord {
  int64_t phase = 0, epoch = 0;  ///< phase index and epoch within it, from 0
  int64_t global_epoch = 0;      ///< epochs of the earlier phases + epoch
  double learning_rate = 0;
  OtusTermValues training;       ///< means over the epoch's steps
  double acceptance = 1;         ///< mean P̂_D(S) over the steps
  double seconds = 0;            ///< wall-clock time of the epoch's steps
  OtusValidationValues validation;
};

/// Callbacks of one training call, each may be empty. Only the process that writes the run
/// folder (rank 0 of a data-parallel run) calls them.
struct OtusTrainingObserver {
  std::function<void(const OtusTrainingStart&)> on_start;
  /// The optimiser steps this call has taken so far.
  std::function<void(int64_t steps_done)> on_step_end;
  std::function<void(const OtusEpochRecord&)> on_epoch_end;
};

/// The columns of log.csv, in order: phase, epoch, global_epoch, learning_rate, the training
/// terms, acceptance, seconds, validation_ + the validation values.
const std::vector<std::string>& otus_log_columns();

/// The record as a row of log.csv (otus_log_columns' order).
std::vector<double> otus_log_row(const OtusEpochRecord& record);

/// Writes every epoch's row to the log.csv at `path`, flushed at once; `append` keeps the rows
/// of the call before (a resumed run). Throws IoError as CsvLog.
OtusTrainingObserver otus_log_writer(const std::string& path, bool append);

/// A progress line on stderr over the steps of this call, labelled `label`.
OtusTrainingObserver otus_progress_line(const std::string& label);

}  // namespace otae::train
