// Traversal grids and the EMD between neighbouring decoded jets, on jets whose EMDs are known.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "otae/analysis/traversal.hpp"
#include "otae/base/error.hpp"

namespace {

namespace analysis = otae::analysis;

TEST(TraversalGrid, ReferenceDefaultsOnTwoDirections) {
  const at::Tensor grid = analysis::traversal_grid(6, {4, 1});
  ASSERT_EQ(grid.sizes(), (std::vector<int64_t>{9, 9, 6}));
  EXPECT_EQ(grid.scalar_type(), at::kFloat);
  for (int64_t i = 0; i < 9; ++i)
    for (int64_t j = 0; j < 9; ++j) {
      const at::Tensor code = grid[i][j];
      EXPECT_FLOAT_EQ(code[4].item<float>(), static_cast<float>((i - 4) * M_PI / 4));
      EXPECT_FLOAT_EQ(code[1].item<float>(), static_cast<float>((j - 4) * M_PI / 4));
      for (int64_t other : {0, 2, 3, 5}) EXPECT_EQ(code[other].item<float>(), 0.0f);
    }
  EXPECT_TRUE(at::equal(grid[4][4], at::zeros({6})));  // the prior's mode at the centre
}

TEST(TraversalGrid, ThreeDirectionsAndOtherSteps) {
  const auto options = analysis::TraversalOptions().points_per_axis(7).step(0.5);
  const at::Tensor grid = analysis::traversal_grid(3, {0, 1, 2}, options);
  ASSERT_EQ(grid.sizes(), (std::vector<int64_t>{7, 7, 7, 3}));
  EXPECT_TRUE(at::allclose(grid[0][6][3], at::tensor({-1.5f, 1.5f, 0.0f})));
  EXPECT_EQ(analysis::traversal_values(options), (std::vector<double>{-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5}));
  EXPECT_EQ(analysis::traversal_grid(2, {1}, options).sizes(), (std::vector<int64_t>{7, 2}));
}

TEST(TraversalGrid, RejectsBadRequests) {
  EXPECT_THROW(analysis::traversal_grid(4, {0, 4}), otae::InvalidArgument);
  EXPECT_THROW(analysis::traversal_grid(4, {1, 1}), otae::InvalidArgument);
  EXPECT_THROW(analysis::traversal_grid(4, {}), otae::InvalidArgument);
  EXPECT_THROW(analysis::traversal_grid(4, {0, 1, 2, 3}), otae::InvalidArgument);
  EXPECT_THROW(analysis::traversal_grid(4, {0}, analysis::TraversalOptions().points_per_axis(8)),
               otae::InvalidArgument);
  EXPECT_THROW(analysis::traversal_grid(4, {0}, analysis::TraversalOptions().step(0.0)), otae::InvalidArgument);
}

// A G × G grid of one-particle jets (plus a padding row) at η = 0.1 i, φ = 0.2 j: moving all of
// the pT costs the distance moved, so neighbours are 0.1 apart along axis 0 and 0.2 along axis 1.
at::Tensor single_particle_grid(int64_t g) {
  at::Tensor jets = at::zeros({g, g, 2, 3}, at::kDouble);
  for (int64_t i = 0; i < g; ++i)
    for (int64_t j = 0; j < g; ++j) {
      jets[i][j][0][0] = 1.0;
      jets[i][j][0][1] = 0.1 * static_cast<double>(i);
      jets[i][j][0][2] = 0.2 * static_cast<double>(j);
    }
  return jets;
}

TEST(TraversalEmds, NeighboursAlongEachGridLine) {
  const auto emds = analysis::traversal_emds(single_particle_grid(5), otae::ot::PairwiseOptions().threads(1));
  ASSERT_EQ(emds.size(), 2u);
  ASSERT_EQ(emds[0].sizes(), (std::vector<int64_t>{4, 5}));
  ASSERT_EQ(emds[1].sizes(), (std::vector<int64_t>{5, 4}));
  EXPECT_TRUE(at::allclose(emds[0], at::full({4, 5}, 0.1, at::kDouble), 0, 1e-12));
  EXPECT_TRUE(at::allclose(emds[1], at::full({5, 4}, 0.2, at::kDouble), 0, 1e-12));
}

TEST(TraversalEmds, OneAxisAndBadShapes) {
  const at::Tensor line = single_particle_grid(3).select(1, 0);  // [3, 2, 3]
  const auto emds = analysis::traversal_emds(line);
  ASSERT_EQ(emds.size(), 1u);
  EXPECT_TRUE(at::allclose(emds[0], at::full({2}, 0.1, at::kDouble), 0, 1e-12));
  EXPECT_THROW(analysis::traversal_emds(at::zeros({3, 4})), otae::InvalidArgument);
  EXPECT_THROW(analysis::traversal_emds(at::zeros({1, 2, 3})), otae::InvalidArgument);
}

TEST(TraversalEmds, JsonLayout) {
  const auto options = analysis::TraversalOptions().points_per_axis(5);
  const at::Tensor decoded = single_particle_grid(5);
  const auto emds = analysis::traversal_emds(decoded);
  const auto json = analysis::traversal_to_json({3, 0}, options, decoded, at::zeros({10, 2}), emds);
  EXPECT_EQ(json["directions"], (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(json["values"].size(), 5u);
  EXPECT_EQ(json["decoded"].size(), 5u);
  EXPECT_EQ(json["decoded"][4][3][0].size(), 3u);
  EXPECT_DOUBLE_EQ(json["decoded"][4][3][0][2].get<double>(), 0.2 * 3);
  EXPECT_EQ(json["encoded_means"].size(), 10u);
  EXPECT_EQ(json["emds"][1].size(), 5u);
  EXPECT_TRUE(analysis::traversal_to_json({3, 0}, options, decoded, at::Tensor(), emds)["encoded_means"].empty());
}

}  // namespace
