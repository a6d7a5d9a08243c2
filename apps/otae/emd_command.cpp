// `otae emd`: exact or Sinkhorn EMDs between the jets of two HDF5 files, paired or as a matrix.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/Parallel.h>

#include "commands.hpp"
#include "otae/base/error.hpp"
#include "otae/base/progress.hpp"
#include "otae/data/distance_shards.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/layouts.hpp"
#include "otae/data/preprocessing.hpp"
#include "otae/ot/pairwise.hpp"
#include "otae/ot/sinkhorn_pairwise.hpp"
#include "otae/ot/sinkhorn.hpp"
#include "otae/train/cpu_compute.hpp"
#include "otae/train/distributed.hpp"

namespace otae::cli {
namespace {

struct EmdArguments {
  std::string file_a, file_b, out, dataset = "particles", method = "exact";
  bool paired = false, norm = false, centre = false, no_wrap_phi = false;
  double R = 1.0, beta = 1.0;
  int64_t threads = 0, max_jets = 0;
  std::string shard;  ///< "K/N": compute shard K (from 1) of N and write a partial file
};

/// Which distances are computed: d(A[i], B[i]); every d(A[i], B[j]); or A against itself.
using Layout = data::DistanceLayout;

/// The unit both files' pT share; refuses GeV against pT/HT unless each jet is normalised first.
std::string common_pt_unit(const EmdArguments& args, bool normalised) {
  const std::string a = data::jet_pt_unit(args.file_a, args.dataset), b = data::jet_pt_unit(args.file_b, args.dataset);
  if (!a.empty() && !b.empty() && a != b && !normalised)
    throw InvalidArgument("otae emd: " + args.file_a + ":" + args.dataset + " holds pT in " + a + " but " + args.file_b +
                          ":" + args.dataset + " in " + b +
                          "; the EMD of the two has no unit. Add --norm to compare each jet's pT fractions "
                          "(the result is then in units of Delta R / R), or convert the pT/HT file to GeV by "
                          "multiplying each jet's pT by its HT");
  return a.empty() ? b : a;
}

at::Tensor load_jets(const std::string& path, const EmdArguments& args) {
  at::Tensor jets = data::read_jet_particles(path, args.dataset);
  if (args.max_jets > 0 && jets.size(0) > args.max_jets) jets = jets.narrow(0, 0, args.max_jets);
  // the EMD-VAE's centring (pT-weighted centroid to (0, 0)), pT left in the file's units
  if (args.centre) jets = data::preprocess_jets(jets, data::JetPreprocessing().normalise_pt(false).centre(true)).particles;
  return jets;
}

/// The progress line, started at the first report (which brings the number of pairs).
struct PairProgress {
  std::optional<ProgressMeter> meter;
  int64_t total = 0;
  bool shown = true;  ///< false on the ranks other than 0 of a data-parallel run
  void operator()(int64_t done, int64_t pairs) {
    total = pairs;
    if (!shown) return;
    if (!meter) meter.emplace("otae emd", "pairs", pairs);
    meter->update(done);
  }
};

/// Sinkhorn compares pT-normalised jets (the EMD-VAE loss).
at::Tensor sinkhorn_distances(const at::Tensor& jets_a, const at::Tensor& jets_b, Layout layout, const EmdArguments& args,
                              PairProgress& progress) {
  const auto options =
      ot::SinkhornPairwiseOptions()
          .sinkhorn(ot::SinkhornOptions().ground(ot::GroundDistance().R(args.R).beta(args.beta).wrap_phi(!args.no_wrap_phi)))
          .progress([&](int64_t done, int64_t total) { progress(done, total); });
  switch (layout) {
    case Layout::kPaired: return ot::sinkhorn_emd_paired(jets_a, jets_b, options);
    case Layout::kSymmetric: return ot::sinkhorn_emd_symmetric(jets_a, options);
    case Layout::kMatrix: return ot::sinkhorn_emd_matrix(jets_a, jets_b, options);
  }
  return {};
}

ot::PairwiseOptions exact_options(const EmdArguments& args, PairProgress& progress) {
  return ot::PairwiseOptions()
      .emd(ot::ExactEmdOptions().ground(ot::GroundDistance().R(args.R).beta(args.beta).wrap_phi(!args.no_wrap_phi))
               .norm(args.norm))
      .threads(args.threads)
      .progress([&progress](int64_t done, int64_t total) { progress(done, total); });
}

at::Tensor exact_distances(const at::Tensor& jets_a, const at::Tensor& jets_b, Layout layout, const EmdArguments& args,
                           PairProgress& progress) {
  const ot::PairwiseOptions options = exact_options(args, progress);
  switch (layout) {
    case Layout::kPaired: return ot::exact_emd_paired(jets_a, jets_b, options).values;
    case Layout::kSymmetric: return ot::exact_emd_symmetric(jets_a, options);
    case Layout::kMatrix: return ot::exact_emd_matrix(jets_a, jets_b, options);
  }
  return {};
}

/// The entries of one shard: rows of A in equal shares for a paired or cross matrix (each pair
/// solved as in the whole matrix, so bit for bit the same), shards of equal work of the exact
/// symmetric matrix (ot::exact_emd_symmetric_shard).
data::DistanceShard shard_distances(const at::Tensor& jets_a, const at::Tensor& jets_b, Layout layout,
                                    const EmdArguments& args, int64_t index, int64_t count, PairProgress& progress) {
  data::DistanceShard shard;
  shard.index = index, shard.count = count, shard.layout = layout;
  shard.rows = jets_a.size(0), shard.columns = jets_b.size(0);
  shard.inputs = data::inputs_fingerprint({jets_a, jets_b});
  if (layout == Layout::kSymmetric) {
    if (args.method == "sinkhorn")
      throw InvalidArgument("otae emd --shard with --method sinkhorn computes paired distances or a matrix between two "
                            "files; for the symmetric matrix of one file use the exact EMD");
    const ot::MatrixEntries entries = ot::exact_emd_symmetric_shard(jets_a, index, count, exact_options(args, progress));
    shard.entry_rows = entries.rows, shard.entry_columns = entries.columns, shard.values = entries.values;
    return shard;
  }
  const auto [first, end] = data::shard_rows(jets_a.size(0), index, count);
  const at::Tensor a = jets_a.narrow(0, first, end - first);
  const at::Tensor b = layout == Layout::kPaired ? jets_b.narrow(0, first, end - first) : jets_b;
  const at::Tensor block = args.method == "sinkhorn" ? sinkhorn_distances(a, b, layout, args, progress)
                                                     : exact_distances(a, b, layout, args, progress);
  const at::Tensor rows = at::arange(first, end, at::kLong);
  shard.entry_rows = layout == Layout::kPaired ? rows : rows.repeat_interleave(jets_b.size(0));
  shard.entry_columns = layout == Layout::kPaired ? rows : at::arange(jets_b.size(0), at::kLong).repeat({end - first});
  shard.values = block.reshape(-1);
  return shard;
}

/// What a distance is measured in, given the inputs' pT unit.
std::string distance_units(bool normalised, const std::string& pt) {
  if (normalised) return "Delta R / R (pT normalised to 1 per jet)";
  if (pt == "GeV") return "GeV (pT-weighted Delta R / R)";
  if (pt == "pT/HT") return "HT (pT/HT-weighted Delta R / R)";
  return "the inputs' pT unit (not stated in them) times Delta R / R";
}

/// The root attributes of a distance file: provenance and every option that shapes a distance.
data::Attributes emd_attributes(const EmdArguments& args, bool normalised) {
  data::Attributes attributes = provenance();
  attributes.insert({{"method", args.method}, {"R", std::to_string(args.R)}, {"beta", std::to_string(args.beta)},
                     {"norm", normalised ? "true" : "false"}, {"centre", args.centre ? "true" : "false"},
                     {"wrap_phi", args.no_wrap_phi ? "false" : "true"}, {"file_a", args.file_a},
                     {"file_b", args.file_b}, {"dataset", args.dataset}});
  return attributes;
}

data::Attributes distances_attributes(Layout layout, bool normalised, const std::string& pt) {
  return {{"units", distance_units(normalised, pt)},
          {"layout", layout == Layout::kPaired      ? "paired: d(A[i], B[i])"
                     : layout == Layout::kSymmetric ? "symmetric matrix: d(A[i], A[j]), each pair computed once"
                                                    : "matrix: d(A[i], B[j])"}};
}

void run_emd(const EmdArguments& args) {
  refuse_input_as_output(args.out, {args.file_a, args.file_b});
  const bool sinkhorn = args.method == "sinkhorn";
  const bool normalised = sinkhorn || args.norm;
  const std::string pt = common_pt_unit(args, normalised);
  // Debian's LibTorch starts with one intra-op thread: ask for every core explicitly.
  train::configure_cpu_compute(args.threads);
  std::error_code error;
  const bool same_file = !args.paired && (args.file_a == args.file_b || std::filesystem::equivalent(args.file_a, args.file_b, error));
  const Layout layout = args.paired ? Layout::kPaired : same_file ? Layout::kSymmetric : Layout::kMatrix;
  const at::Tensor jets_a = load_jets(args.file_a, args);
  const at::Tensor jets_b = same_file ? jets_a : load_jets(args.file_b, args);
  if (args.paired && jets_a.size(0) != jets_b.size(0))
    throw InvalidArgument("otae emd --paired: " + args.file_a + " has " + std::to_string(jets_a.size(0)) +
                          " jets but " + args.file_b + " has " + std::to_string(jets_b.size(0)) +
                          "; pass --max-jets N to pair the first N of each");
  const auto t0 = std::chrono::steady_clock::now();
  PairProgress progress;
  train::DataParallel& ranks = train::data_parallel();
  if (!args.shard.empty()) {
    const auto [index, count] = *data::parse_shard_label(args.shard);  // checked by the option
    const data::DistanceShard shard = shard_distances(jets_a, jets_b, layout, args, index, count, progress);
    data::write_distance_shard(args.out, shard, distances_attributes(layout, normalised, pt),
                               emd_attributes(args, normalised));
  } else if (ranks.world_size() > 1) {
    // Each rank its shard; summed, the shards' disjoint entries (zeros elsewhere) are the whole
    // result exactly, which rank 0 writes.
    progress.shown = ranks.writes_files();
    const data::DistanceShard shard =
        shard_distances(jets_a, jets_b, layout, args, ranks.rank(), ranks.world_size(), progress);
    at::Tensor distances = data::scattered_distances(shard);
    ranks.sum(distances);
    progress.total = layout == Layout::kSymmetric ? shard.rows * (shard.rows - 1) / 2 : distances.numel();
    if (!ranks.writes_files()) return;
    data::write_arrays(args.out, {{"distances", distances, distances_attributes(layout, normalised, pt)}},
                       emd_attributes(args, normalised));
  } else {
    const at::Tensor distances = sinkhorn ? sinkhorn_distances(jets_a, jets_b, layout, args, progress)
                                          : exact_distances(jets_a, jets_b, layout, args, progress);
    data::write_arrays(args.out, {{"distances", distances, distances_attributes(layout, normalised, pt)}},
                       emd_attributes(args, normalised));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int64_t pairs = progress.total;
  std::printf("otae emd: %ld pairs in %.2f s (%.0f pairs/s, %ld processes x %d threads) -> %s%s\n",
              static_cast<long>(pairs), seconds, pairs / std::max(seconds, 1e-9),
              static_cast<long>(args.shard.empty() ? ranks.world_size() : 1), at::get_num_threads(), args.out.c_str(),
              args.shard.empty() ? "" : (" (shard " + args.shard + "; merge the shards with otae data merge)").c_str());
}

}  // namespace

void add_emd_command(CLI::App& app) {
  auto args = std::make_shared<EmdArguments>();
  CLI::App* cmd = app.add_subcommand(
      "emd", "Earth Mover's Distances between the jets of two HDF5 files. By default: the exact EMD (network "
             "simplex) of the jets as stored (pT in GeV, not centred), with the |Sum pT - Sum pT'| term, "
             "Delta phi wrapped into [-pi, pi) (EnergyFlow's default is periodic_phi=False: pass --no-wrap-phi "
             "for its numbers), in GeV");
  cmd->add_option("A", args->file_a, "HDF5 file with jets [N, M, 3] (pT GeV, eta, phi rad)")->required()->check(CLI::ExistingFile);
  cmd->add_option("B", args->file_b, "second HDF5 file (may be A itself: each pair of the symmetric matrix is computed once)")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "output HDF5 file (not A or B); dataset 'distances': (N,) with --paired, else (N_A, N_B)")
      ->required();
  cmd->add_option("--method", args->method, "exact (network simplex) or sinkhorn (EMD-VAE defaults, pT/HT-normalised jets)")
      ->check(CLI::IsMember({"exact", "sinkhorn"}))->capture_default_str();
  cmd->add_flag("--paired", args->paired, "d(A[i], B[i]) instead of the full matrix (A and B must have as many jets)");
  cmd->add_option("--R", args->R, "jet radius R: the cost is (Delta R / R)^beta")->check(positive())->capture_default_str();
  cmd->add_option("--beta", args->beta, "angular exponent beta")->check(positive())->capture_default_str();
  cmd->add_flag("--norm", args->norm, "normalise each jet's pT to 1 (no |Sum pT - Sum pT'| term); default: pT as stored");
  cmd->add_flag("--centre", args->centre,
                "move each jet's pT-weighted (eta, phi) centroid to (0, 0) first, as the EMD-VAE's preprocessing "
                "does; default: jets as stored, not centred");
  cmd->add_flag("--no-wrap-phi", args->no_wrap_phi,
                "do not wrap Delta phi into [-pi, pi) (EnergyFlow's periodic_phi=False); default: wrapped, since "
                "phi is an angle and a jet straddling phi = +-pi would otherwise be torn in two");
  cmd->add_option("--dataset", args->dataset, "jets dataset in both files")->capture_default_str();
  cmd->add_option("--max-jets", args->max_jets, "use only the first N jets of each file (0: all)")
      ->check(non_negative())->capture_default_str();
  cmd->add_option("--threads", args->threads, "worker threads (0: all cores)")->check(non_negative())->capture_default_str();
  cmd->add_option("--shard", args->shard,
                  "K/N: compute only shard K (1 to N) of N, about 1/N of the pairs, into a partial --out file; "
                  "otae data merge turns the N partial files into the file one run writes")
      ->check(CLI::Validator(
          [](std::string& text) {
            return data::parse_shard_label(text) ? std::string()
                                                 : "expects K/N with 1 <= K <= N, received '" + text + "'";
          },
          "K/N"));
  cmd->callback([args] { run_emd(*args); });
}

}  // namespace otae::cli
