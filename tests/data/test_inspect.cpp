// The file summary behind `otae data inspect`, and the layout helpers it reads back.
#include "otae/data/inspect.hpp"

#include <gtest/gtest.h>

#include "io_test_support.hpp"
#include "otae/data/layouts.hpp"

namespace otae::data {
namespace {

using testing::ScratchFolder;

TEST(Inspect, SummarisesJetsWithPaddingQuantilesAndNonFinite) {
  const ScratchFolder folder;
  const std::string path = folder.file("jets.h5");
  // 4 jets of 5 slots; pT 1…12 in the first 3 slots, the last 2 padded; one NaN φ.
  at::Tensor particles = at::zeros({4, 5, 3}, at::kFloat);
  particles.narrow(1, 0, 3).select(2, 0).copy_(at::arange(1, 13, at::kFloat).reshape({4, 3}));
  particles[2][1][2] = NAN;
  write_arrays(path, jet_arrays({particles, at::ones({4, 5})}), {{"generator", "test"}});
  const FileSummary summary = inspect_file(path);
  EXPECT_EQ(summary.attributes.at("generator"), "test");
  ASSERT_EQ(summary.datasets.size(), 2u);
  const DatasetSummary& p = summary.datasets[1];
  EXPECT_EQ(p.name, "particles");
  EXPECT_EQ(p.shape, (std::vector<int64_t>{4, 5, 3}));
  EXPECT_EQ(p.dtype, "float32");
  EXPECT_EQ(p.rows, 4);
  EXPECT_DOUBLE_EQ(p.padding_fraction, 0.4);
  EXPECT_EQ(p.non_finite, 1);
  ASSERT_EQ(p.columns.size(), 3u);
  EXPECT_EQ(p.columns[0].name, "pt_GeV");
  EXPECT_EQ(p.columns[0].quantiles, (std::vector<double>{1.0, 1.11, 6.5, 11.89, 12.0}));
  EXPECT_EQ(summary.datasets[0].columns[3].name, "mass_GeV");
}

TEST(Inspect, NamesEventColumnsByObject) {
  const ScratchFolder folder;
  const std::string path = folder.file("z.h5");
  EventTable table;
  table.events = at::ones({3, 8});
  table.objects = {"e-", "e+"};
  write_arrays(path, {event_array("z", table)});
  const DatasetSummary z = inspect_file(path).datasets[0];
  EXPECT_EQ(z.columns[0].name, "e- px_GeV");
  EXPECT_EQ(z.columns[7].name, "e+ E_GeV");
  EXPECT_EQ(z.padding_fraction, 0.0);
}

TEST(Layouts, ShapesAreChecked) {
  EXPECT_THROW(jet_arrays({at::zeros({2, 5, 4}), at::zeros({2, 5})}), InvalidArgument);
  EXPECT_THROW(jet_arrays({at::zeros({2, 5, 3}), at::zeros({3, 5})}), InvalidArgument);
  EventTable table;
  table.events = at::zeros({2, 7});
  table.objects = {"e-", "e+"};
  EXPECT_THROW(event_array("x", table), InvalidArgument);
}

}  // namespace
}  // namespace otae::data
