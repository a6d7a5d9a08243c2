// Exact EMD throughput: an N × N matrix (default 1,000 × 1,000) of network-simplex EMDs on one
// and two threads, on real W jets and on real 50-particle jets (top and QCD jets that have
// exactly 50 constituents), each as recorded and centred; weights pT/HT, ΔR with Δφ wrapped.
// POT's ot.emd2 runs on the first rows of the same matrix in the same run, interleaved with ours
// on those pairs so that both see the same load (its values are checked against ours); the
// one-thread rates are also compared with the anchors of docs/performance-notes.md.
//
//   bench_exact_emd [--jets N] [--pot-rows R]     (default 1000 and 3; --pot-rows 0 skips POT)
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "otae/base/error.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/ot/pairwise.hpp"
#include "otae/physics/jet_preprocessing.hpp"
#include "otae/physics/units.hpp"

namespace {

constexpr int64_t kParticles = 50;
// docs/performance-notes.md, 50-particle jets, one thread: POT ot.emd2 and thaler-lab/Wasserstein.
constexpr double kPotAnchorCentred = 4800, kPotAnchorUncentred = 3600;
constexpr double kWassersteinAnchorCentred = 5950, kWassersteinAnchorUncentred = 4300;

struct Sample {
  std::string name;
  at::Tensor jets;  // [2N, 50, 3] float32: jets a, then jets b
  bool fifty_particles;
  bool centred;
};

// Jet-like stand-ins with a fixed seed, used only when the shared data is missing: falling pT
// around an axis with a spread of ~0.3 in η and φ.
at::Tensor synthetic_jets(int64_t n, bool all_fifty, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::normal_distribution<double> gauss;
  std::uniform_real_distribution<double> uniform;
  at::Tensor jets = at::zeros({n, kParticles, 3}, at::kFloat);
  auto J = jets.accessor<float, 3>();
  for (int64_t i = 0; i < n; ++i) {
    const double eta0 = 1.5 * gauss(random), phi0 = otae::physics::kPi * (2 * uniform(random) - 1);
    const int64_t particles = all_fifty ? kParticles : 10 + static_cast<int64_t>(uniform(random) * 30);
    for (int64_t k = 0; k < particles; ++k) {
      J[i][k][0] = static_cast<float>(500.0 * std::exp(-6.0 * uniform(random)) / particles);
      J[i][k][1] = static_cast<float>(eta0 + 0.3 * gauss(random));
      J[i][k][2] = otae::physics::phi_to_float(std::remainder(phi0 + 0.3 * gauss(random), otae::physics::kTwoPi));
    }
  }
  return jets;
}

at::Tensor w_jets(int64_t n) {
  const std::string path = std::string(OTAE_SHARED_DATA) + "/wjets.h5";
  if (!std::filesystem::exists(path)) {
    std::printf("note: %s missing, using synthetic jets of 10-40 particles\n", path.c_str());
    return synthetic_jets(n, false, 20240611);
  }
  return otae::data::read_array(path, "particles").slice(0, 0, n).contiguous();
}

at::Tensor fifty_particle_jets(int64_t n) {
  std::vector<at::Tensor> chosen;
  for (const char* file : {"topjets.h5", "qcdjets.h5"}) {
    const std::string path = std::string(OTAE_SHARED_DATA) + "/" + file;
    if (!std::filesystem::exists(path)) continue;
    const at::Tensor jets = otae::data::read_array(path, "particles");
    const at::Tensor full = (jets.select(2, 0) > 0).sum(1) == kParticles;
    chosen.push_back(jets.index({full}));
  }
  at::Tensor jets = chosen.empty() ? at::zeros({0, kParticles, 3}, at::kFloat) : at::cat(chosen);
  if (jets.size(0) < n) {
    std::printf("note: %ld real 50-particle jets, the other %ld synthetic\n", static_cast<long>(jets.size(0)),
                static_cast<long>(n - jets.size(0)));
    jets = at::cat({jets, synthetic_jets(n - jets.size(0), true, 20240612)});
  }
  return jets.slice(0, 0, n).contiguous();
}

at::Tensor centred(const at::Tensor& jets) {
  at::Tensor out = jets.clone();
  for (int64_t i = 0; i < out.size(0); ++i) otae::physics::centre_jet(out[i].data_ptr<float>(), out.size(1));
  return out;
}

// Wall-clock and CPU time of one run. Other jobs share this machine's two cores, so a one-thread
// rate per CPU second is the steadier number; wall time is what threads speed up.
struct Timing {
  double wall = 0, cpu = 0;
};

template <typename Run>
Timing timed(const Run& run) {
  const auto wall_start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  run();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count(),
          static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC};
}

struct PotRun {
  double pairs_per_cpu_second = 0;
  double worst_relative_difference = 0;
};

// POT on the pairs (a[i], b[j]), i < rows, in a /usr/bin/python3 child; its values are compared
// with ours (`d`, [rows, n]). Returns nothing when POT cannot be run.
std::optional<PotRun> run_pot(const Sample& sample, int64_t n, int64_t rows, const at::Tensor& d) {
  const std::string script = std::string(OTAE_SOURCE_DIR) + "/benchmarks/pot_exact_emd_reference.py";
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("otae_bench_exact_emd_" + std::to_string(getpid()) + ".bin");
  {
    const at::Tensor jets = sample.jets.to(at::kDouble).contiguous();
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(jets.data_ptr<double>()), static_cast<std::streamsize>(jets.numel() * 8));
  }
  const std::string command = "/usr/bin/python3 " + script + " " + file.string() + " " + std::to_string(n) + " " +
                              std::to_string(n) + " " + std::to_string(sample.jets.size(1)) + " " + std::to_string(rows);
  std::optional<PotRun> run;
  FILE* pipe = popen(command.c_str(), "r");
  long pairs = 0;
  double seconds = 0, cpu_seconds = 0;
  if (pipe && std::fscanf(pipe, "%ld %lf %lf", &pairs, &seconds, &cpu_seconds) == 3 && pairs == rows * n) {
    run = PotRun{static_cast<double>(pairs) / cpu_seconds, 0.0};
    const auto D = d.accessor<double, 2>();
    double value = 0;
    for (long p = 0; p < pairs && std::fscanf(pipe, "%lf", &value) == 1; ++p)
      run->worst_relative_difference =
          std::max(run->worst_relative_difference, std::abs(value - D[p / n][p % n]) / D[p / n][p % n]);
  }
  if (pipe) pclose(pipe);
  std::filesystem::remove(file);
  return run;
}

std::string format(const char* pattern, double value) {
  char text[32];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = 1000, pot_rows = 3;
  for (int k = 1; k + 1 < argc; k += 2) {
    const std::string flag = argv[k];
    if (flag == "--jets") n = std::atol(argv[k + 1]);
    else if (flag == "--pot-rows") pot_rows = std::atol(argv[k + 1]);
  }
  if (n < 1 || pot_rows < 0) {
    std::fprintf(stderr, "usage: bench_exact_emd [--jets N >= 1] [--pot-rows R >= 0]\n");
    return 2;
  }
  pot_rows = std::min(pot_rows, n);
  try {
    const at::Tensor w = w_jets(2 * n), fifty = fifty_particle_jets(2 * n);
    const std::vector<Sample> samples = {{"W jets, as recorded", w, false, false},
                                         {"W jets, centred", centred(w), false, true},
                                         {"50-particle jets, as recorded", fifty, true, false},
                                         {"50-particle jets, centred", centred(fifty), true, true}};
    std::printf("exact EMD of a %ld x %ld matrix, weights pT/HT, cost dR (wrapped dphi), R = 1, beta = 1\n",
                static_cast<long>(n), static_cast<long>(n));
    std::printf("W jets: mean multiplicity %.1f. POT: ot.emd2 with NumPy costs on the first %ld rows, one thread,\n"
                "interleaved three times with ours on the same pairs (best of three each).\n\n",
                (w.select(2, 0) > 0).sum().item<double>() / static_cast<double>(w.size(0)), static_cast<long>(pot_rows));
    std::printf("%-30s %9s %9s %9s %5s | %9s %9s %8s | %9s %9s | %8s\n", "sample", "1 thread", "per CPU s",
                "2 threads", "2/1", "POT/CPU s", "ours", "ours/POT", "/POT anc.", "/Wass.anc", "POT diff");

    const otae::ot::PairwiseOptions one_thread =
        otae::ot::PairwiseOptions().emd(otae::ot::ExactEmdOptions().norm(true)).threads(1);
    for (const Sample& sample : samples) {
      const at::Tensor a = sample.jets.slice(0, 0, n), b = sample.jets.slice(0, n, 2 * n);
      const double pairs = static_cast<double>(n * n);
      const Timing one = timed([&] { otae::ot::exact_emd_matrix(a, b, one_thread); });
      const Timing two = timed([&] { otae::ot::exact_emd_matrix(a, b, otae::ot::PairwiseOptions(one_thread).threads(2)); });

      std::string pot_rate = "-", ours_rate = "-", vs_pot = "-", pot_diff = "-";
      if (pot_rows > 0) {
        double best_ours = 0, best_pot = 0, worst_difference = 0;
        for (int repeat = 0; repeat < 3; ++repeat) {
          at::Tensor d;
          const Timing ours = timed([&] { d = otae::ot::exact_emd_matrix(a.slice(0, 0, pot_rows), b, one_thread); });
          best_ours = std::max(best_ours, static_cast<double>(pot_rows * n) / ours.cpu);
          const std::optional<PotRun> pot = run_pot(sample, n, pot_rows, d);
          if (!pot) break;
          best_pot = std::max(best_pot, pot->pairs_per_cpu_second);
          worst_difference = std::max(worst_difference, pot->worst_relative_difference);
        }
        if (best_pot > 0) {
          pot_rate = format("%.0f", best_pot);
          ours_rate = format("%.0f", best_ours);
          vs_pot = format("%.2f", best_ours / best_pot);
          pot_diff = format("%.1e", worst_difference);
        }
      }
      std::string vs_pot_anchor = "-", vs_wass_anchor = "-";
      if (sample.fifty_particles) {
        const double rate = pairs / one.cpu;
        vs_pot_anchor = format("%.2f", rate / (sample.centred ? kPotAnchorCentred : kPotAnchorUncentred));
        vs_wass_anchor = format("%.2f", rate / (sample.centred ? kWassersteinAnchorCentred : kWassersteinAnchorUncentred));
      }
      std::printf("%-30s %9.0f %9.0f %9.0f %5.2f | %9s %9s %8s | %9s %9s | %8s\n", sample.name.c_str(),
                  pairs / one.wall, pairs / one.cpu, pairs / two.wall, one.wall / two.wall, pot_rate.c_str(),
                  ours_rate.c_str(), vs_pot.c_str(), vs_pot_anchor.c_str(), vs_wass_anchor.c_str(), pot_diff.c_str());
      std::fflush(stdout);
    }
    std::printf("\n1 thread, 2 threads: pairs per wall-clock second over the whole matrix; per CPU s: the one-thread\n"
                "run per CPU second, steadier while other jobs share the cores. POT/CPU s, ours: pairs per CPU\n"
                "second on the POT rows. /POT anc., /Wass.anc: the one-thread rate per CPU second over the figures\n"
                "of docs/performance-notes.md for 50-particle jets (POT %.0f centred / %.0f uncentred,\n"
                "thaler-lab/Wasserstein %.0f / %.0f pairs/s). POT diff: largest |ours - POT| / POT.\n",
                kPotAnchorCentred, kPotAnchorUncentred, kWassersteinAnchorCentred, kWassersteinAnchorUncentred);
  } catch (const otae::Error& e) {
    std::fprintf(stderr, "bench_exact_emd: %s\n", e.what());
    return 1;
  }
  return 0;
}
