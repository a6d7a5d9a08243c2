// Why otae installs OpenBLAS: Debian's LibTorch runs its dense layers on whatever libblas.so.3
// resolves to. This benchmark times one dense layer (5000 × 1024 · 1024 × 1024, float32, the
// EMD-VAE's per-particle layer at batch 100) under each BLAS in the same run: it re-executes
// itself with LD_LIBRARY_PATH pointing at the reference BLAS and at OpenBLAS, then prints GFLOP/s
// and the ratio.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

namespace {

constexpr const char* kBlasFolders[][2] = {
    {"reference BLAS", "/usr/lib/x86_64-linux-gnu/blas"},
    {"OpenBLAS (pthread)", "/usr/lib/x86_64-linux-gnu/openblas-pthread"},
};

/// Median GFLOP/s of x·Wᵀ for x [5000, 1024], W [1024, 1024] on one thread.
double dense_layer_gflops() {
  at::set_num_threads(1);
  const at::Tensor x = at::randn({5000, 1024}), w = at::randn({1024, 1024});
  std::vector<double> rates;
  for (int r = 0; r < 5; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const at::Tensor y = at::linear(x, w);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rates.push_back(2.0 * 5000 * 1024 * 1024 / s / 1e9);
    if (r == 0 && y.numel() == 0) std::abort();
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

double measure_in_child(const std::string& self, const std::string& folder) {
  const std::string command = "OTAE_BENCH_CHILD=1 LD_LIBRARY_PATH=" + folder + " OPENBLAS_NUM_THREADS=1 " + self;
  std::FILE* pipe = popen(command.c_str(), "r");
  double gflops = 0;
  if (!pipe || std::fscanf(pipe, "%lf", &gflops) != 1) gflops = 0;
  if (pipe) pclose(pipe);
  return gflops;
}

}  // namespace

int main(int, char** argv) {
  if (std::getenv("OTAE_BENCH_CHILD")) {
    std::printf("%.3f\n", dense_layer_gflops());
    return 0;
  }
  std::printf("dense layer 5000 x 1024 x 1024, float32, one thread\n");
  std::vector<double> rates;
  for (const auto& [name, folder] : kBlasFolders) {
    rates.push_back(measure_in_child(argv[0], folder));
    std::printf("  %-20s %8.2f GFLOP/s\n", name, rates.back());
  }
  if (rates[0] > 0) std::printf("  OpenBLAS / reference = %.1fx\n", rates[1] / rates[0]);
  return 0;
}
