#include "otae/train/vae_data.hpp"

#include "otae/base/error.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/preprocessing.hpp"
#include "otae/data/split.hpp"
#include "otae/data/toy_datasets.hpp"

namespace otae::train {

namespace {

at::Tensor first_rows(const at::Tensor& table, int64_t max_rows) {
  return max_rows > 0 && table.size(0) > max_rows ? table.narrow(0, 0, max_rows).contiguous() : table;
}

}  // namespace

VaeData VaeData::load(const VaeDataOptions& options) {
  if (options.source().empty())
    throw ConfigError("no data to train on: give --data FILE.h5 (or a toy spec) or set data.source");
  VaeData result;
  if (data::is_toy_spec(options.source())) {
    result.vectors_ = first_rows(data::make_toy(options.source()), options.max_rows());
  } else {
    const at::Tensor particles =
        first_rows(data::read_jet_particles(options.source(), options.dataset()), options.max_rows());
    result.jets_.emplace(particles, data::JetPreprocessing().normalise_pt(true).centre(options.centre()));
  }
  return result;
}

int64_t VaeData::size() const { return jets_ ? jets_->size() : vectors_.size(0); }

int64_t VaeData::row_width() const { return jets_ ? jets_->particles_per_jet() : vectors_.size(1); }

VaeBatch VaeData::batch(const at::Tensor& rows) const {
  if (jets_) {
    data::JetBatch jets = jets_->batch(rows);
    return {jets.features, jets.particles};
  }
  data::check_rows(rows, vectors_.size(0), "VaeData::batch");
  const at::Tensor x = vectors_.index_select(0, rows);
  return {x, x};
}

double VaeData::energy_scale(const at::Tensor& rows) const { return jets_ ? jets_->mean_ht(rows) : 1.0; }

}  // namespace otae::train
