// OTUS training speed on the CPU: one step = both generators forward on an unpaired batch, every
// loss term of the configuration's first phase (sliced Wasserstein, reconstruction, anchors,
// the binned mass term), backward and Adam. For the quick Z→ee and tt̄ configurations on their
// embedded samples, on 1 and 2 threads set up as the otae command does (configure_cpu_compute:
// LibTorch and OpenBLAS threads agree; keep_freed_memory). The reference, measured in the same run
// on the same batch and threads, is the paper's objective on the same generators (reconstruction,
// latent and data terms only: no mass term, no anchors); the ratio is what otae's extra terms cost.
// Prints events per second (batch over the median step time), that ratio, the ratio of 2 threads
// to 1, and the load average before the run: on a shared machine compare ratios, not rates.
#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <ATen/Context.h>
#include <torch/optim/adam.h>

#include "median_time.hpp"
#include "otae/data/event_pairs.hpp"
#include "otae/data/preprocessing_standardisation.hpp"
#include "otae/train/config_file.hpp"
#include "otae/train/cpu_compute.hpp"
#include "otae/train/otus_config.hpp"
#include "otae/train/otus_loss.hpp"

namespace {

namespace nn = otae::nn;
namespace train = otae::train;

/// Statistics from `from`'s columns to `to`'s 3-momentum columns, as the trainer fits them.
nn::GeneratorStatistics statistics_between(const at::Tensor& from, const at::Tensor& to) {
  const at::Tensor rows = at::arange(from.size(0), at::kLong);
  const auto f = otae::data::fit_standardisation(from, rows).to_tensors();
  const auto t = otae::data::fit_standardisation(to, rows).to_tensors();
  std::vector<int64_t> momentum;
  for (int64_t c = 0; c < to.size(1); ++c)
    if (c % 4 != 3) momentum.push_back(c);
  const at::Tensor columns = at::tensor(momentum, at::kLong);
  return {f[0], f[1], t[0].index_select(0, columns), t[1].index_select(0, columns)};
}

/// Events per second of training steps of configuration `name` on samples/<sample>_small.h5, with
/// the first phase's weights, or the paper's terms alone (`paper_terms`).
double events_per_second(const std::string& name, const std::string& sample, int threads, bool paper_terms) {
  otae::train::configure_cpu_compute(threads);
  const auto events = otae::data::load_event_pairs(std::string(OTAE_SOURCE_DIR) + "/samples/" + sample + "_small.h5");
  train::OtusConfig config = train::parse_otus_config(
      train::load_config_file(std::string(OTAE_SOURCE_DIR) + "/configs/otus/" + name + ".yaml"));
  train::resolve_objects(config, events.z().size(1) / 4, events.x().size(1) / 4);
  at::manual_seed(0);
  nn::OtusGenerator encoder(config.encoder, statistics_between(events.x(), events.z()));
  nn::OtusGenerator decoder(config.decoder, statistics_between(events.z(), events.x()));
  const train::OtusLossScales scales{events.z().std(0), events.x().std(0),
                                     train::total_invariant_mass(events.z()).std().item<double>(),
                                     train::total_invariant_mass(events.x()).std().item<double>()};
  std::vector<at::Tensor> parameters = encoder->parameters();
  for (const auto& p : decoder->parameters()) parameters.push_back(p);
  torch::optim::Adam adam(parameters, torch::optim::AdamOptions(config.phases.front().learning_rate));
  train::OtusLossWeights weights = config.phases.front().weights;
  if (paper_terms) weights = train::OtusLossWeights().reconstruction(1).latent(1).data(1);
  const int64_t batch = std::min<int64_t>(config.batch_size, events.size() / 2);
  // unpaired: z from the first rows, x from the next
  const auto b = events.unpaired_batch(at::arange(batch, at::kLong), at::arange(batch, 2 * batch, at::kLong));
  uint64_t step = 0;
  const double ms = median_ms(
      [&] {
        const auto terms = train::otus_loss(encoder, decoder, {b.z, b.x, {}, {}}, weights, config.loss, scales, ++step);
        adam.zero_grad();
        terms.total.backward();
        adam.step();
      },
      15);
  return static_cast<double>(batch) / (ms / 1000.0);
}

double load_average() {
  double load = -1;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1;
    std::fclose(f);
  }
  return load;
}

}  // namespace

int main() {
  otae::train::keep_freed_memory();  // as the otae command does, so that the rates are the CLI's
  std::printf("OTUS training step (quick configurations, embedded samples), CPU, configure_cpu_compute;\n"
              "reference: the paper's terms alone on the same generators, batch and threads; load average %.2f\n",
              load_average());
  std::printf("%-12s %7s %12s %12s %12s %8s\n", "config", "threads", "ev/s", "ref ev/s", "vs ref", "vs 1T");
  for (const auto& [name, sample] : {std::pair{"zee_quick", "zee"}, std::pair{"ttbar_quick", "ttbar"}}) {
    double one_thread = 0;
    for (int threads : {1, 2}) {
      const double reference = events_per_second(name, sample, threads, true);
      const double rate = events_per_second(name, sample, threads, false);
      if (threads == 1) one_thread = rate;
      std::printf("%-12s %7d %12.0f %12.0f %12.2f %8.2f\n", name, threads, rate, reference, rate / reference,
                  rate / one_thread);
      std::fflush(stdout);
    }
  }
  return 0;
}
