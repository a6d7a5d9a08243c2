// Distance work in shards: `otae emd --shard K/N` in three jobs and `otae data merge` give the file
// that one `otae emd` writes, bit for bit (symmetric, cross and paired; exact and Sinkhorn), and the
// merge refuses shards that do not belong together.
#include <gtest/gtest.h>

#include <filesystem>

#include "otae/base/error.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/ot/pairwise.hpp"
#include "../support/run_otae.hpp"
#include "../support/temporary_folder.hpp"

namespace {

namespace fs = std::filesystem;
using otae::testing::CommandTest;
using otae::testing::Outcome;

const std::string kW = std::string(OTAE_SOURCE_DIR) + "/samples/wjets_small.h5";
const std::string kQcd = std::string(OTAE_SOURCE_DIR) + "/samples/qcdjets_small.h5";

TEST(EmdSymmetricShard, ShardsCoverEveryPairOnceWithTheMatrixValues) {
  const at::Tensor jets = otae::data::read_jet_particles(kW).narrow(0, 0, 61);
  const at::Tensor whole = otae::ot::exact_emd_symmetric(jets);
  at::Tensor merged = at::zeros_like(whole), covered = at::zeros_like(whole);
  // a pair's work: the arcs of its transport problem, n_i·n_j
  const at::Tensor multiplicity = (jets.select(2, 0) > 0).sum(1).to(at::kDouble);
  const double total_work = ((multiplicity.sum().square() - multiplicity.square().sum()) / 2).item<double>();
  for (int64_t shard = 0; shard < 4; ++shard) {
    const otae::ot::MatrixEntries e = otae::ot::exact_emd_symmetric_shard(jets, shard, 4);
    // balanced: each shard's work within 3 % of the whole of a quarter (one task is < 1 %)
    const double work = (multiplicity.index_select(0, e.rows) * multiplicity.index_select(0, e.columns)).sum().item<double>();
    EXPECT_NEAR(work / total_work, 0.25, 0.03) << shard << ": " << work / total_work;
    merged.index_put_({e.rows, e.columns}, e.values);
    merged.index_put_({e.columns, e.rows}, e.values);
    covered.index_put_({e.rows, e.columns}, at::ones_like(e.values), true);
    covered.index_put_({e.columns, e.rows}, at::ones_like(e.values), true);
  }
  EXPECT_TRUE(at::equal(merged, whole));  // bit for bit
  covered.diagonal().fill_(1);
  EXPECT_TRUE(at::equal(covered, at::ones_like(covered)));
  EXPECT_THROW(otae::ot::exact_emd_symmetric_shard(jets, 4, 4), otae::InvalidArgument);
}

class EmdShards : public CommandTest {
 protected:
  EmdShards() : CommandTest("emd_shards") {}
  /// A file of the test's folder.
  std::string in(const std::string& name) const { return folder_ / name; }

  /// `otae emd ARGS` whole, and in three shards merged; expects the two files to hold the same
  /// distances bit for bit and the same attributes but the command line.
  void expect_merge_equals_whole(const std::string& arguments) {
    ASSERT_EQ(otae("emd " + arguments + " --out " + in("whole.h5")).status, 0) << arguments;
    std::string parts;
    for (const char* k : {"3", "1", "2"}) {
      const std::string part = in(std::string("part") + k + ".h5");
      const Outcome shard = otae("emd " + arguments + " --shard " + k + "/3 --out " + part);
      ASSERT_EQ(shard.status, 0) << shard.output;
      parts += " " + part;
    }
    const Outcome merged = otae("data merge" + parts + " --out " + in("merged.h5"));
    ASSERT_EQ(merged.status, 0) << merged.output;
    const at::Tensor a = otae::data::read_array(folder_ / "whole.h5", "distances"),
                     b = otae::data::read_array(folder_ / "merged.h5", "distances");
    EXPECT_TRUE(at::equal(a, b)) << arguments << ": largest difference " << (a - b).abs().max().item<double>();
    EXPECT_GT(a.abs().max().item<double>(), 0.0);
    EXPECT_EQ(otae::data::read_attributes(folder_ / "whole.h5", "distances"),
              otae::data::read_attributes(folder_ / "merged.h5", "distances"));
    auto root = [&](const std::string& name) {
      auto attributes = otae::data::read_attributes(folder_ / name);
      attributes.erase("command_line");
      return attributes;
    };
    EXPECT_EQ(root("whole.h5"), root("merged.h5"));
  }
};

TEST_F(EmdShards, ThreeShardsMergedAreTheFileOfOneRun) {
  expect_merge_equals_whole(kW + " " + kW + " --max-jets 70");                        // symmetric, exact
  expect_merge_equals_whole(kW + " " + kQcd + " --max-jets 40 --centre");             // cross matrix
  expect_merge_equals_whole(kW + " " + kQcd + " --max-jets 100 --paired");            // paired
  expect_merge_equals_whole(kW + " " + kQcd + " --max-jets 50 --paired --method sinkhorn");
  expect_merge_equals_whole(kW + " " + kQcd + " --max-jets 20 --method sinkhorn");
}

TEST_F(EmdShards, MergeRefusesShardsThatDoNotBelongTogether) {
  const std::string base = "emd " + kW + " " + kW + " --max-jets 30";
  for (const char* k : {"1", "2", "3"})
    ASSERT_EQ(otae(base + " --shard " + std::string(k) + "/3 --out " + in(std::string("p") + k + ".h5")).status, 0);
  ASSERT_EQ(otae(base + " --R 0.8 --shard 3/3 --out " + in("other_R.h5")).status, 0);
  ASSERT_EQ(otae("emd " + kW + " " + kW + " --max-jets 31 --shard 3/3 --out " + in("other_jets.h5")).status, 0);
  const std::string p1 = in("p1.h5"), p2 = in("p2.h5"), out = " --out " + in("m.h5");

  const Outcome missing = otae("data merge " + p1 + " " + p2 + out);
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.diagnostics.find("has 2 of the 3 shards"), std::string::npos) << missing.diagnostics;
  const Outcome doubled = otae("data merge " + p1 + " " + p2 + " " + p2 + out);
  EXPECT_EQ(doubled.status, 1);
  EXPECT_NE(doubled.diagnostics.find("p2.h5 is shard 2/3, which another file given already is"), std::string::npos)
      << doubled.diagnostics;
  const Outcome other_option = otae("data merge " + p1 + " " + p2 + " " + in("other_R.h5") + out);
  EXPECT_EQ(other_option.status, 1);
  EXPECT_NE(other_option.diagnostics.find("its attribute R is"), std::string::npos) << other_option.diagnostics;
  const Outcome other_jets = otae("data merge " + p1 + " " + p2 + " " + in("other_jets.h5") + out);
  EXPECT_EQ(other_jets.status, 1);
  EXPECT_NE(other_jets.diagnostics.find("other_jets.h5 is not a shard of the computation of " + p1), std::string::npos)
      << other_jets.diagnostics;
  EXPECT_FALSE(fs::exists(folder_ / "m.h5"));
  EXPECT_EQ(otae(base + " --shard 4/3 --out " + in("bad.h5")).status, 2);
  EXPECT_EQ(otae(base + " --shard 0/3 --out " + in("bad.h5")).status, 2);
}

}  // namespace
