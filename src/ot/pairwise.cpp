// Many exact EMDs at once. Each worker thread owns one ExactEmdSolver, whose LEMON graph is
// rebuilt only when the multiplicities (n_a, n_b) change; so pairs are visited with the jets
// sorted by multiplicity, which turns a row of a 1,000 × 1,000 matrix of real jets from ~1,000
// graph builds into a few dozen.
#include "otae/ot/pairwise.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "otae/base/error.hpp"
#include "otae/base/threads.hpp"

namespace otae::ot {
namespace {

// Columns of a matrix row handed out as one task: large enough to reuse the graph across many
// pairs, small enough that two threads share even a single row.
constexpr int64_t kColumnsPerTask = 256;
constexpr int64_t kPairsPerPairedTask = 16;

std::string jet_name(const char* argument, int64_t index) {
  return std::string(argument) + "[" + std::to_string(index) + "]";
}

std::vector<ParticleCloud> prepare_jets(const at::Tensor& jets, const char* argument, const char* function) {
  if (!jets.defined() || jets.dim() != 3 || jets.size(2) != 3)
    throw InvalidArgument(std::string(function) + ": " + argument + " must be [N, M, 3] (pT, eta, phi), received " +
                          (jets.defined() ? c10::str(jets.sizes()) : std::string("an undefined tensor")));
  if (jets.scalar_type() != at::kFloat && jets.scalar_type() != at::kDouble)
    throw InvalidArgument(std::string(function) + ": " + argument + " must be float32 or float64, received " +
                          std::string(c10::toString(jets.scalar_type())));
  const at::Tensor rows = jets.to(at::kCPU).contiguous();
  std::vector<ParticleCloud> clouds;
  clouds.reserve(static_cast<size_t>(rows.size(0)));
  for (int64_t i = 0; i < rows.size(0); ++i) clouds.push_back(ParticleCloud::from_jet(rows[i], jet_name(argument, i)));
  return clouds;
}

// Jet indices ordered by multiplicity, so that consecutive pairs share (n_a, n_b).
std::vector<int64_t> by_multiplicity(const std::vector<ParticleCloud>& clouds) {
  std::vector<int64_t> order(clouds.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
    return clouds[static_cast<size_t>(x)].weight.size() < clouds[static_cast<size_t>(y)].weight.size();
  });
  return order;
}

// Thrown inside a worker to unwind once another worker failed or the progress callback cancelled.
struct Stopped {};

// Runs solve_task(task, solver, pair_done) for task = 0 … n_tasks − 1, handing tasks out one at a
// time to `options.threads()` workers; the calling thread is worker 0 and the only one that calls
// the progress callback. solve_task calls pair_done() after each pair. The first exception of any
// worker stops the others and is rethrown here.
template <typename SolveTask>
void run_tasks(int64_t n_tasks, int64_t n_pairs, const PairwiseOptions& options, const SolveTask& solve_task) {
  const int64_t n_threads = std::max<int64_t>(1, std::min(thread_count(options.threads()), n_tasks));

  std::atomic<int64_t> next_task{0}, pairs_done{0};
  std::atomic<bool> stop{false};
  std::mutex error_mutex;
  std::exception_ptr error;
  const int64_t report_step = std::max<int64_t>(1, n_pairs / 100);
  const ProgressCallback& progress = options.progress();

  auto worker = [&](bool reports) {
    try {
      ExactEmdSolver solver(options.emd());
      int64_t next_report = report_step;
      auto pair_done = [&]() {
        const int64_t done = pairs_done.fetch_add(1, std::memory_order_relaxed) + 1;
        if (stop.load(std::memory_order_relaxed)) throw Stopped{};
        if (reports && progress && done >= next_report && done < n_pairs) {
          progress(done, n_pairs);
          next_report = (done / report_step + 1) * report_step;
        }
      };
      for (int64_t task; (task = next_task.fetch_add(1)) < n_tasks && !stop.load();) solve_task(task, solver, pair_done);
    } catch (const Stopped&) {
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      stop = true;
    }
  };

  std::vector<std::thread> helpers;
  helpers.reserve(static_cast<size_t>(n_threads - 1));
  try {
    for (int64_t t = 1; t < n_threads; ++t) helpers.emplace_back(worker, false);
  } catch (...) {  // no thread could be started: stop the ones that were
    stop = true;
    for (std::thread& helper : helpers) helper.join();
    throw;
  }
  worker(true);
  for (std::thread& helper : helpers) helper.join();
  if (error) std::rethrow_exception(error);
  if (progress) progress(n_pairs, n_pairs);
}

double solve_checked(ExactEmdSolver& solver, const ParticleCloud& a, const ParticleCloud& b, const char* set_a,
                     int64_t i, const char* set_b, int64_t j, ExactEmdResult* full = nullptr) {
  ExactEmdResult result = solver.solve(a, b);
  check_status(result.status, jet_name(set_a, i) + " and " + jet_name(set_b, j));
  const double value = result.value;
  if (full) *full = std::move(result);
  return value;
}

}  // namespace

void PairwiseOptions::validate() const {
  emd_.validate();
  if (threads_ < 0)
    throw InvalidArgument("pairwise EMD: threads must be >= 0 (0 uses every hardware thread), received threads=" +
                          std::to_string(threads_));
}

PairedEmdResult exact_emd_paired(const at::Tensor& jets_a, const at::Tensor& jets_b, const PairwiseOptions& options) {
  options.validate();
  const std::vector<ParticleCloud> a = prepare_jets(jets_a, "jets_a", "exact_emd_paired");
  const std::vector<ParticleCloud> b = prepare_jets(jets_b, "jets_b", "exact_emd_paired");
  if (a.size() != b.size())
    throw InvalidArgument("exact_emd_paired: jets_a holds " + std::to_string(a.size()) + " jets but jets_b holds " +
                          std::to_string(b.size()) + "; paired distances need one jet b per jet a");
  const int64_t n = static_cast<int64_t>(a.size());

  // Pairs ordered by (n_a, n_b) so that consecutive solves reuse the graph.
  std::vector<int64_t> order(a.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
    return std::make_pair(a[x].weight.size(), b[x].weight.size()) < std::make_pair(a[y].weight.size(), b[y].weight.size());
  });

  PairedEmdResult result;
  result.values = at::zeros({n}, at::kDouble);
  double* values = result.values.data_ptr<double>();
  const bool with_flows = options.emd().return_flow();
  const int64_t m_a = jets_a.size(1), m_b = jets_b.size(1);
  double* flows = nullptr;
  if (with_flows) {
    result.flows = at::zeros({n, m_a, m_b}, at::kDouble);
    flows = result.flows.data_ptr<double>();
  }

  const int64_t n_tasks = (n + kPairsPerPairedTask - 1) / kPairsPerPairedTask;
  run_tasks(n_tasks, n, options, [&](int64_t task, ExactEmdSolver& solver, auto& pair_done) {
    const int64_t end = std::min(n, (task + 1) * kPairsPerPairedTask);
    for (int64_t k = task * kPairsPerPairedTask; k < end; ++k) {
      const int64_t i = order[static_cast<size_t>(k)];
      ExactEmdResult full;
      values[i] = solve_checked(solver, a[i], b[i], "jets_a", i, "jets_b", i, with_flows ? &full : nullptr);
      if (with_flows) std::copy_n(full.flow.data_ptr<double>(), m_a * m_b, flows + i * m_a * m_b);
      pair_done();
    }
  });
  return result;
}

at::Tensor exact_emd_matrix(const at::Tensor& jets_a, const at::Tensor& jets_b, const PairwiseOptions& options) {
  options.validate();
  const std::vector<ParticleCloud> a = prepare_jets(jets_a, "jets_a", "exact_emd_matrix");
  const std::vector<ParticleCloud> b = prepare_jets(jets_b, "jets_b", "exact_emd_matrix");
  const std::vector<int64_t> rows = by_multiplicity(a), columns = by_multiplicity(b);
  const int64_t n_a = static_cast<int64_t>(a.size()), n_b = static_cast<int64_t>(b.size());
  const PairwiseOptions values_only = PairwiseOptions(options).emd(ExactEmdOptions(options.emd()).return_flow(false));

  at::Tensor distances = at::zeros({n_a, n_b}, at::kDouble);
  double* d = distances.data_ptr<double>();
  const int64_t blocks_per_row = (n_b + kColumnsPerTask - 1) / kColumnsPerTask;
  run_tasks(n_a * blocks_per_row, n_a * n_b, values_only, [&](int64_t task, ExactEmdSolver& solver, auto& pair_done) {
    const int64_t i = rows[static_cast<size_t>(task / blocks_per_row)];
    const int64_t begin = (task % blocks_per_row) * kColumnsPerTask, end = std::min(n_b, begin + kColumnsPerTask);
    for (int64_t q = begin; q < end; ++q) {
      const int64_t j = columns[static_cast<size_t>(q)];
      d[i * n_b + j] = solve_checked(solver, a[i], b[j], "jets_a", i, "jets_b", j);
      pair_done();
    }
  });
  return distances;
}

MatrixEntries exact_emd_symmetric_shard(const at::Tensor& jets, int64_t shard, int64_t shards,
                                        const PairwiseOptions& options) {
  options.validate();
  if (shards < 1 || shard < 0 || shard >= shards)
    throw InvalidArgument("exact_emd_symmetric_shard: shard " + std::to_string(shard) + " of " +
                          std::to_string(shards) + " (shards count from 0 to shards - 1)");
  const std::vector<ParticleCloud> clouds = prepare_jets(jets, "jets", "exact_emd_symmetric_shard");
  const std::vector<int64_t> order = by_multiplicity(clouds);
  const int64_t n = static_cast<int64_t>(clouds.size());
  // The tasks of exact_emd_symmetric (position p pairs with every later position), cut where the
  // work before a position reaches shard/shards of the total: shards of equal work. A pair's work
  // grows with the arcs of its transport problem, n_i·n_j; equal numbers of pairs left the last
  // shard, of the largest jets, 1.5x the first's time.
  std::vector<double> task_work(static_cast<size_t>(n), 0.0);
  double later = 0, total = 0;
  for (int64_t p = n - 1; p >= 0; --p) {
    const double multiplicity = static_cast<double>(clouds[static_cast<size_t>(order[p])].weight.size());
    task_work[static_cast<size_t>(p)] = multiplicity * later;
    later += multiplicity;
    total += task_work[static_cast<size_t>(p)];
  }
  auto boundary = [&](int64_t k) {
    int64_t p = 0;
    double before = 0;
    while (p < n && before * static_cast<double>(shards) < static_cast<double>(k) * total)
      before += task_work[static_cast<size_t>(p++)];
    return p;
  };
  const int64_t first = boundary(shard), end = shard + 1 == shards ? n : boundary(shard + 1);
  std::vector<int64_t> offset(static_cast<size_t>(end - first + 1), 0);  // entries before each task
  for (int64_t p = first; p < end; ++p) offset[p - first + 1] = offset[p - first] + (n - 1 - p);
  const int64_t pairs = offset.back();
  MatrixEntries entries{at::empty({pairs}, at::kLong), at::empty({pairs}, at::kLong), at::empty({pairs}, at::kDouble)};
  int64_t *rows = entries.rows.data_ptr<int64_t>(), *columns = entries.columns.data_ptr<int64_t>();
  double* values = entries.values.data_ptr<double>();
  const PairwiseOptions values_only = PairwiseOptions(options).emd(ExactEmdOptions(options.emd()).return_flow(false));
  run_tasks(end - first, pairs, values_only, [&](int64_t task, ExactEmdSolver& solver, auto& pair_done) {
    const int64_t p = first + task;
    const int64_t i = order[static_cast<size_t>(p)];
    int64_t e = offset[static_cast<size_t>(task)];
    for (int64_t q = p + 1; q < n; ++q, ++e) {
      const int64_t j = order[static_cast<size_t>(q)];
      rows[e] = i;
      columns[e] = j;
      values[e] = solve_checked(solver, clouds[i], clouds[j], "jets", i, "jets", j);
      pair_done();
    }
  });
  return entries;
}

at::Tensor exact_emd_symmetric(const at::Tensor& jets, const PairwiseOptions& options) {
  options.validate();
  const std::vector<ParticleCloud> clouds = prepare_jets(jets, "jets", "exact_emd_symmetric");
  const std::vector<int64_t> order = by_multiplicity(clouds);
  const int64_t n = static_cast<int64_t>(clouds.size());
  const PairwiseOptions values_only = PairwiseOptions(options).emd(ExactEmdOptions(options.emd()).return_flow(false));

  at::Tensor distances = at::zeros({n, n}, at::kDouble);
  double* d = distances.data_ptr<double>();
  // Task p pairs the p-th jet in multiplicity order with every later one; the longest rows come
  // first, so the threads finish together.
  run_tasks(n, n * (n - 1) / 2, values_only, [&](int64_t p, ExactEmdSolver& solver, auto& pair_done) {
    const int64_t i = order[static_cast<size_t>(p)];
    for (int64_t q = p + 1; q < n; ++q) {
      const int64_t j = order[static_cast<size_t>(q)];
      d[i * n + j] = d[j * n + i] = solve_checked(solver, clouds[i], clouds[j], "jets", i, "jets", j);
      pair_done();
    }
  });
  return distances;
}

}  // namespace otae::ot
