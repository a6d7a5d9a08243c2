#include "otae/analysis/classification.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "otae/analysis/kl_spectrum.hpp"
#include "otae/analysis/traversal.hpp"
#include "otae/base/error.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/split.hpp"
#include "otae/train/vae_run.hpp"
#include "otae/train/vae_run_folder.hpp"

namespace otae::analysis {

namespace {

/// Scores and labels as float64 and int64 [N], checked.
struct LabelledScores {
  at::Tensor scores, labels;
  int64_t ones = 0;
};

LabelledScores checked(const at::Tensor& scores, const at::Tensor& labels) {
  if (scores.dim() != 1 || labels.dim() != 1 || scores.size(0) != labels.size(0))
    throw InvalidArgument("scores and labels must be [N] and [N], received " + std::string(c10::str(scores.sizes())) +
                          " and " + std::string(c10::str(labels.sizes())));
  LabelledScores s{scores.to(at::kDouble).cpu().contiguous(), labels.cpu().to(at::kDouble)};
  if (!at::isfinite(s.scores).all().item<bool>()) throw InvalidArgument("scores contain NaN or inf");
  if (!((s.labels == 0) | (s.labels == 1)).all().item<bool>()) throw InvalidArgument("labels must be 0 or 1");
  s.labels = s.labels.to(at::kLong).contiguous();
  s.ones = s.labels.sum().item<int64_t>();
  if (s.ones == 0 || s.ones == s.labels.size(0))
    throw InvalidArgument("both labels must occur among the " + std::to_string(s.labels.size(0)) + " rows");
  return s;
}

nlohmann::json to_json(const ScoreCut& cut) {
  return {{"threshold", cut.threshold}, {"label_above", cut.label_above}, {"accuracy", cut.accuracy}};
}

/// The run's data (with `data_source` in place of its own when given), its split and the labels.
/// The rows in ascending order of score, contiguous, for the walks over ranks and cuts.
LabelledScores ascending(const LabelledScores& s) {
  const at::Tensor order = s.scores.argsort();
  return {s.scores.index_select(0, order).contiguous(), s.labels.index_select(0, order).contiguous(), s.ones};
}

struct RunRows {
  train::TrainedVae trained;
  std::unique_ptr<train::VaeData> data;
  data::Split split;
  at::Tensor labels;
};

RunRows run_rows(const std::string& run_dir, const std::string& step, const std::string& data_source,
                 const std::string& labels_dataset) {
  RunRows r{train::load_trained_vae(run_dir, step), nullptr, {}, {}};
  train::VaeDataOptions options = r.trained.config.data;
  if (!data_source.empty()) options.source(data_source);
  r.data = std::make_unique<train::VaeData>(train::VaeData::load(options));
  train::require_compatible(*r.trained.model, *r.data, options.source());
  r.split = data::split_rows(r.data->size(), r.trained.config.split);
  if (r.split.test.size(0) == 0)
    throw ConfigError(run_dir + ": its split (data.split.test=0) leaves no test rows to classify");
  at::Tensor labels = data::read_array(options.source(), labels_dataset);
  if (options.max_rows() > 0 && labels.size(0) > options.max_rows()) labels = labels.narrow(0, 0, options.max_rows());
  if (labels.dim() != 1 || labels.size(0) != r.data->size())
    throw IoError(options.source() + ": dataset '" + labels_dataset + "' must be [" + std::to_string(r.data->size()) +
                  "] labels, one per row, received " + std::string(c10::str(labels.sizes())));
  r.labels = labels;
  return r;
}

/// Mean distance between neighbouring rows of decoded [G, …]: exact EMD × ⟨HT⟩ [GeV] for jets
/// (pT/HT, η, φ), Euclidean for vectors.
double mean_traversal_step(const at::Tensor& decoded, bool jets, double energy_scale) {
  if (jets) return traversal_emds(decoded).front().mean().item<double>() * energy_scale;
  const at::Tensor x = decoded.to(at::kDouble);
  const int64_t g = x.size(0);
  return (x.narrow(0, 1, g - 1) - x.narrow(0, 0, g - 1)).norm(2, -1).mean().item<double>();
}

std::vector<CategoryDecoding> decoding_by_category(train::VaeModel& model, const nn::LatentPosterior& posterior,
                                                   const at::Tensor& test_rows, double energy_scale) {
  const int64_t latent_dim = model.latent_dim(), circular = model.mixed_latents().circular_dim();
  const KlSpectrum spectrum = kl_spectrum(posterior.gaussian.mean.index_select(0, test_rows),
                                          posterior.gaussian.log_variance.index_select(0, test_rows));
  std::vector<int64_t> directions = rank_directions(spectrum.kl);
  directions.resize(std::min<size_t>(directions.size(), 3));
  const at::Tensor binary_mean = posterior.binary_sample.index_select(0, test_rows).mean(0);
  std::vector<CategoryDecoding> result;
  for (int64_t k = 0; k < binary_mean.size(0); ++k) {
    for (int64_t value : {0, 1}) {
      at::Tensor binary = binary_mean.clone();
      binary[k] = static_cast<double>(value);
      const at::Tensor held = at::cat({binary, at::ones({circular}), at::zeros({circular})}).to(at::kFloat);
      CategoryDecoding category{k, value, directions, {}};
      for (int64_t direction : directions) {
        const at::Tensor grid = traversal_grid(latent_dim, {direction});
        const at::Tensor codes = at::cat({grid, held.expand({grid.size(0), -1})}, 1);
        const at::Tensor decoded = train::decode_latents(model, codes).front().values;
        category.mean_step.push_back(mean_traversal_step(decoded, model.on_jets(), energy_scale));
      }
      result.push_back(std::move(category));
    }
  }
  return result;
}

BinaryLatentClassification classify_step(const std::string& run_dir, const std::string& step,
                                         const std::string& data_source, const std::string& labels_dataset) {
  RunRows r = run_rows(run_dir, step, data_source, labels_dataset);
  if (r.trained.model->mixed_latents().binary_dim() == 0)
    throw ConfigError(run_dir + " has no binary latent variable to classify with (model.binary.priors is empty)");
  const nn::LatentPosterior posterior = train::encode_rows(*r.trained.model, *r.data);
  const at::Tensor probability = at::sigmoid(posterior.binary_log_alpha.to(at::kDouble)).index_select(0, r.split.test);
  const at::Tensor labels = r.labels.index_select(0, r.split.test);
  BinaryLatentClassification result{
      r.trained.checkpoint.step, r.trained.checkpoint.beta_hat, r.trained.checkpoint.phase, {}};
  for (int64_t k = 0; k < probability.size(1); ++k)
    result.variables.push_back(score_separation(probability.select(1, k), labels));
  result.decoding =
      decoding_by_category(*r.trained.model, posterior, r.split.test, r.data->energy_scale(r.split.test));
  return result;
}

std::string beta_hat_text(double beta_hat) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", beta_hat);
  return text;
}

}  // namespace

double roc_auc(const at::Tensor& scores, const at::Tensor& labels) {
  const LabelledScores s = ascending(checked(scores, labels));
  const int64_t n = s.scores.size(0);
  const double* sorted_scores = s.scores.data_ptr<double>();
  const int64_t* label = s.labels.data_ptr<int64_t>();
  // Σ of the mid-ranks (from 1) of the label-1 rows; a run of tied scores shares its mean rank.
  double rank_sum = 0.0;
  for (int64_t start = 0; start < n;) {
    int64_t end = start;
    int64_t ones = 0;
    while (end < n && sorted_scores[end] == sorted_scores[start]) ones += label[end++];
    rank_sum += ones * 0.5 * static_cast<double>(start + 1 + end);
    start = end;
  }
  const double n1 = static_cast<double>(s.ones), n0 = static_cast<double>(n - s.ones);
  return (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0);
}

ScoreCut best_cut(const at::Tensor& scores, const at::Tensor& labels) {
  const LabelledScores s = ascending(checked(scores, labels));
  const int64_t n = s.scores.size(0);
  const double* score = s.scores.data_ptr<double>();
  const int64_t* label = s.labels.data_ptr<int64_t>();
  // Walking the cut up through the sorted scores: right = rows called right when label 1 is
  // above the cut (zeros below it plus ones above it).
  int64_t right = s.ones;
  ScoreCut best{0.0, 1, -1.0};
  auto consider = [&](double threshold) {
    const double above_is_one = static_cast<double>(right) / n;
    if (above_is_one > best.accuracy) best = {threshold, 1, above_is_one};
    if (1.0 - above_is_one > best.accuracy) best = {threshold, 0, 1.0 - above_is_one};
  };
  consider(score[0] - 1.0);
  for (int64_t i = 0; i < n; ++i) {
    right += label[i] == 0 ? 1 : -1;
    if (i + 1 < n && score[i + 1] == score[i]) continue;
    consider(i + 1 < n ? 0.5 * (score[i] + score[i + 1]) : score[i] + 1.0);
  }
  return best;
}

ScoreSeparation score_separation(const at::Tensor& scores, const at::Tensor& labels, double threshold) {
  const LabelledScores s = checked(scores, labels);
  ScoreSeparation result;
  result.auc = roc_auc(s.scores, s.labels);
  result.rows = s.scores.size(0);
  result.label_one_rows = s.ones;
  const at::Tensor called_one = s.scores > threshold;
  result.fixed_cut = {threshold, 1, called_one.eq(s.labels.to(at::kBool)).to(at::kDouble).mean().item<double>()};
  result.best = best_cut(s.scores, s.labels);
  return result;
}

nlohmann::json to_json(const ScoreSeparation& separation) {
  return {{"auc", separation.auc},
          {"auc_either_orientation", std::max(separation.auc, 1.0 - separation.auc)},
          {"rows", separation.rows},
          {"label_one_rows", separation.label_one_rows},
          {"fixed_cut", to_json(separation.fixed_cut)},
          {"best_cut", to_json(separation.best)}};
}

std::vector<BinaryLatentClassification> classify_with_binary_latents(const std::string& run_dir,
                                                                     const std::string& data_source,
                                                                     const std::string& labels_dataset) {
  std::vector<BinaryLatentClassification> results;
  for (const auto& [beta_hat, path] : train::VaeRunFolder(run_dir).production_checkpoints())
    results.push_back(classify_step(run_dir, beta_hat_text(beta_hat), data_source, labels_dataset));
  if (results.empty()) results.push_back(classify_step(run_dir, "last", data_source, labels_dataset));
  return results;
}

nlohmann::json to_json(const BinaryLatentClassification& classification) {
  nlohmann::json variables = nlohmann::json::array();
  for (const ScoreSeparation& v : classification.variables) variables.push_back(to_json(v));
  nlohmann::json decoding = nlohmann::json::array();
  for (const CategoryDecoding& c : classification.decoding)
    decoding.push_back(
        {{"variable", c.variable}, {"value", c.value}, {"directions", c.directions}, {"mean_step", c.mean_step}});
  return {{"step", classification.step},
          {"beta_hat", classification.beta_hat},
          {"phase", classification.phase},
          {"variables", variables},
          {"decoding_by_category", decoding}};
}

SupervisedBaseline supervised_baseline(const std::string& run_dir, const std::string& data_source,
                                       const std::string& labels_dataset, const train::JetClassifierOptions& options,
                                       const std::function<void(int64_t, double)>& on_epoch) {
  RunRows r = run_rows(run_dir, "last", data_source, labels_dataset);
  train::JetClassifierOptions with_trunk = options;
  with_trunk.network(r.trained.config.model.emd_vae().encoder());
  const train::JetClassifierResult trained =
      train::train_jet_classifier(*r.data, r.labels, r.split.train, r.split.test, with_trunk, on_epoch);
  return {score_separation(trained.probabilities, r.labels.index_select(0, r.split.test)), trained.training_loss,
          r.split.train.size(0)};
}

nlohmann::json to_json(const SupervisedBaseline& baseline) {
  return {{"train_rows", baseline.train_rows},
          {"epochs", baseline.training_loss.size()},
          {"training_loss", baseline.training_loss},
          {"test", to_json(baseline.test)}};
}

}  // namespace otae::analysis
