// The β-annealing training loop. Every random stream of a β step (batch order, the ε of the
// reparameterisation in each shard of a batch) is seeded from (seed, step, attempt), and the
// validation ε from the seed alone, so the state to resume from is only the weights, the
// optimiser and the step index.
#include "otae/version.hpp"
#include "otae/train/vae_trainer.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <sstream>

#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/base/seed_streams.hpp"
#include "otae/base/threads.hpp"
#include "otae/data/split.hpp"
#include "otae/nn/latent_space.hpp"
#include "otae/train/checkpoint.hpp"
#include "otae/train/cpu_compute.hpp"
#include "otae/train/device.hpp"
#include "otae/train/distributed.hpp"
#include "otae/train/flat_adam.hpp"
#include "otae/train/plateau.hpp"
#include "otae/train/vae_data.hpp"
#include "otae/train/vae_loss.hpp"
#include "otae/train/vae_model.hpp"
#include "otae/train/vae_run_folder.hpp"
#include "otae/train/vae_step.hpp"

namespace otae::train {

namespace {

using Clock = std::chrono::steady_clock;

// Words naming the random streams derived from the seed.
constexpr uint64_t kStepStream = 1;
constexpr uint64_t kNoiseStream = 2;
constexpr uint64_t kValidationStream = 3;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// Training batches of one β step: passes over the training rows, each in a fresh seeded
/// order, cut into full batches (the < batch_size rows left over by a pass differ every pass).
class BatchStream {
 public:
  BatchStream(at::Tensor rows, uint64_t seed, int64_t batch_size)
      : rows_(std::move(rows)), seed_(seed), batch_size_(batch_size) {}

  at::Tensor next() {
    if (next_ == batches_.size()) {
      batches_ = data::batch_slices(data::epoch_order(rows_, seed_, pass_++), batch_size_, /*drop_last=*/true);
      next_ = 0;
    }
    return batches_[next_++];
  }

 private:
  at::Tensor rows_;
  uint64_t seed_;
  int64_t batch_size_;
  int64_t pass_ = 0;
  std::vector<at::Tensor> batches_;
  size_t next_ = 0;
};

/// Means of the loss terms over a set of rows.
struct Evaluation {
  double loss = 0.0, distortion = 0.0, kl = 0.0;
  double loss_standard_error = 0.0;  ///< of the mean over the validation rows
  std::vector<double> kl_per_dim, binary_kl_per_dim, circular_kl_per_dim;
};

std::vector<double> to_vector(const at::Tensor& values) {
  const at::Tensor v = values.to(at::kDouble).cpu().contiguous();
  return {v.data_ptr<double>(), v.data_ptr<double>() + v.numel()};
}

class Trainer {
 public:
  Trainer(const VaeConfig& config, const VaeRunFolder& folder, const TrainingObserver& observer)
      : config_(config), folder_(folder), observer_(observer) {
    config_.validate();
    device_ = resolve_device(config_.train.device(), "train.device");
    // Data-parallel: rank r computes its shards of every batch (distributed.hpp); only rank 0 reports.
    const ShardRange mine = parallel_.my_shards(kBatchShards);
    shards_ = {parallel_.shards(kBatchShards), mine.first, mine.count};
    const ShardCompute compute = mine.count > 1 ? shard_compute_threads(config_.train.threads())
                                                : ShardCompute{false, thread_count(config_.train.threads())};
    configure_cpu_compute(compute.intra_op_threads);
    // a GPU runs one shard's kernels at a time anyway: the shards follow each other there
    concurrent_shards_ = compute.concurrent_shards && device_.is_cpu();
    if (!parallel_.writes_files()) observer_ = {};
    at::manual_seed(config_.train.seed());
    data_ = std::make_unique<VaeData>(VaeData::load(config_.data));
    model_ = make_vae_model(config_);
    model_->module()->to(device_);  // before the optimiser, whose buffers are the parameters
    require_compatible(*model_, *data_, config_.data.source());
    split_ = data::split_rows(data_->size(), config_.split);
    check_split();
    if (config_.train.batch_size() < shards_.total)
      throw ConfigError("train.batch_size=" + std::to_string(config_.train.batch_size()) + " is smaller than the " +
                        std::to_string(parallel_.world_size()) + " processes of this run");
    energy_scale_ = data_->energy_scale(split_.train);
    schedule_ = beta_schedule(config_.schedule);
    // Keras's ε = 1e-7, as in the reference, rather than LibTorch's 1e-8.
    optimizer_ = std::make_unique<FlatAdam>(model_->module()->parameters(),
                                            torch::optim::AdamOptions(schedule_.front().learning_rate).eps(1e-7));
  }

  void start_fresh() {
    namespace fs = std::filesystem;
    // Without a checkpoint, an earlier start died before its first one: nothing to lose.
    if (fs::exists(folder_.last_checkpoint()))
      throw ConfigError(folder_.root() + " already holds a training run: continue it with --resume " + folder_.root() +
                        ", or train into another folder");
    share_root_parameters();
    completed_steps_ = 0;
    if (!parallel_.writes_files()) return;
    fs::create_directories(folder_.root());
    write_text_file(folder_.config_file(), "# otae vae: the resolved configuration of this run\n" + to_yaml(config_));
    write_text_file(folder_.schedule_file(), beta_schedule_csv(schedule_, energy_scale_));
    write_text_file(folder_.run_info_file(), run_info());
    write_text_file(folder_.epoch_log(), epoch_log_header() + "\n");
    write_text_file(folder_.step_log(), "");
    save_checkpoint(folder_.last_checkpoint(), *model_->module(), optimizer_.get(), CheckpointInfo{});
  }

  void restore() {
    completed_steps_ = load_checkpoint(folder_.last_checkpoint(), *model_->module(), optimizer_.get()).completed_steps;
    share_root_parameters();
    if (parallel_.writes_files()) truncate_logs(folder_, completed_steps_);
  }

  std::vector<BetaStepRecord> run() {
    if (observer_.on_start)
      observer_.on_start({schedule_, completed_steps_, config_.train.max_epochs(), split_.train.size(0),
                          split_.validation.size(0), energy_scale_, data_->on_jets()});
    std::vector<BetaStepRecord> records;
    for (int64_t k = completed_steps_; k < static_cast<int64_t>(schedule_.size()); ++k) {
      records.push_back(run_step_with_retries(k));
      finish_step(k, records.back());
    }
    return records;
  }

 private:
  /// Every rank starts from rank 0's weights (a no-op alone).
  void share_root_parameters() { parallel_.broadcast_from_root(model_->module()->parameters()); }

  void check_split() const {
    if (split_.train.size(0) < config_.train.batch_size())
      throw ConfigError("train.batch_size=" + std::to_string(config_.train.batch_size()) + " exceeds the " +
                        std::to_string(split_.train.size(0)) + " training rows of " + config_.data.source() +
                        " (lower the batch size, or raise data.max_rows or data.split.train)");
    if (split_.validation.size(0) == 0)
      throw ConfigError("no validation rows: data.split.validation=" + shortest_decimal(config_.split.validation()) +
                        " of " + std::to_string(data_->size()) + " rows; early stopping needs some");
  }

  std::string run_info() const {
    nlohmann::ordered_json info;
    info["otae_version"] = kVersion;
    info["model"] = model_->on_jets() ? "emd_vae" : "dense_vae";
    info["data_source"] = config_.data.source();
    info["rows"] = data_->size();
    info["row_width"] = data_->row_width();
    info["train_rows"] = split_.train.size(0);
    info["validation_rows"] = split_.validation.size(0);
    info["test_rows"] = split_.test.size(0);
    info["energy_scale_GeV"] = energy_scale_;
    info["latent_dim"] = model_->latent_dim();
    info["parameters"] = parameter_count();
    info["blas_kernels"] = blas_kernels();
    info["device"] = device_.str();
    info["schedule_steps"] = schedule_.size();
    return info.dump(2) + "\n";
  }

  int64_t parameter_count() const {
    int64_t count = 0;
    for (const auto& p : model_->module()->parameters()) count += p.numel();
    return count;
  }

  VaeBatch on_device(const VaeBatch& batch) const {
    return {to_device(batch.inputs, device_), to_device(batch.targets, device_)};
  }

  void set_learning_rate(double learning_rate) {
    for (auto& group : optimizer_->param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate);
  }

  BetaStepRecord run_step_with_retries(int64_t k) {
    for (int64_t attempt = 0;; ++attempt) {
      try {
        return run_step(k, attempt);
      } catch (const NonFiniteLoss& e) {
        if (attempt >= config_.train.max_nan_retries()) {
          std::ostringstream msg;
          msg << "beta step " << k << " (" << to_string(schedule_[k].phase)
              << ", beta_hat=" << shortest_decimal(schedule_[k].beta_hat) << ") went non-finite in " << attempt + 1
              << " attempts (train.max_nan_retries=" << config_.train.max_nan_retries() << "), the last: " << e.what()
              << "; the run stops with its last good checkpoint in " << folder_.last_checkpoint()
              << " (try a lower learning rate)";
          throw NumericalError(msg.str());
        }
        load_checkpoint(folder_.last_checkpoint(), *model_->module(), optimizer_.get());
        share_root_parameters();
      }
    }
  }

  BetaStepRecord run_step(int64_t k, int64_t attempt) {
    const BetaStep& step = schedule_[k];
    const auto start = Clock::now();
    const uint64_t step_seed = derive_seed(config_.train.seed(), {kStepStream, uint64_t(k), uint64_t(attempt)});
    std::vector<at::Generator> noise;
    for (int64_t shard = 0; shard < shards_.total; ++shard)
      noise.push_back(at::make_generator<at::CPUGeneratorImpl>(derive_seed(step_seed, {kNoiseStream, uint64_t(shard)})));
    BatchStream batches(split_.train, step_seed, config_.train.batch_size());
    ReduceLrOnPlateau plateau(step.learning_rate, config_.reduce_lr);
    EarlyStopping early_stopping(config_.early_stopping);
    set_learning_rate(step.learning_rate);

    EpochRecord epoch{k, attempt, step.phase, step.beta_hat, energy_scale_ * step.beta_hat};
    Evaluation validation;
    bool stopped_early = false;
    for (epoch.epoch = 0; epoch.epoch < config_.train.max_epochs(); ++epoch.epoch) {
      const auto epoch_start = Clock::now();
      epoch.learning_rate = plateau.learning_rate();
      const Evaluation training = train_epoch(k, epoch.epoch, step.beta_hat, batches, noise);
      validation = validate(step.beta_hat, config_.binary_kl.at_step(k));
      epoch.loss = training.loss;
      epoch.distortion = training.distortion;
      epoch.kl = training.kl;
      epoch.validation_loss = validation.loss;
      epoch.validation_distortion = validation.distortion;
      epoch.validation_kl = validation.kl;
      epoch.seconds = seconds_since(epoch_start);
      if (parallel_.writes_files()) append_epoch(folder_, epoch);
      if (observer_.on_epoch_end) observer_.on_epoch_end(epoch, *model_->module());
      set_learning_rate(plateau.update(validation.loss, validation.loss_standard_error));
      if (early_stopping.update(validation.loss, validation.loss_standard_error)) {
        ++epoch.epoch;
        stopped_early = true;
        break;
      }
    }
    return {k,
            step.phase,
            step.beta_hat,
            epoch.beta,
            epoch.epoch,
            stopped_early,
            attempt + 1,
            epoch.learning_rate,
            validation.loss,
            validation.distortion,
            validation.kl,
            validation.kl_per_dim,
            validation.binary_kl_per_dim,
            validation.circular_kl_per_dim,
            seconds_since(start)};
  }

  Evaluation train_epoch(int64_t k, int64_t epoch, double beta_hat, BatchStream& batches,
                         std::vector<at::Generator>& noise) {
    Evaluation mean;
    const int64_t steps = config_.train.steps_per_epoch();
    for (int64_t s = 0; s < steps; ++s) {
      const VaeBatch batch = on_device(data_->batch(batches.next()));
      optimizer_->zero_grad();
      VaeLossTerms terms;
      std::string failure;
      try {
        terms = accumulate_vae_gradient(*model_, batch, beta_hat, config_.binary_kl.at_step(k), noise, concurrent_shards_,
                                        shards_);
      } catch (const NonFiniteLoss& e) {
        failure = e.what();
      }
      // every rank learns of a failure on any, so that all retry the β step together
      if (parallel_.sum_gradients(model_->module()->parameters(), !failure.empty()))
        throw NonFiniteLoss((failure.empty() ? "a non-finite loss on another rank" : failure) + " at step " +
                            std::to_string(k) + ", epoch " + std::to_string(epoch) + ", batch " + std::to_string(s));
      optimizer_->step();
      mean.loss += terms.loss.item<double>() / steps;
      mean.distortion += terms.distortion.item<double>() / steps;
      mean.kl += terms.kl.item<double>() / steps;
    }
    std::vector<double> sums = {mean.loss, mean.distortion, mean.kl};  // each rank's shards' parts
    parallel_.sum(sums);
    mean.loss = sums[0], mean.distortion = sums[1], mean.kl = sums[2];
    return mean;
  }

  /// The loss terms over the whole validation set, with ε from the same stream every time so
  /// that epochs are compared on equal terms; the binary KL weighs binary_kl_weight in the loss.
  Evaluation validate(double beta_hat, double binary_kl_weight) {
    torch::NoGradGuard no_grad;
    at::Generator noise =
        at::make_generator<at::CPUGeneratorImpl>(derive_seed(config_.train.seed(), {kValidationStream}));
    const at::Tensor& rows = split_.validation;
    double distortion_sum = 0.0, loss_square_sum = 0.0;
    const auto sums = at::TensorOptions(at::kDouble).device(device_);
    at::Tensor kl_sum = at::zeros({model_->latent_dim()}, sums);
    at::Tensor binary_kl_sum = at::zeros({model_->mixed_latents().binary_dim()}, sums);
    at::Tensor circular_kl_sum = at::zeros({model_->mixed_latents().circular_dim()}, sums);
    for (const at::Tensor& chunk : data::batch_slices(rows, config_.train.validation_batch_size())) {
      const VaeBatch batch = on_device(data_->batch(chunk));
      const nn::LatentPosterior posterior = model_->encode(batch.inputs, noise);
      const at::Tensor distortion = model_->distortion(batch.targets, nn::sample_latent(posterior, noise));
      distortion_sum += distortion.sum().item<double>();
      const nn::LatentKl kl = nn::latent_kl_per_dim(posterior, model_->mixed_latents());
      const at::Tensor row_loss =
          distortion / (2.0 * beta_hat * beta_hat) + kl.weighted_sum(binary_kl_weight).to(at::kDouble);
      loss_square_sum += row_loss.square().sum().item<double>();
      kl_sum += kl.gaussian.to(at::kDouble).sum(0);
      if (kl.binary.defined()) binary_kl_sum += kl.binary.to(at::kDouble).sum(0);
      if (kl.circular.defined()) circular_kl_sum += kl.circular.to(at::kDouble).sum(0);
    }
    const double n = static_cast<double>(rows.size(0));
    Evaluation mean;
    mean.distortion = distortion_sum / n;
    const at::Tensor kl_mean = kl_sum / n, binary_kl_mean = binary_kl_sum / n, circular_kl_mean = circular_kl_sum / n;
    mean.kl_per_dim = to_vector(kl_mean);
    mean.binary_kl_per_dim = to_vector(binary_kl_mean);
    mean.circular_kl_per_dim = to_vector(circular_kl_mean);
    // Gaussian and circular KLs count in full, the binary ones weighted by α.
    const double full_kl = kl_mean.sum().item<double>() + circular_kl_mean.sum().item<double>();
    const double binary_kl = binary_kl_mean.sum().item<double>();
    mean.kl = full_kl + binary_kl;
    mean.loss = mean.distortion / (2.0 * beta_hat * beta_hat) + full_kl + binary_kl_weight * binary_kl;
    const double variance = n > 1 ? std::max(0.0, loss_square_sum / n - mean.loss * mean.loss) * n / (n - 1) : 0.0;
    mean.loss_standard_error = std::sqrt(variance / n);
    if (!std::isfinite(mean.loss))
      throw NonFiniteLoss("validation loss " + shortest_decimal(mean.loss) +
                          " at beta_hat=" + shortest_decimal(beta_hat));
    return mean;
  }

  /// Logs the step, keeps its weights, then checkpoints: a kill before the last checkpoint re-runs
  /// the step on resume, whose log entries the resume drops first and whose kept weights it
  /// overwrites with the same numbers.
  void finish_step(int64_t k, const BetaStepRecord& record) {
    completed_steps_ = k + 1;
    if (parallel_.writes_files()) {
      append_step(folder_, record);
      const CheckpointInfo info{k + 1, k, to_string(record.phase), record.beta_hat};
      save_checkpoint(folder_.step_checkpoint(k, info.phase, record.beta_hat), *model_->module(), nullptr, info);
      save_checkpoint(folder_.last_checkpoint(), *model_->module(), optimizer_.get(), info);
    }
    if (observer_.on_step_end) observer_.on_step_end(record);
  }

  VaeConfig config_;
  at::Device device_ = at::kCPU;
  VaeRunFolder folder_;
  TrainingObserver observer_;
  std::unique_ptr<VaeData> data_;
  std::unique_ptr<VaeModel> model_;
  data::Split split_;
  double energy_scale_ = 1.0;
  std::vector<BetaStep> schedule_;
  std::unique_ptr<FlatAdam> optimizer_;
  int64_t completed_steps_ = 0;
  bool concurrent_shards_ = false;
  DataParallel& parallel_ = data_parallel();
  BatchShards shards_;
};

}  // namespace

std::vector<BetaStepRecord> train_vae(const VaeConfig& config, const std::string& run_dir,
                                      const TrainingObserver& observer) {
  Trainer trainer(config, VaeRunFolder(run_dir), observer);
  trainer.start_fresh();
  return trainer.run();
}

std::vector<BetaStepRecord> resume_vae(const std::string& run_dir, const TrainingObserver& observer,
                                       const std::string& device) {
  const VaeRunFolder folder(run_dir);
  if (!std::filesystem::exists(folder.config_file()) || !std::filesystem::exists(folder.last_checkpoint()))
    throw IoError(run_dir + " holds no training run to resume (no config.yaml or checkpoints/last.pt)");
  VaeConfig config = load_vae_config(folder.config_file());
  if (!device.empty()) config.train.device(device);
  Trainer trainer(config, folder, observer);
  trainer.restore();
  return trainer.run();
}

}  // namespace otae::train
