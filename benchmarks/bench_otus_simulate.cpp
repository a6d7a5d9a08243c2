// OTUS decoder as a detector simulation: events per second on the CPU, for the paper's Z→ee
// generator (MLP 128, conditional noise) and tt̄ generator (K = 64 skip block, fixed noise), in
// batches of 1,000 to 100,000 events, on one and two threads. The reference is the full
// generator + detector chain at about 60 accepted Z→ee events per second per core (the issue's
// figure); the table gives each case's events per second of wall time and of CPU time, and the
// ratio of the latter to the chain's per-core rate. Weights are
// freshly initialised (the cost does not depend on their values); set OTAE_OTUS_RUN to a run
// folder to time that run's decoder instead.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include "otae/data/event_pairs.hpp"
#include "otae/data/preprocessing_standardisation.hpp"
#include "otae/train/otus_training.hpp"

namespace {

namespace nn = otae::nn;

constexpr double kChainEventsPerSecondPerCore = 60.0;

struct Case {
  std::string sample;
  nn::OtusGenerator decoder{nullptr};
  at::Tensor z;  // parton events of the embedded sample, tiled to 100,000 rows
};

nn::GeneratorStatistics statistics_of(const at::Tensor& z, const at::Tensor& x) {
  const at::Tensor rows = at::arange(z.size(0), at::kLong);
  const auto zs = otae::data::fit_standardisation(z, rows).to_tensors();
  const auto xs = otae::data::fit_standardisation(x, rows).to_tensors();
  std::vector<int64_t> momentum;
  for (int64_t c = 0; c < x.size(1); ++c)
    if (c % 4 != 3) momentum.push_back(c);
  const at::Tensor columns = at::tensor(momentum, at::kLong);
  return {zs[0], zs[1], xs[0].index_select(0, columns), xs[1].index_select(0, columns)};
}

Case make_case(const std::string& sample) {
  const auto events = otae::data::load_event_pairs(std::string(OTAE_SOURCE_DIR) + "/samples/" + sample + "_small.h5");
  const int64_t k = events.z().size(1) / 4;
  Case c{sample, nullptr, events.z().repeat({100000 / events.size() + 1, 1}).narrow(0, 0, 100000).contiguous()};
  if (const char* run = std::getenv("OTAE_OTUS_RUN"); run && sample == "zee") {
    c.decoder = otae::train::load_otus_model(run).decoder;
    return c;
  }
  auto options = nn::OtusGeneratorOptions().input_objects(k).output_objects(k).output_masses(std::vector<double>(k, 0.0));
  if (sample == "ttbar")
    options.architecture(nn::GeneratorArchitecture::kResidual).hidden(64).noise(nn::GeneratorNoise::kFixed).input_residual(true);
  c.decoder = nn::OtusGenerator(options, statistics_of(events.z(), events.x()));
  c.decoder->eval();
  return c;
}

std::map<std::string, Case>& cases() {
  static std::map<std::string, Case> all = {{"zee", make_case("zee")}, {"ttbar", make_case("ttbar")}};
  return all;
}

/// Per case: events per second of wall time and per second of CPU time (the per-core figure
/// that survives a machine shared with other jobs; the calling thread's CPU time, so meaningful
/// for threads = 1 only).
std::map<std::string, std::pair<double, double>>& rates() {
  static std::map<std::string, std::pair<double, double>> r;
  return r;
}

void simulate(benchmark::State& state, const std::string& sample) {
  const int64_t batch = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  at::set_num_threads(threads);
  Case& c = cases().at(sample);
  const at::Tensor z = c.z.narrow(0, 0, batch);
  torch::NoGradGuard no_grad;
  at::manual_seed(0);
  for (auto _ : state) benchmark::DoNotOptimize(c.decoder->forward(z));
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  for (const std::string sample : {"zee", "ttbar"})
    for (int64_t batch : {1000, 10000, 100000})
      for (int64_t threads : {1, 2})
        benchmark::RegisterBenchmark(("simulate/" + sample).c_str(), simulate, sample)
            ->Args({batch, threads})
            ->ArgNames({"batch", "threads"})
            ->UseRealTime()
            ->MinTime(0.5);
}

/// Prints the events/s table with the ratio to the full chain's per-core rate.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      const double wall = run.counters.at("events/s").value;
      rates()[run.benchmark_name()] = {wall, wall * run.real_accumulated_time / run.cpu_accumulated_time};
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-64s %12s %14s %14s\n", "case", "events/s", "events/CPU-s", "x chain/core");
    for (const auto& [name, rate] : rates())
      std::printf("%-64s %12.4g %14.4g %14.4g\n", name.c_str(), rate.first, rate.second,
                  rate.second / kChainEventsPerSecondPerCore);
  }
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  register_all();
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
