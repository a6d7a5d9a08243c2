// How well a score separates two classes of a mixed sample whose labels were kept aside: ROC AUC
// (the Mann–Whitney statistic), the accuracy of a fixed cut and of the best cut. Applied to the
// posterior probability sigmoid(log α) of each binary latent variable of a categorical EMD-VAE at
// each kept β, and to a supervised classifier's probability as the baseline.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "otae/train/jet_classifier.hpp"

namespace otae::analysis {

/// ROC AUC of scores [N] against labels [N] (0/1, any dtype): the probability that a random row
/// of label 1 scores above a random row of label 0, ties counting ½ — the Mann–Whitney
/// U/(n₁n₀), from mid-ranks in float64. 1 − AUC is the AUC of the opposite orientation.
/// Throws InvalidArgument when the shapes are not [N] and [N], a score is not finite, a label is
/// neither 0 nor 1, or either class is empty.
double roc_auc(const at::Tensor& scores, const at::Tensor& labels);

/// A cut on a score and its accuracy.
struct ScoreCut {
  double threshold = 0.0;   ///< rows with score > threshold are called `label_above`
  int64_t label_above = 1;  ///< the label called above the cut (the other below it)
  double accuracy = 0.0;    ///< fraction of rows called right
};

/// The cut, in either orientation, with the highest accuracy; thresholds lie midway between
/// neighbouring distinct scores (or below them all, calling every row one label). Throws as
/// roc_auc.
ScoreCut best_cut(const at::Tensor& scores, const at::Tensor& labels);

/// A score's separation of the two labels.
struct ScoreSeparation {
  double auc = 0.0;
  /// Accuracy of calling label 1 when score > `fixed_cut.threshold`.
  ScoreCut fixed_cut;
  ScoreCut best;
  int64_t rows = 0, label_one_rows = 0;
};

/// AUC, the accuracy of the cut at `threshold` (label 1 above) and the best cut. Throws as roc_auc.
ScoreSeparation score_separation(const at::Tensor& scores, const at::Tensor& labels, double threshold = 0.5);

/// {"auc", "auc_either_orientation", "rows", "label_one_rows", "fixed_cut": {...}, "best_cut": {...}}
/// with each cut as {"threshold", "label_above", "accuracy"}.
nlohmann::json to_json(const ScoreSeparation& separation);

/// What the decoder does in one category: with binary variable `variable` held at `value` (0 or
/// 1; the other binary variables at their test-set mean, circular angles at 0), how far the decoded
/// jet moves per traversal step along each of the most informative Gaussian directions. A category
/// whose decoder ignores a direction (the talks' "a light jet ignores the substructure
/// directions") moves little along it.
struct CategoryDecoding {
  int64_t variable = 0;
  int64_t value = 0;
  std::vector<int64_t> directions;  ///< the Gaussian directions by decreasing held-out KL (≤ 3)
  /// [directions]: mean exact EMD [GeV] between neighbouring decoded jets of a 9-point traversal
  /// (spacing π/4 prior σ) along each direction; Euclidean distance in data units for toy vectors.
  std::vector<double> mean_step;
};

/// The binary latent variables of one kept β step against the labels.
struct BinaryLatentClassification {
  int64_t step = 0;
  double beta_hat = 0.0;
  std::string phase;
  /// [K]: the separation of sigmoid(log α) of each binary variable, label 1 called above ½.
  std::vector<ScoreSeparation> variables;
  /// [2K]: the decoder's behaviour with each binary variable at 0 and at 1.
  std::vector<CategoryDecoding> decoding;
};

/// For the run in `run_dir`, every production checkpoint (ascending in β̂; the last checkpoint
/// when none is kept): each binary variable's posterior probability sigmoid(log α) on the run's test rows
/// (its own split of `data_source`, read with the run's data options) against dataset
/// `labels_dataset` of that file. `data_source` empty means the run's own. Throws ConfigError when
/// the run has no binary variable or no test rows, IoError for a missing run, file or dataset,
/// InvalidArgument as roc_auc.
std::vector<BinaryLatentClassification> classify_with_binary_latents(const std::string& run_dir,
                                                                     const std::string& data_source,
                                                                     const std::string& labels_dataset);

/// {"step", "beta_hat", "phase", "variables": [to_json(...), …], "decoding_by_category":
/// [{"variable", "value", "directions", "mean_step"}, …]} (mean_step in GeV for jets).
nlohmann::json to_json(const BinaryLatentClassification& classification);

/// The supervised classifier's separation of the same test rows.
struct SupervisedBaseline {
  ScoreSeparation test;               ///< its P(label 1) on the run's test rows, cut at ½
  std::vector<double> training_loss;  ///< mean binary cross-entropy [nats] per epoch
  int64_t train_rows = 0;
};

/// Trains train::train_jet_classifier on the run's training rows of `data_source` (empty: the
/// run's own) with their labels and scores the test rows. The network is the run's encoder trunk
/// (options.network() is replaced by it); the other options are used as given. Throws as
/// classify_with_binary_latents (except that a run without binary variables is fine) and as
/// train_jet_classifier.
SupervisedBaseline supervised_baseline(const std::string& run_dir, const std::string& data_source,
                                       const std::string& labels_dataset, const train::JetClassifierOptions& options,
                                       const std::function<void(int64_t, double)>& on_epoch = {});

/// {"train_rows", "epochs", "training_loss": [...], "test": to_json(test)}.
nlohmann::json to_json(const SupervisedBaseline& baseline);

}  // namespace otae::analysis
