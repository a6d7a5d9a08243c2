// Sinkhorn EMDs over many jets: the matrix, symmetric and paired layouts against sinkhorn_emd
// called pair by pair, independent of the batch size, with progress reports and shape errors.
#include <gtest/gtest.h>

#include <vector>

#include "otae/base/error.hpp"
#include "otae/ot/sinkhorn_pairwise.hpp"

namespace otae::ot {
namespace {

/// Jets [n, 6, 3] (pT [GeV], η, φ) with a padding row in the last one.
at::Tensor random_jets(int64_t n, uint64_t seed) {
  at::manual_seed(seed);
  at::Tensor jets = at::rand({n, 6, 3}, at::kDouble);
  jets.select(2, 0).mul_(100).add_(1);
  jets.select(2, 1).sub_(0.5);
  jets[n - 1][5][0] = 0.0;
  return jets;
}

double one_pair(const at::Tensor& a, const at::Tensor& b) {
  auto weights = [](const at::Tensor& jet) { return (jet.select(1, 0) / jet.select(1, 0).sum()).unsqueeze(0); };
  return sinkhorn_emd(weights(a), a.narrow(1, 1, 2).unsqueeze(0), weights(b), b.narrow(1, 1, 2).unsqueeze(0))
      .cost.item<double>();
}

TEST(SinkhornPairwise, MatrixIsEveryPairOnItsOwn) {
  const at::Tensor a = random_jets(4, 1), b = random_jets(3, 2);
  const at::Tensor d = sinkhorn_emd_matrix(a, b);
  ASSERT_EQ(d.sizes(), (std::vector<int64_t>{4, 3}));
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 3; ++j) EXPECT_NEAR(d[i][j].item<double>(), one_pair(a[i], b[j]), 1e-12) << i << " " << j;
  // the batch size is memory, not numbers
  EXPECT_TRUE(at::allclose(sinkhorn_emd_matrix(a, b, SinkhornPairwiseOptions().pairs_per_batch(5)), d, 0, 1e-12));
}

TEST(SinkhornPairwise, SymmetricSolvesEachPairOnceAndPairedTheDiagonal) {
  const at::Tensor a = random_jets(5, 3), b = random_jets(5, 4);
  std::vector<std::pair<int64_t, int64_t>> reports;
  const at::Tensor s = sinkhorn_emd_symmetric(
      a, SinkhornPairwiseOptions().pairs_per_batch(4).progress([&](int64_t done, int64_t total) {
        reports.emplace_back(done, total);
      }));
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back(), std::make_pair(int64_t{10}, int64_t{10}));  // 5 · 4 / 2 pairs
  EXPECT_EQ(reports.size(), 3u);                                         // batches of 4, 4, 2
  EXPECT_TRUE(at::equal(s, s.t()));
  EXPECT_EQ(s.diagonal().abs().max().item<double>(), 0.0);
  EXPECT_NEAR(s[1][3].item<double>(), one_pair(a[1], a[3]), 1e-12);
  const at::Tensor paired = sinkhorn_emd_paired(a, b);
  EXPECT_TRUE(at::allclose(paired, sinkhorn_emd_matrix(a, b).diagonal(), 0, 1e-12));
}

TEST(SinkhornPairwise, RejectsBadShapesNamingTheArgument) {
  const at::Tensor a = random_jets(3, 5);
  EXPECT_THROW(sinkhorn_emd_paired(a, random_jets(4, 6)), InvalidArgument);
  try {
    sinkhorn_emd_matrix(a, at::ones({3, 6}, at::kDouble));
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("jets_b"), std::string::npos) << e.what();
  }
  EXPECT_THROW(sinkhorn_emd_symmetric(a, SinkhornPairwiseOptions().pairs_per_batch(0)), InvalidArgument);
}

}  // namespace
}  // namespace otae::ot
