#include "otae/data/event_pairs.hpp"

#include <algorithm>
#include <limits>
#include <sstream>

#include "otae/base/error.hpp"
#include "otae/base/seed_streams.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/split.hpp"
#include "seeded_random.hpp"

namespace otae::data {

namespace {

// Streams of one seed: the z order, the x order, and the cut into halves.
constexpr uint64_t kZStream = 1;
constexpr uint64_t kXStream = 2;
constexpr uint64_t kHalvesPurpose = 3;

constexpr int64_t kColumnsPerObject = 4;  // px, py, pz, E

at::Tensor checked_events(at::Tensor events, const char* name) {
  std::ostringstream problem;
  if (!events.defined()) {
    problem << "an undefined tensor";
  } else if (events.dim() != 2 || events.size(0) < 1 || events.size(1) < kColumnsPerObject ||
             events.size(1) % kColumnsPerObject != 0 || !at::isFloatingType(events.scalar_type()) ||
             !events.device().is_cpu()) {
    problem << events.toString() << " of shape " << events.sizes() << " on " << events.device();
  }
  if (!problem.str().empty())
    throw InvalidArgument(std::string("EventPairs: ") + name +
                          " must be a CPU floating tensor [N ≥ 1, 4·k] of (px, py, pz, E) per object, received " +
                          problem.str());
  const at::Tensor finite = at::isfinite(events);
  if (!finite.all().item<bool>()) {
    const at::Tensor where = (~finite).nonzero()[0];
    throw InvalidArgument(std::string("EventPairs: ") + name + " has a non-finite value in row " +
                          std::to_string(where[0].item<int64_t>()) + ", column " +
                          std::to_string(where[1].item<int64_t>()));
  }
  return events.to(at::kFloat).contiguous();
}

std::vector<at::Tensor> take_batches(const at::Tensor& rows, const UnpairedEpochOptions& options) {
  return batch_slices(rows, options.batch_size(), options.drop_last());
}

}  // namespace

EventPairs::EventPairs(at::Tensor z, at::Tensor x)
    : z_(checked_events(std::move(z), "z")), x_(checked_events(std::move(x), "x")) {
  if (z_.size(0) != x_.size(0))
    throw InvalidArgument("EventPairs: z has " + std::to_string(z_.size(0)) + " rows but x has " +
                          std::to_string(x_.size(0)) + "; row i of each must be the same event");
}

EventBatch EventPairs::paired_batch(const at::Tensor& rows) const {
  check_rows(rows, size(), "EventPairs::paired_batch");
  return {rows, rows, z_.index_select(0, rows), x_.index_select(0, rows)};
}

EventBatch EventPairs::unpaired_batch(const at::Tensor& z_rows, const at::Tensor& x_rows) const {
  check_rows(z_rows, size(), "EventPairs::unpaired_batch (z rows)");
  check_rows(x_rows, size(), "EventPairs::unpaired_batch (x rows)");
  if (z_rows.size(0) != x_rows.size(0))
    throw InvalidArgument("EventPairs::unpaired_batch: " + std::to_string(z_rows.size(0)) + " z rows but " +
                          std::to_string(x_rows.size(0)) + " x rows; a batch needs as many of each");
  return {z_rows, x_rows, z_.index_select(0, z_rows), x_.index_select(0, x_rows)};
}

UnpairedEpoch unpaired_epoch(const at::Tensor& train_rows, int64_t epoch, const UnpairedEpochOptions& options) {
  check_rows(train_rows, std::numeric_limits<int64_t>::max(), "unpaired_epoch");
  if (train_rows.size(0) < 2)
    throw InvalidArgument("unpaired_epoch: needs at least 2 training rows, received " +
                          std::to_string(train_rows.size(0)));
  at::Tensor z_pool = train_rows, x_pool = train_rows;
  if (options.sampling() == UnpairedSampling::kDisjointHalves) {
    const int64_t half = train_rows.size(0) / 2;
    const at::Tensor cut = train_rows.index_select(
        0, seeded_permutation(train_rows.size(0), derive_seed(options.seed(), {kHalvesPurpose})));
    z_pool = cut.narrow(0, 0, half);
    x_pool = cut.narrow(0, half, half);
  }
  return {take_batches(epoch_order(z_pool, options.seed(), epoch, kZStream), options),
          take_batches(epoch_order(x_pool, options.seed(), epoch, kXStream), options)};
}

EventPairs load_event_pairs(const std::string& path) {
  return EventPairs(read_array(path, "z"), read_array(path, "x"));
}

UnpairedSamples load_unpaired_events(const std::string& z_path, const std::string& x_path, uint64_t seed) {
  const at::Tensor z = read_array(z_path, "z").to(at::kFloat), x = read_array(x_path, "x").to(at::kFloat);
  const int64_t n = std::min(z.size(0), x.size(0));
  auto cut = [&](const at::Tensor& events, uint64_t stream) {
    if (events.size(0) == n) return events;
    const at::Tensor rows = seeded_permutation(events.size(0), linear_stream_seed(seed, stream)).narrow(0, 0, n);
    return events.index_select(0, std::get<0>(rows.sort()));
  };
  return {EventPairs(cut(z, 1), cut(x, 2)), z.size(0), x.size(0)};
}

}  // namespace otae::data
