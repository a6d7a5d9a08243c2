// What a training run records: one row per epoch (epochs.csv) and one JSON object per finished
// β step (beta_steps.jsonl), readable by pandas without otae. A resumed run first drops the
// entries of the steps it will run again, so that its logs read as an uninterrupted run's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "otae/train/beta_schedule.hpp"
#include "otae/train/vae_run_folder.hpp"

namespace otae::train {

/// One epoch of one β step. Training values are means over the epoch's batches; validation
/// values are over the whole validation set. Distortion D: Ŝ² [(HT·ΔR)²] for jets, ‖x − x̂‖²
/// for toy vectors; KL in nats, summed over latent directions; loss = D/(2β̂²) + KL.
struct EpochRecord {
  int64_t step = 0;
  /// 0, or the retry number after a NaN.
  int64_t attempt = 0;
  BetaPhase phase = BetaPhase::kProduction;
  double beta_hat = 0.0;
  /// β = ⟨HT⟩ β̂ in GeV (for toy vectors: β̂, in the data's units).
  double beta = 0.0;
  /// Epoch within the step, from 0.
  int64_t epoch = 0;
  double learning_rate = 0.0;
  double loss = 0.0, distortion = 0.0, kl = 0.0;
  double validation_loss = 0.0, validation_distortion = 0.0, validation_kl = 0.0;
  double seconds = 0.0;
};

/// One finished β step: its last epoch's validation values and KL per latent direction.
struct BetaStepRecord {
  int64_t step = 0;
  BetaPhase phase = BetaPhase::kProduction;
  double beta_hat = 0.0;
  double beta = 0.0;
  int64_t epochs = 0;
  /// true when the early-stopping rule ended the step, false when train.max_epochs did.
  bool stopped_early = false;
  int64_t attempts = 1;
  /// The learning rate of the last epoch.
  double learning_rate = 0.0;
  double validation_loss = 0.0, validation_distortion = 0.0, validation_kl = 0.0;
  /// [L]: ⟨KLᵢ⟩ of the Gaussian directions over the validation set, nats, in latent order.
  std::vector<double> kl_per_dim;
  /// [K]: the same for the binary variables (empty without them).
  std::vector<double> binary_kl_per_dim;
  /// [C]: the same for the circular directions (empty without them).
  std::vector<double> circular_kl_per_dim;
  double seconds = 0.0;
};

/// The header line of epochs.csv (no newline):
/// step,attempt,phase,beta_hat,beta_GeV,epoch,learning_rate,loss,distortion,kl,val_loss,val_distortion,val_kl,seconds
std::string epoch_log_header();
/// One row of epochs.csv (no newline), numbers in their shortest exact form.
std::string epoch_log_row(const EpochRecord& record);
/// One line of beta_steps.jsonl (no newline): a JSON object with the fields above
/// (beta as "beta_GeV"; binary_kl_per_dim and circular_kl_per_dim only when there are such variables).
std::string step_log_line(const BetaStepRecord& record);

/// Appends the record to the folder's log, flushed at once so a killed run loses nothing
/// written. The first append to a missing epochs.csv writes the header first.
void append_epoch(const VaeRunFolder& folder, const EpochRecord& record);
void append_step(const VaeRunFolder& folder, const BetaStepRecord& record);

/// Rewrites both logs atomically keeping only the entries of steps < completed_steps (and
/// dropping a last line torn by a kill).
void truncate_logs(const VaeRunFolder& folder, int64_t completed_steps);

}  // namespace otae::train
