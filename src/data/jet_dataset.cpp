#include "otae/data/jet_dataset.hpp"

#include "otae/data/hdf5.hpp"
#include "otae/data/split.hpp"

namespace otae::data {

namespace {

// A float32 contiguous CPU tensor is used as it is; anything else becomes one (a copy).
at::Tensor float32_rows(at::Tensor particles) {
  check_jets(particles, "JetDataset");
  return particles.to(at::kFloat).contiguous();
}

}  // namespace

JetDataset::JetDataset(at::Tensor particles, const JetPreprocessing& preprocessing)
    : preprocessing_(preprocessing), particles_(float32_rows(std::move(particles))) {
  ht_ = preprocess_jets_(particles_, preprocessing_);
}

double JetDataset::mean_ht() const { return ht_.to(at::kDouble).mean().item<double>(); }

double JetDataset::mean_ht(const at::Tensor& rows) const {
  check_rows(rows, size(), "JetDataset::mean_ht");
  return ht_.index_select(0, rows).to(at::kDouble).mean().item<double>();
}

JetBatch JetDataset::batch(const at::Tensor& rows) const {
  check_rows(rows, size(), "JetDataset::batch");
  at::Tensor particles = particles_.index_select(0, rows);
  at::Tensor features = network_features(particles);
  return {rows, particles, features, ht_.index_select(0, rows)};
}

JetDataset load_jet_dataset(const std::string& path, const JetPreprocessing& preprocessing,
                            const std::string& dataset) {
  return JetDataset(read_jet_particles(path, dataset), preprocessing);
}

}  // namespace otae::data
