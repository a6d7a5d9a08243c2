// The launcher's environment → a Gloo process group over a TCPStore; see distributed.hpp. Built
// with USE_C10D_GLOO only when CMake found Gloo (the c10d header is empty without it); otherwise
// a run of more than one rank stops with a message saying what to install.
#include "otae/train/distributed.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>

#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

#include <ATen/core/grad_mode.h>

#include "otae/base/error.hpp"
#include "otae/data/distance_shards.hpp"

namespace otae::train {

namespace {

int64_t integer_variable(const std::function<std::string(const std::string&)>& lookup, const std::string& name,
                         int64_t fallback) {
  const std::string text = lookup(name);
  if (text.empty()) return fallback;
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < 0)
    throw ConfigError("environment variable " + name + "='" + text + "' is not a non-negative integer");
  return value;
}

/// The launcher's three variable names for rank, world size and local rank.
struct Convention {
  const char *launcher, *rank, *world_size, *local_rank;
};
constexpr Convention kConventions[] = {
    {"torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK"},
    {"mpirun", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"},
    {"srun", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"},
};

}  // namespace

ProcessPlace process_place(const std::function<std::string(const std::string&)>& lookup) {
  ProcessPlace place;
  for (const Convention& c : kConventions) {
    if (lookup(c.world_size).empty()) continue;
    place.launcher = c.launcher;
    place.world_size = integer_variable(lookup, c.world_size, 1);
    place.rank = integer_variable(lookup, c.rank, 0);
    place.local_rank = integer_variable(lookup, c.local_rank, 0);
    if (place.world_size < 1 || place.rank >= place.world_size)
      throw ConfigError(std::string("environment: ") + c.rank + "=" + std::to_string(place.rank) + " is not below " +
                        c.world_size + "=" + std::to_string(place.world_size));
    if (place.launcher == "srun" && !lookup("SLURM_LAUNCH_NODE_IPADDR").empty())
      place.master_addr = lookup("SLURM_LAUNCH_NODE_IPADDR");
    break;
  }
  if (!lookup("MASTER_ADDR").empty()) place.master_addr = lookup("MASTER_ADDR");
  place.master_port = integer_variable(lookup, "MASTER_PORT", place.master_port);
  if (place.master_port == 0 || place.master_port > 65535)
    throw ConfigError("environment variable MASTER_PORT=" + std::to_string(place.master_port) +
                      " is not a port (1 to 65535)");
  return place;
}

ProcessPlace process_place_from_environment() {
  return process_place([](const std::string& name) {
    const char* value = std::getenv(name.c_str());
    return std::string(value ? value : "");
  });
}

bool distributed_backend_built() {
#ifdef USE_C10D_GLOO
  return true;
#else
  return false;
#endif
}

#ifdef USE_C10D_GLOO

struct DataParallel::Group {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
};

DataParallel::DataParallel(const ProcessPlace& place, double timeout_seconds) : place_(place) {
  if (place_.world_size == 1) return;
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000));
  const std::string where = place_.master_addr + ":" + std::to_string(place_.master_port);
  group_ = std::make_unique<Group>();
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(place_.master_port);
    store_options.isServer = place_.rank == 0;
    store_options.numWorkers = static_cast<size_t>(place_.world_size);
    store_options.timeout = timeout;
    group_->store = c10::make_intrusive<c10d::TCPStore>(place_.master_addr, store_options);
    auto options = c10d::ProcessGroupGloo::Options::create();  // collectives wait PyTorch's 30 minutes
    const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
    options->devices.push_back(interface ? c10d::ProcessGroupGloo::createDeviceForInterface(interface)
                                         : c10d::ProcessGroupGloo::createDefaultDevice());
    group_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, static_cast<int>(place_.rank),
                                                               static_cast<int>(place_.world_size), options);
  } catch (const std::exception& e) {
    throw IoError("rank " + std::to_string(place_.rank) + " of " + std::to_string(place_.world_size) + " (" +
                  place_.launcher + ") could not join the rendezvous at " + where +
                  " (MASTER_ADDR, MASTER_PORT): " + e.what());
  }
}

namespace {

/// The tensors, one after the other, in one float32 bucket; an undefined one (a gradient not yet
/// computed) counts as zeros of its parameter's size. `extra` more zeros at the end. On the
/// parameters' device.
at::Tensor to_bucket(const std::vector<at::Tensor>& values, const std::vector<at::Tensor>& shapes, int64_t extra) {
  const at::TensorOptions zeros = shapes.front().options().dtype(at::kFloat);
  std::vector<at::Tensor> parts;
  for (size_t k = 0; k < values.size(); ++k)
    parts.push_back(values[k].defined() ? values[k].detach().reshape(-1).to(at::kFloat)
                                        : at::zeros({shapes[k].numel()}, zeros));
  parts.push_back(at::zeros({extra}, zeros));
  return at::cat(parts);
}

/// The bucket's pieces back into the defined tensors (the inverse of to_bucket).
void from_bucket(const at::Tensor& bucket, const std::vector<at::Tensor>& values, const std::vector<at::Tensor>& shapes) {
  int64_t offset = 0;
  for (size_t k = 0; k < values.size(); ++k) {
    if (values[k].defined()) values[k].detach().copy_(bucket.narrow(0, offset, shapes[k].numel()).view(shapes[k].sizes()));
    offset += shapes[k].numel();
  }
}

}  // namespace

void DataParallel::broadcast_from_root(const std::vector<at::Tensor>& tensors) {
  if (!group_ || tensors.empty()) return;
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> bucket{to_bucket(tensors, tensors, 0)};
  group_->gloo->broadcast(bucket)->wait();
  from_bucket(bucket[0], tensors, tensors);
}

bool DataParallel::sum_gradients(const std::vector<at::Tensor>& parameters, bool failed_here) {
  if (!group_) return failed_here;
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> gradients;
  for (const at::Tensor& p : parameters) gradients.push_back(p.grad());
  std::vector<at::Tensor> bucket{to_bucket(gradients, parameters, 1)};
  bucket[0][-1] = failed_here ? 1.0f : 0.0f;  // a non-finite loss on any rank reaches every rank
  group_->gloo->allreduce(bucket)->wait();
  from_bucket(bucket[0], gradients, parameters);
  return bucket[0][-1].item<float>() > 0;
}

void DataParallel::barrier() {
  if (group_) group_->gloo->barrier()->wait();
}

void DataParallel::sum(at::Tensor& values) {
  if (!group_) return;
  std::vector<at::Tensor> buffer{values};
  group_->gloo->allreduce(buffer)->wait();
}

void DataParallel::sum(std::vector<double>& values) {
  if (!group_ || values.empty()) return;
  std::vector<at::Tensor> buffer{at::tensor(values, at::kDouble)};
  group_->gloo->allreduce(buffer)->wait();
  for (size_t i = 0; i < values.size(); ++i) values[i] = buffer[0][static_cast<int64_t>(i)].item<double>();
}

#else

struct DataParallel::Group {};

DataParallel::DataParallel(const ProcessPlace& place, double) : place_(place) {
  if (place_.world_size > 1)
    throw ConfigError("the environment (" + place_.launcher + ") asks for " + std::to_string(place_.world_size) +
                      " ranks, but this otae was built without c10d's Gloo backend: install libgloo-dev "
                      "(scripts/install-debian-deps.sh) and configure the build again");
}

void DataParallel::broadcast_from_root(const std::vector<at::Tensor>&) {}
bool DataParallel::sum_gradients(const std::vector<at::Tensor>&, bool failed_here) { return failed_here; }
void DataParallel::barrier() {}
void DataParallel::sum(std::vector<double>&) {}
void DataParallel::sum(at::Tensor&) {}

#endif

DataParallel::~DataParallel() = default;

int64_t DataParallel::shards(int64_t minimum_shards) const { return std::max(minimum_shards, place_.world_size); }

ShardRange DataParallel::my_shards(int64_t minimum_shards) const {
  const auto [first, end] = data::shard_rows(shards(minimum_shards), place_.rank, place_.world_size);
  return {first, end - first};
}

DataParallel& data_parallel() {
  static DataParallel process(process_place_from_environment());
  return process;
}

}  // namespace otae::train
