// `otae emd`: exact or Sinkhorn EMDs between the jets of two HDF5 files, paired or as a matrix.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <ATen/Parallel.h>

#include "commands.hpp"
#include "otae/base/error.hpp"
#include "otae/base/progress.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/ot/pairwise.hpp"
#include "otae/ot/sinkhorn.hpp"

namespace otae::cli {
namespace {

struct EmdArguments {
  std::string file_a, file_b, out, dataset = "particles", method = "exact";
  bool paired = false, norm = false, no_wrap_phi = false;
  double R = 1.0, beta = 1.0;
  int64_t threads = 0, max_jets = 0;
};

at::Tensor load_jets(const std::string& path, const EmdArguments& args) {
  at::Tensor jets = data::read_jet_particles(path, args.dataset);
  if (args.max_jets > 0 && jets.size(0) > args.max_jets) jets = jets.narrow(0, 0, args.max_jets);
  return jets;
}

/// Sinkhorn compares pT/HT-normalised jets (the EMD-VAE loss), in chunks of jet pairs.
at::Tensor sinkhorn_distances(const at::Tensor& jets_a, const at::Tensor& jets_b, const EmdArguments& args) {
  const auto options = ot::SinkhornOptions().ground(
      ot::GroundDistance().R(args.R).beta(args.beta).wrap_phi(!args.no_wrap_phi));
  auto normalised = [](const at::Tensor& jets) {
    const at::Tensor pt = jets.select(2, 0).to(at::kDouble);
    return std::make_pair(pt / pt.sum(1, true), jets.narrow(2, 1, 2).to(at::kDouble));
  };
  auto [wa, xa] = normalised(jets_a);
  auto [wb, xb] = normalised(jets_b);
  const int64_t rows = wa.size(0), cols = args.paired ? 1 : wb.size(0);
  at::Tensor distances = at::empty(args.paired ? std::vector<int64_t>{rows} : std::vector<int64_t>{rows, cols}, at::kDouble);
  ProgressMeter progress("otae emd", "pairs", rows * cols);
  const int64_t chunk = args.paired ? 1000 : std::max<int64_t>(1, 1000 / cols);
  for (int64_t begin = 0; begin < rows; begin += chunk) {
    const int64_t n = std::min(chunk, rows - begin);
    if (args.paired) {
      distances.narrow(0, begin, n).copy_(ot::sinkhorn_emd(wa.narrow(0, begin, n), xa.narrow(0, begin, n),
                                                           wb.narrow(0, begin, n), xb.narrow(0, begin, n), options).cost);
    } else {
      // every jet a of the chunk against every jet b
      auto repeat_a = [&](const at::Tensor& t) { return t.narrow(0, begin, n).repeat_interleave(cols, 0); };
      auto tile_b = [&](const at::Tensor& t) {
        std::vector<int64_t> repeats(t.dim(), 1);
        repeats[0] = n;
        return t.repeat(repeats);
      };
      distances.narrow(0, begin, n).copy_(
          ot::sinkhorn_emd(repeat_a(wa), repeat_a(xa), tile_b(wb), tile_b(xb), options).cost.reshape({n, cols}));
    }
    progress.update((begin + n) * cols);
  }
  return distances;
}

at::Tensor exact_distances(const at::Tensor& jets_a, const at::Tensor& jets_b, bool same_file, const EmdArguments& args) {
  const int64_t total = args.paired ? jets_a.size(0)
                        : same_file ? jets_a.size(0) * (jets_a.size(0) - 1) / 2
                                    : jets_a.size(0) * jets_b.size(0);
  ProgressMeter progress("otae emd", "pairs", total);
  const auto options =
      ot::PairwiseOptions()
          .emd(ot::ExactEmdOptions().ground(ot::GroundDistance().R(args.R).beta(args.beta).wrap_phi(!args.no_wrap_phi))
                   .norm(args.norm))
          .threads(args.threads)
          .progress([&](int64_t done, int64_t) { progress.update(done); });
  if (args.paired) return ot::exact_emd_paired(jets_a, jets_b, options).values;
  if (same_file) return ot::exact_emd_symmetric(jets_a, options);
  return ot::exact_emd_matrix(jets_a, jets_b, options);
}

void run_emd(const EmdArguments& args) {
  // Debian's LibTorch starts with one intra-op thread: ask for every core explicitly.
  at::set_num_threads(args.threads > 0 ? static_cast<int>(args.threads)
                                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  const at::Tensor jets_a = load_jets(args.file_a, args);
  const bool same_file = args.file_a == args.file_b && !args.paired;
  const at::Tensor jets_b = same_file ? jets_a : load_jets(args.file_b, args);
  if (args.paired && jets_a.size(0) != jets_b.size(0))
    throw InvalidArgument("otae emd --paired: " + args.file_a + " has " + std::to_string(jets_a.size(0)) +
                          " jets but " + args.file_b + " has " + std::to_string(jets_b.size(0)));
  const auto t0 = std::chrono::steady_clock::now();
  const bool sinkhorn = args.method == "sinkhorn";
  const at::Tensor distances = sinkhorn ? sinkhorn_distances(jets_a, jets_b, args)
                                        : exact_distances(jets_a, jets_b, same_file, args);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int64_t pairs = args.paired ? distances.size(0) : same_file ? distances.size(0) * (distances.size(0) - 1) / 2 : distances.numel();
  const bool normalised = sinkhorn || args.norm;
  data::Attributes attributes = provenance();
  attributes.insert({{"method", args.method}, {"R", std::to_string(args.R)}, {"beta", std::to_string(args.beta)},
                     {"norm", normalised ? "true" : "false"}, {"wrap_phi", args.no_wrap_phi ? "false" : "true"},
                     {"file_a", args.file_a}, {"file_b", args.file_b}, {"dataset", args.dataset}});
  data::write_arrays(args.out,
                     {{"distances", distances,
                       {{"units", normalised ? "Delta R / R (pT normalised to 1 per jet)" : "GeV (pT-weighted Delta R / R)"},
                        {"layout", args.paired ? "paired: d(A[i], B[i])" : "matrix: d(A[i], B[j])"}}}},
                     attributes);
  std::fprintf(stderr, "otae emd: %ld pairs in %.2f s (%.0f pairs/s, %d threads) -> %s\n", static_cast<long>(pairs),
               seconds, pairs / std::max(seconds, 1e-9), at::get_num_threads(), args.out.c_str());
}

}  // namespace

void add_emd_command(CLI::App& app) {
  auto args = std::make_shared<EmdArguments>();
  CLI::App* cmd = app.add_subcommand("emd", "Earth Mover's Distances between the jets of two HDF5 files");
  cmd->add_option("A", args->file_a, "HDF5 file with jets [N, M, 3] (pT GeV, eta, phi rad)")->required()->check(CLI::ExistingFile);
  cmd->add_option("B", args->file_b, "second HDF5 file (may be A itself: the symmetric matrix is computed once)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "output HDF5 file; dataset 'distances': (N,) with --paired, else (N_A, N_B)")->required();
  cmd->add_option("--method", args->method, "exact (network simplex) or sinkhorn (EMD-VAE defaults, pT/HT-normalised jets)")
      ->check(CLI::IsMember({"exact", "sinkhorn"}))->capture_default_str();
  cmd->add_flag("--paired", args->paired, "d(A[i], B[i]) instead of the full matrix");
  cmd->add_option("--R", args->R, "jet radius R: the cost is (Delta R / R)^beta")->capture_default_str();
  cmd->add_option("--beta", args->beta, "angular exponent beta")->capture_default_str();
  cmd->add_flag("--norm", args->norm, "normalise each jet's pT to 1 (no |Sum pT - Sum pT'| term)");
  cmd->add_flag("--no-wrap-phi", args->no_wrap_phi, "do not wrap Delta phi into [-pi, pi)");
  cmd->add_option("--dataset", args->dataset, "jets dataset in both files")->capture_default_str();
  cmd->add_option("--max-jets", args->max_jets, "use only the first N jets of each file (0: all)")->capture_default_str();
  cmd->add_option("--threads", args->threads, "worker threads (0: all cores)")->capture_default_str();
  cmd->callback([args] { run_emd(*args); });
}

}  // namespace otae::cli
