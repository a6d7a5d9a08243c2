// Data-parallel training over PyTorch's distributed engine (c10d, Gloo backend): the processes of
// one run find each other through a TCPStore at the address the launcher exports, each computes a
// disjoint shard of every global batch, and their gradients are summed before every optimiser
// step, so that all of them take the same step. A process started alone needs nothing and talks
// to nobody: every call below is then free.
//
// Launch conventions (the first that is set wins):
//   PyTorch (torchrun):  RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT
//   Open MPI (mpirun):   OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE, OMPI_COMM_WORLD_LOCAL_RANK
//   Slurm (srun):        SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID
// MASTER_ADDR (the host of rank 0) defaults to SLURM_LAUNCH_NODE_IPADDR under Slurm and to
// 127.0.0.1 otherwise; MASTER_PORT defaults to 29500, PyTorch's. GLOO_SOCKET_IFNAME picks the
// network interface as in PyTorch. The run folder must be one that every rank sees (rank 0 writes
// it, every rank reads checkpoints from it).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace otae::train {

/// Where this process stands in its run, as the launcher's environment says.
struct ProcessPlace {
  int64_t rank = 0, world_size = 1, local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int64_t master_port = 29500;
  std::string launcher = "none";  ///< "torchrun", "mpirun", "srun" or "none"
};

/// The place described by the variables that `lookup` returns (empty: unset). Throws ConfigError
/// naming the variable when a value is not a number or the rank is not below the world size.
ProcessPlace process_place(const std::function<std::string(const std::string&)>& lookup);

/// The place of this process, from its environment.
ProcessPlace process_place_from_environment();

/// The first `count` of `shards` numbered shards of each batch that this process computes:
/// [first, first + count).
struct ShardRange {
  int64_t first = 0, count = 1;
};

/// The processes of a run and their collectives. Every rank must make the same calls in the same
/// order (each is a collective), except those marked local.
class DataParallel {
 public:
  /// Joins the rendezvous of `place` when it has more than one rank (throws ConfigError when this
  /// otae was built without Gloo, IoError when the rendezvous fails within `timeout_seconds`). A
  /// collective waits at most 30 minutes for the other ranks, as in PyTorch.
  explicit DataParallel(const ProcessPlace& place, double timeout_seconds = 300);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int64_t rank() const { return place_.rank; }
  int64_t world_size() const { return place_.world_size; }
  /// "torchrun", "mpirun", "srun" or "none": whose variables placed this process.
  const std::string& launcher() const { return place_.launcher; }
  /// Whether this process writes the run's files and logs (rank 0). Local.
  bool writes_files() const { return place_.rank == 0; }

  /// How a batch cut into at least `minimum_shards` shards is shared: max(minimum_shards, world
  /// size) shards, rank r taking [r·S/W, (r+1)·S/W). One process takes them all. Local.
  int64_t shards(int64_t minimum_shards) const;
  ShardRange my_shards(int64_t minimum_shards) const;

  /// Overwrites every tensor with rank 0's values (parameters at the start and after a reload),
  /// sent as float32: otae's parameters are float32.
  void broadcast_from_root(const std::vector<at::Tensor>& tensors);

  /// Sums the parameters' gradients over the ranks in one flat float32 bucket (each rank's
  /// gradient already carries its shard's share of the global batch, so the sum is the global
  /// batch's gradient), and returns whether any rank reported `failed_here` (a non-finite loss):
  /// then every rank discards the step together. Undefined gradients count as zero and stay
  /// undefined. One process: returns `failed_here`, touching nothing.
  bool sum_gradients(const std::vector<at::Tensor>& parameters, bool failed_here);

  /// Waits until every rank has called it: a decision that every rank takes from the run folder
  /// (fresh or resumed) is taken before rank 0 writes into it.
  void barrier();

  /// Sums `values` over the ranks, in float64 (the logged loss terms of an epoch).
  void sum(std::vector<double>& values);
  /// Sums a contiguous CPU tensor over the ranks, in place.
  void sum(at::Tensor& values);

 private:
  struct Group;
  ProcessPlace place_;
  std::unique_ptr<Group> group_;
};

/// The process's one DataParallel, joined from the environment at the first call (so a program
/// never has to set it up) and kept until the process ends.
DataParallel& data_parallel();

/// Whether this otae was built with c10d's Gloo backend (libgloo-dev at configure time).
bool distributed_backend_built();

}  // namespace otae::train
