// Sinkhorn EMD against the exact EMD (network simplex) on real W jets from the embedded sample:
// the paper's defaults on uncentred and centred jets, and the sharper preset on centred jets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include <ATen/ATen.h>

#include "otae/data/hdf5.hpp"
#include "otae/data/preprocessing.hpp"
#include "otae/ot/pairwise.hpp"
#include "otae/ot/sinkhorn.hpp"

namespace otae::ot {
namespace {

constexpr int64_t kPairs = 250;

struct Quantiles {
  double median, p95;
};

Quantiles relative_error_quantiles(const at::Tensor& jets, const SinkhornOptions& options) {
  const at::Tensor a = jets.narrow(0, 0, kPairs), b = jets.narrow(0, kPairs, kPairs);
  const at::Tensor exact =
      exact_emd_paired(a, b, PairwiseOptions().emd(ExactEmdOptions().norm(true))).values;
  auto weights = [](const at::Tensor& j) { return j.select(2, 0).to(at::kDouble) / j.select(2, 0).to(at::kDouble).sum(1, true); };
  auto positions = [](const at::Tensor& j) { return j.narrow(2, 1, 2).to(at::kDouble); };
  const at::Tensor sinkhorn = sinkhorn_emd(weights(a), positions(a), weights(b), positions(b), options).cost;
  const at::Tensor err = std::get<0>(((sinkhorn - exact).abs() / exact).sort());
  return {err[kPairs / 2].item<double>(), err[static_cast<int64_t>(0.95 * kPairs)].item<double>()};
}

at::Tensor embedded_w_jets() {
  return data::read_jet_particles(std::string(OTAE_SOURCE_DIR) + "/samples/wjets_small.h5").narrow(0, 0, 2 * kPairs);
}

TEST(SinkhornAccuracy, PaperDefaultsOnUncentredWJets) {
  const Quantiles q = relative_error_quantiles(embedded_w_jets(), SinkhornOptions());
  std::printf("uncentred, paper defaults: median %.3f %%, 95th percentile %.3f %%\n", 100 * q.median, 100 * q.p95);
  EXPECT_LE(q.median, 0.005);
  EXPECT_LE(q.p95, 0.02);
}

TEST(SinkhornAccuracy, PaperDefaultsOnCentredWJets) {
  const at::Tensor jets = data::preprocess_jets(embedded_w_jets()).particles;
  const Quantiles q = relative_error_quantiles(jets, SinkhornOptions());
  std::printf("centred, paper defaults: median %.3f %%, 95th percentile %.3f %%\n", 100 * q.median, 100 * q.p95);
  EXPECT_LE(q.median, 0.005);
  EXPECT_LE(q.p95, 0.04);
}

TEST(SinkhornAccuracy, SharpPresetOnCentredWJets) {
  const at::Tensor jets = data::preprocess_jets(embedded_w_jets()).particles;
  const Quantiles q = relative_error_quantiles(jets, SinkhornOptions::sharp());
  std::printf("centred, sharp preset: median %.3f %%, 95th percentile %.3f %%\n", 100 * q.median, 100 * q.p95);
  EXPECT_LE(q.p95, 0.02);
}

}  // namespace
}  // namespace otae::ot
