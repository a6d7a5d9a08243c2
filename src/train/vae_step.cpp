#include "otae/train/vae_step.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <future>
#include <memory>
#include <string>

#include <ATen/Parallel.h>

#include "otae/base/decimal.hpp"
#include "otae/base/threads.hpp"
#include "otae/data/distance_shards.hpp"
#include "otae/nn/latent_space.hpp"

namespace otae::train {

namespace {

/// The loss terms of one shard, each already weighed by the shard's share of the batch.
struct ShardTerms {
  double loss = 0, distortion = 0, kl = 0;
};

ShardTerms run_shard(VaeModel& model, const VaeBatch& batch, int64_t shard, int64_t shards, double beta_hat,
                     double binary_kl_weight, at::Generator& noise) {
  const int64_t rows = batch.inputs.size(0);
  const auto [first, end] = data::shard_rows(rows, shard, shards);
  const int64_t count = end - first;
  const nn::LatentPosterior posterior = model.encode(batch.inputs.narrow(0, first, count), noise);
  const at::Tensor z = nn::sample_latent(posterior, noise);
  const VaeLossTerms terms =
      vae_loss(model.distortion(batch.targets.narrow(0, first, count), z),
               nn::latent_kl_per_dim(posterior, model.mixed_latents()), beta_hat, binary_kl_weight);
  const double loss = terms.loss.item<double>();
  if (!std::isfinite(loss))
    throw NonFiniteLoss("loss " + shortest_decimal(loss) + " in shard " + std::to_string(shard) + " of " +
                        std::to_string(shards));
  const double share = static_cast<double>(count) / static_cast<double>(rows);
  (terms.loss * share).backward();
  return {share * loss, share * terms.distortion.item<double>(), share * terms.kl.item<double>()};
}

}  // namespace

VaeLossTerms accumulate_vae_gradient(VaeModel& model, const VaeBatch& batch, double beta_hat,
                                     double binary_kl_weight, std::vector<at::Generator>& noise,
                                     bool concurrent_shards, const BatchShards& mine) {
  const int64_t shards = std::min<int64_t>(mine.total, batch.inputs.size(0));
  const int64_t first = std::min(mine.first, shards), count = std::min(mine.first + mine.count, shards) - first;
  std::vector<ShardTerms> terms(count);
  if (!concurrent_shards || count < 2) {
    for (int64_t s = 0; s < count; ++s)
      terms[s] = run_shard(model, batch, first + s, shards, beta_hat, binary_kl_weight, noise[first + s]);
  } else {
    // The shards beyond the first run on ATen's inter-op pool, whose threads live as long as
    // the process: a thread started per step costs ~0.1 ms and starts with cold thread-local
    // state (the Sinkhorn's scratch, an allocator arena).
    std::vector<std::exception_ptr> errors(count);
    auto shard_job = [&](int64_t s) {
      try {
        terms[s] = run_shard(model, batch, first + s, shards, beta_hat, binary_kl_weight, noise[first + s]);
      } catch (...) {
        errors[s] = std::current_exception();
      }
    };
    std::vector<std::future<void>> done;
    for (int64_t s = 1; s < count; ++s) {
      auto finished = std::make_shared<std::promise<void>>();
      done.push_back(finished->get_future());
      at::launch([&shard_job, s, finished] {
        shard_job(s);
        finished->set_value();
      });
    }
    shard_job(0);
    for (std::future<void>& shard : done) shard.wait();
    for (const std::exception_ptr& error : errors)
      if (error) std::rethrow_exception(error);
  }
  // Summed in shard order, so the logged values do not depend on which shard finished first.
  ShardTerms total;
  for (const ShardTerms& t : terms) total.loss += t.loss, total.distortion += t.distortion, total.kl += t.kl;
  const auto scalar = [](double value) { return at::scalar_tensor(value, at::kDouble); };
  return {scalar(total.loss), scalar(total.distortion), scalar(total.kl)};
}

ShardCompute shard_compute_threads(int64_t threads) {
  const int64_t cores = thread_count(threads);
  if (cores < kBatchShards) return {false, cores};
  return {true, cores / kBatchShards};
}

}  // namespace otae::train
