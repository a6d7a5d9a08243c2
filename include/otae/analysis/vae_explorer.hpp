// The model side of `otae explore` on an EMD-VAE run: for each kept checkpoint, the latent
// directions worth a slider (ordered by KL, each with its KL and the physics quantity it encodes),
// the encodings of held-out jets, the jet decoded at any latent point and the held-out jet
// nearest to it by exact EMD. The face (apps/otae/explore_*) only serves and draws these.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "otae/analysis/vae_held_out.hpp"
#include "otae/base/arg.hpp"
#include "otae/train/vae_run.hpp"
#include "otae/train/vae_run_folder.hpp"

namespace otae::analysis {

struct VaeExplorerOptions {
  /// Held-out jets (the first ones) that are encoded for the density and searched for the
  /// nearest jet; one exact EMD each per search, ~0.17 ms apiece on one core for 50 particles
  /// (0.17 s for 1,000 jets).
  OTAE_ARG(int64_t, held_out_jets, 1000);
  /// Threads of the nearest-jet search (0: every core).
  OTAE_ARG(int64_t, threads, 0);
  /// Gaussian directions shown at least, the next by KL when fewer are informative, so that the
  /// density has two axes.
  OTAE_ARG(int64_t, min_directions, 2);
  OTAE_ARG_PUBLIC
};

/// A Gaussian latent direction as the explorer shows it.
struct ExplorerDirection {
  int64_t index = 0;        ///< the direction's index in [0, L)
  double kl = 0.0;          ///< ⟨KL⟩ over the held-out jets [nats]
  bool informative = false;  ///< kl > kInformativeKlThreshold
  std::string quantity;     ///< the physics quantity of largest mutual information ("eta", "sin(phi)", …)
  double mutual_information = 0.0;  ///< with that quantity [nats]
  double spearman = 0.0;            ///< with that quantity
};

/// What the explorer knows of one kept checkpoint.
struct ExplorerCheckpoint {
  train::StepCheckpoint checkpoint;  ///< step, phase, β̂ (exact, from the checkpoint), path
  double beta = 0.0;                 ///< β̂·⟨HT⟩ [GeV]
  int64_t latent_dim = 0, binary_dim = 0, circular_dim = 0;  ///< L, K, C
  std::vector<ExplorerDirection> directions;  ///< by decreasing KL: the informative ones (at least min_directions)
  std::vector<double> binary_kl, circular_kl;  ///< [K], [C] ⟨KL⟩ [nats]
  at::Tensor encoded;  ///< [N, L] float32: the posterior mean μ of each held-out jet
  /// [L + K + C] float64: where the page starts: μ = 0, each binary variable at the value its
  /// posterior median takes most often (0 or 1), each angle at 0 [rad].
  at::Tensor origin;
};

/// A jet the explorer shows: its particles [M, 3] float64 (pT/HT, η, φ), as `otae vae decode`
/// writes them; pT [GeV] is pT/HT·⟨HT⟩.
struct ExplorerJet {
  at::Tensor particles;
  /// [L + K + 2C] float32: the decoder's input (nn::sample_latent's layout) for a decoded jet.
  at::Tensor decoder_input;
};

/// The held-out jet nearest to a decoded one.
struct NearestJet {
  int64_t held_out_index = 0;  ///< index into the held-out jets (the rows of ExplorerCheckpoint::encoded)
  int64_t file_row = 0;        ///< its row in the data file
  double emd = 0.0;            ///< exact EMD of the pT/HT jets × ⟨HT⟩ [GeV], the run's ground distance
  at::Tensor particles;        ///< [M, 3] float64 (pT/HT, η, φ), prepared as the run prepared its rows
};

class VaeExplorer {
 public:
  /// Reads the run folder (config.yaml, the kept step checkpoints) and its held-out jets.
  /// Throws IoError naming `run_dir` when it holds no run or no kept checkpoint, ConfigError when
  /// the run is not on jets (toy vectors have no jet to draw).
  explicit VaeExplorer(const std::string& run_dir, const VaeExplorerOptions& options = {});
  ~VaeExplorer();

  /// The kept checkpoints in training order.
  const std::vector<train::StepCheckpoint>& checkpoints() const { return checkpoints_; }
  /// ⟨HT⟩ of the held-out jets [GeV]: the unit of β and of the EMDs.
  double energy_scale() const { return energy_scale_; }
  /// Held-out jets searched and encoded.
  int64_t held_out_jets() const { return held_out_.rows.numel(); }

  /// The checkpoint of β step `step`, evaluated on first use (encodings, KL, latent ↔ physics)
  /// and kept. Throws InvalidArgument naming the kept steps when `step` has none.
  const ExplorerCheckpoint& checkpoint(int64_t step);

  /// The jet decoded at `point` [L + K + C]: Gaussian coordinates, binary values in [0, 1],
  /// angles [rad]. Throws InvalidArgument when the length is wrong, a value is not finite or a
  /// binary value is outside [0, 1], and as `checkpoint`.
  ExplorerJet decode(int64_t step, const std::vector<double>& point);

  /// The held-out jet nearest to `jet` ([M, 3] pT/HT, η, φ) by exact EMD. Reads only what the
  /// constructor read, so it may run beside the other calls (the server does not hold a decode
  /// back while it searches).
  NearestJet nearest(const at::Tensor& jet) const;

 private:
  train::TrainedVae& model(int64_t step);
  ExplorerCheckpoint evaluate(int64_t step);

  VaeExplorerOptions options_;
  std::string run_dir_;
  std::vector<train::StepCheckpoint> checkpoints_;
  train::VaeConfig config_;
  VaeHeldOut held_out_;
  at::Tensor targets_;  ///< [N, M, 3] the held-out jets (pT/HT, η, φ)
  std::vector<PhysicsQuantity> quantities_;
  double energy_scale_ = 1.0;
  std::map<int64_t, std::unique_ptr<train::TrainedVae>> models_;
  std::map<int64_t, ExplorerCheckpoint> evaluated_;
};

}  // namespace otae::analysis
