// Sliced Wasserstein at the OTUS training scale: B = 20,000 samples a side, L = 1,000 slices,
// D = 8 and 24, float32, forward and forward+backward, on one and two threads. The reference is
// the plain computation in the same run: every slice projected at once, at::sort over all of them,
// the mean squared gap, and autograd for the backward pass. After the runs a table gives each
// backend's time and its speed-up over the reference (reference time / backend time).
#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/autograd.h>

#include "otae/ot/sliced_wasserstein.hpp"

namespace {

namespace ot = otae::ot;

constexpr int64_t kSamples = 20000;
constexpr int64_t kSlices = 1000;
constexpr int64_t kDimensions[] = {8, 24};
constexpr int kThreads[] = {1, 2};
const char* const kImplementations[] = {"reference", "tensor", "fused"};
const char* const kModes[] = {"forward", "forward+backward"};

struct Problem {
  at::Tensor x, y, directions;
};

/// Gaussian samples a side, the second shifted and wider, and fixed directions shared by all.
Problem make_problem(int64_t dimension) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(2024);
  const auto options = at::TensorOptions().dtype(at::kFloat);
  Problem p;
  p.x = at::randn({kSamples, dimension}, generator, options);
  p.y = 0.3 + 1.2 * at::randn({kSamples, dimension}, generator, options);
  p.directions = ot::random_directions(kSlices, dimension, 7).to(at::kFloat);
  return p;
}

/// The plain reference: [B, L] projections, one at::sort over all slices, mean of squared gaps.
at::Tensor reference_sw2_squared(const at::Tensor& x, const at::Tensor& y, const at::Tensor& directions) {
  const at::Tensor sorted_x = std::get<0>(at::sort(at::mm(x, directions.t()), 0));
  const at::Tensor sorted_y = std::get<0>(at::sort(at::mm(y, directions.t()), 0));
  return (sorted_x - sorted_y).pow(2).mean();
}

void run_case(benchmark::State& state, const Problem& problem, const std::string& implementation, bool backward,
              int threads) {
  at::set_num_threads(threads);
  const at::Tensor x = problem.x.clone().requires_grad_(backward);
  const at::Tensor y = problem.y.clone().requires_grad_(backward);
  const auto options = ot::SlicedWassersteinOptions().directions(problem.directions).backend(
      implementation == "fused" ? ot::SlicedWassersteinBackend::kFused : ot::SlicedWassersteinBackend::kTensor);
  for (auto _ : state) {
    const at::Tensor value = implementation == "reference" ? reference_sw2_squared(x, y, problem.directions)
                                                           : ot::sliced_wasserstein(x, y, options).sw2_squared;
    if (backward) {
      const auto grads = torch::autograd::grad({value}, {x, y});
      benchmark::DoNotOptimize(grads[0].data_ptr());
    }
    benchmark::DoNotOptimize(value.item<float>());
  }
}

/// Console output as usual, and every run's real time kept for the ratio table.
class RecordingReporter : public benchmark::ConsoleReporter {
 public:
  RecordingReporter() : ConsoleReporter(OO_Tabular) {}  // no colour codes, so logs read cleanly

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) seconds_[run.run_name.function_name] = run.GetAdjustedRealTime() * 1e-3;  // ms → s
    ConsoleReporter::ReportRuns(runs);
  }
  const std::map<std::string, double>& seconds() const { return seconds_; }

 private:
  std::map<std::string, double> seconds_;
};

std::string case_name(int64_t dimension, const char* mode, int threads, const char* implementation) {
  return "SW/D=" + std::to_string(dimension) + "/" + mode + "/threads=" + std::to_string(threads) + "/" + implementation;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<int64_t, Problem> problems;
  for (int64_t dimension : kDimensions) problems[dimension] = make_problem(dimension);
  for (int64_t dimension : kDimensions)
    for (const char* mode : kModes)
      for (int threads : kThreads)
        for (const char* implementation : kImplementations) {
          const bool backward = std::string(mode) != "forward";
          benchmark::RegisterBenchmark(case_name(dimension, mode, threads, implementation).c_str(),
                                       [&problems, dimension, implementation, backward, threads](benchmark::State& s) {
                                         run_case(s, problems.at(dimension), implementation, backward, threads);
                                       })
              ->Unit(benchmark::kMillisecond)
              ->UseRealTime()
              ->MinTime(2.0);
        }
  benchmark::Initialize(&argc, argv);
  RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  std::printf("\nB = %lld a side, L = %lld, float32; speed-up = reference time / backend time\n",
              static_cast<long long>(kSamples), static_cast<long long>(kSlices));
  std::printf("%-4s %-17s %-8s %11s %11s %8s %11s %8s\n", "D", "mode", "threads", "reference", "tensor", "speed-up",
              "fused", "speed-up");
  const auto& seconds = reporter.seconds();
  for (int64_t dimension : kDimensions)
    for (const char* mode : kModes)
      for (int threads : kThreads) {
        const auto find = [&](const char* implementation) {
          const auto it = seconds.find(case_name(dimension, mode, threads, implementation));
          return it == seconds.end() ? 0.0 : it->second;
        };
        const double reference = find("reference"), tensor = find("tensor"), fused = find("fused");
        if (reference == 0.0 || tensor == 0.0 || fused == 0.0) continue;  // filtered out on the command line
        std::printf("%-4lld %-17s %-8d %9.3f s %9.3f s %7.2fx %9.3f s %7.2fx\n", static_cast<long long>(dimension),
                    mode, threads, reference, tensor, reference / tensor, fused, reference / fused);
      }
  benchmark::Shutdown();
  return 0;
}
