#include "otae/train/jet_classifier.hpp"

#include <torch/nn/functional/loss.h>

#include <string>

#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"
#include "otae/data/split.hpp"
#include "otae/nn/particle_flow_classifier.hpp"
#include "otae/train/flat_adam.hpp"

namespace otae::train {

void JetClassifierOptions::validate() const {
  network_.validate();
  if (epochs_ < 1) throw InvalidArgument("epochs must be >= 1, received " + std::to_string(epochs_));
  if (batch_size_ < 1) throw InvalidArgument("batch_size must be >= 1, received " + std::to_string(batch_size_));
  if (!(learning_rate_ > 0))
    throw InvalidArgument("learning_rate must be > 0, received " + shortest_decimal(learning_rate_));
}

JetClassifierResult train_jet_classifier(const VaeData& data, const at::Tensor& labels, const at::Tensor& train_rows,
                                         const at::Tensor& scored_rows, const JetClassifierOptions& options,
                                         const std::function<void(int64_t, double)>& on_epoch) {
  options.validate();
  if (!data.on_jets()) throw InvalidArgument("the jet classifier needs jets, not toy vectors");
  if (labels.dim() != 1 || labels.size(0) != data.size())
    throw InvalidArgument("labels must be [" + std::to_string(data.size()) + "], received " +
                          std::string(c10::str(labels.sizes())));
  const at::Tensor targets = labels.to(at::kFloat);
  if (!((targets == 0) | (targets == 1)).all().item<bool>()) throw InvalidArgument("labels must be 0 or 1");
  data::check_rows(train_rows, data.size(), "training rows");
  data::check_rows(scored_rows, data.size(), "scored rows");

  at::manual_seed(options.seed());
  nn::ParticleFlowClassifier classifier(options.network());
  FlatAdam adam(classifier->parameters(), torch::optim::AdamOptions(options.learning_rate()));
  JetClassifierResult result;
  for (int64_t epoch = 0; epoch < options.epochs(); ++epoch) {
    classifier->train();
    double loss_sum = 0.0;
    const auto batches = data::batch_slices(data::epoch_order(train_rows, options.seed(), epoch), options.batch_size());
    for (const at::Tensor& rows : batches) {
      adam.zero_grad();
      const at::Tensor loss = torch::nn::functional::binary_cross_entropy_with_logits(
          classifier->forward(data.batch(rows).inputs), targets.index_select(0, rows));
      loss.backward();
      adam.step();
      loss_sum += loss.item<double>();
    }
    result.training_loss.push_back(loss_sum / static_cast<double>(batches.size()));
    if (on_epoch) on_epoch(epoch, result.training_loss.back());
  }
  torch::NoGradGuard no_grad;
  classifier->eval();
  std::vector<at::Tensor> probabilities;
  for (const at::Tensor& rows : data::batch_slices(scored_rows, 1000))
    probabilities.push_back(at::sigmoid(classifier->forward(data.batch(rows).inputs)).to(at::kDouble));
  result.probabilities = at::cat(probabilities);
  return result;
}

}  // namespace otae::train
