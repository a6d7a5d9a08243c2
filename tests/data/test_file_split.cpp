// `otae data split` in the library: row-aligned, deterministic in the seed, attributes kept.
#include "otae/data/file_split.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "io_test_support.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/layouts.hpp"

namespace otae::data {
namespace {

using testing::expect_io_error;
using testing::ScratchFolder;

// Jets whose every row carries its own index, so that alignment after the split is visible.
std::string write_indexed_jets(const ScratchFolder& folder, int64_t n) {
  const at::Tensor index = at::arange(n, at::kFloat);
  JetTable jets{index.reshape({n, 1, 1}).expand({n, 4, 3}).contiguous() + 1, index.reshape({n, 1}).expand({n, 5}).contiguous()};
  std::vector<NamedArray> arrays = jet_arrays(jets);
  arrays.push_back({"event_id", at::arange(n, at::kLong) * 10, {{"meaning", "run*10"}}});
  const std::string path = folder.file("jets.h5");
  write_arrays(path, arrays, {{"generator", "test"}, {"rows", std::to_string(n)}}, {{"tags", {"a", "b"}}});
  return path;
}

TEST(FileSplit, PartsAreRowAlignedDisjointAndComplete) {
  const ScratchFolder folder;
  const std::string path = write_indexed_jets(folder, 103);
  const std::vector<SplitPart> parts = split_file(path, SplitOptions().seed(7));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].path, folder.file("jets.train.h5"));
  EXPECT_EQ(parts[2].path, folder.file("jets.test.h5"));
  std::vector<float> seen;
  for (const SplitPart& part : parts) {
    const at::Tensor jet = read_array(part.path, "jet"), particles = read_array(part.path, "particles");
    const at::Tensor ids = read_array(part.path, "event_id");
    EXPECT_EQ(jet.size(0), part.rows);
    EXPECT_TRUE(at::equal(particles.select(2, 0).select(1, 0) - 1, jet.select(1, 0)));
    EXPECT_TRUE(at::equal(ids, jet.select(1, 0).to(at::kLong) * 10));
    EXPECT_EQ(ids.scalar_type(), at::kLong);
    for (int64_t i = 0; i < jet.size(0); ++i) seen.push_back(jet[i][0].item<float>());
  }
  EXPECT_EQ(parts[0].rows, 82);  // round(0.8 · 103)
  std::sort(seen.begin(), seen.end());
  std::vector<float> every_row(103);
  std::iota(every_row.begin(), every_row.end(), 0.0f);
  EXPECT_EQ(seen, every_row);
}

TEST(FileSplit, SameSeedSameRowsOtherSeedOtherRows) {
  const ScratchFolder folder;
  const std::string path = write_indexed_jets(folder, 50);
  const auto train_rows = [&](uint64_t seed, const std::string& prefix) {
    split_file(path, SplitOptions().seed(seed), folder.file(prefix));
    return read_array(folder.file(prefix + ".train.h5"), "jet").select(1, 0);
  };
  const at::Tensor first = train_rows(3, "a"), again = train_rows(3, "b"), other = train_rows(4, "c");
  EXPECT_TRUE(at::equal(first, again));
  EXPECT_FALSE(at::equal(first, other));
}

TEST(FileSplit, KeepsAttributesAndRecordsTheSplit) {
  const ScratchFolder folder;
  const std::string path = write_indexed_jets(folder, 20);
  const std::vector<SplitPart> parts = split_file(path, SplitOptions().train(0.5).validation(0.5).test(0.0).seed(1));
  ASSERT_EQ(parts.size(), 2u);  // no test file for a zero fraction
  EXPECT_FALSE(std::filesystem::exists(folder.file("jets.test.h5")));
  const Attributes root = read_attributes(parts[1].path);
  EXPECT_EQ(root.at("generator"), "test");
  EXPECT_EQ(root.at("rows"), "10");
  EXPECT_EQ(root.at("split_part"), "validation");
  EXPECT_EQ(root.at("split_seed"), "1");
  EXPECT_EQ(root.at("split_source"), path);
  EXPECT_EQ(read_list_attributes(parts[1].path).at("tags"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(read_list_attributes(parts[1].path, "jet").at("columns"), kJetColumns);
  EXPECT_EQ(read_attributes(parts[1].path, "event_id").at("meaning"), "run*10");
}

TEST(FileSplit, MisalignedDatasetsAreRefused) {
  const ScratchFolder folder;
  const std::string path = folder.file("mixed.h5");
  write_arrays(path, {{"z", at::zeros({10, 8})}, {"x", at::zeros({9, 8})}});
  expect_io_error([&] { split_file(path, SplitOptions()); }, {path, "'z' has 10 rows", "'x' has 9"});
  EXPECT_THROW(split_file(path, SplitOptions().train(0.9).validation(0.2)), InvalidArgument);
}

}  // namespace
}  // namespace otae::data
