// `otae data mix` in the library: every jet of both files once, its label and jet row following
// it through the shuffle, the same order for the same seed, and clear errors.
#include <gtest/gtest.h>

#include "io_test_support.hpp"
#include "otae/data/file_mix.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/layouts.hpp"

namespace otae::data {
namespace {

using testing::expect_io_error;
using testing::ScratchFolder;

/// n jets whose particles and jet rows all carry `offset + index`, so each row names its origin.
std::string write_tagged_jets(const ScratchFolder& folder, const std::string& name, int64_t n, float offset) {
  const at::Tensor tag = at::arange(n, at::kFloat) + offset;
  const JetTable jets{tag.reshape({n, 1, 1}).expand({n, 4, 3}).contiguous(),
                      tag.reshape({n, 1}).expand({n, 5}).contiguous()};
  const std::string path = folder.file(name);
  write_arrays(path, jet_arrays(jets));
  return path;
}

TEST(FileMix, ShufflesBothFilesWithTheirLabels) {
  const ScratchFolder folder;
  const std::string top = write_tagged_jets(folder, "top.h5", 30, 0.0f);
  const std::string qcd = write_tagged_jets(folder, "qcd.h5", 20, 1000.0f);
  const std::string out = folder.file("mixed.h5");
  const MixedSample mixed = mix_jet_files(top, qcd, out, MixOptions().seed(4));
  EXPECT_EQ(mixed.first_rows, 30);
  EXPECT_EQ(mixed.second_rows, 20);
  const at::Tensor tags = read_array(out, "particles").select(2, 0).select(1, 0);
  const at::Tensor labels = read_array(out, "label");
  EXPECT_EQ(labels.scalar_type(), at::kLong);
  EXPECT_TRUE(at::equal(labels, (tags >= 1000).to(at::kLong)));
  EXPECT_TRUE(at::equal(read_array(out, "jet").select(1, 0), tags));
  EXPECT_TRUE(
      at::equal(std::get<0>(tags.sort()), at::cat({at::arange(30, at::kFloat), at::arange(20, at::kFloat) + 1000})));
  // Shuffled, not stacked: label 1 rows are spread through the file.
  EXPECT_GT(labels.narrow(0, 0, 25).sum().item<int64_t>(), 0);
  const std::string again = folder.file("again.h5");
  mix_jet_files(top, qcd, again, MixOptions().seed(4));
  EXPECT_TRUE(at::equal(read_array(again, "particles"), read_array(out, "particles")));
}

TEST(FileMix, TakesTheFirstRowsOfEachFile) {
  const ScratchFolder folder;
  const std::string a = write_tagged_jets(folder, "a.h5", 30, 0.0f);
  const std::string b = write_tagged_jets(folder, "b.h5", 20, 1000.0f);
  const std::string out = folder.file("mixed.h5");
  mix_jet_files(a, b, out, MixOptions().rows_per_file(10));
  const at::Tensor tags = read_array(out, "particles").select(2, 0).select(1, 0);
  EXPECT_EQ(tags.size(0), 20);
  EXPECT_LT(tags.max().item<float>(), 1010.0f);
  EXPECT_EQ(read_array(out, "label").sum().item<int64_t>(), 10);
  expect_io_error([&] { mix_jet_files(a, b, out, MixOptions().rows_per_file(25)); }, {b, "20 rows", "25"});
}

}  // namespace
}  // namespace otae::data
