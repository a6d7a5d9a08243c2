// Latent traversals (Collins 2021, Fig. 8): a grid of codes along the most informative
// directions, to be decoded into jets and drawn, and the exact EMD between neighbouring decoded
// jets, which checks that equal steps in latent space are equal steps in jet space.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "otae/base/arg.hpp"
#include "otae/ot/pairwise.hpp"
#include "otae/physics/units.hpp"

namespace otae::analysis {

/// The grid's points per axis and their spacing, in units of the prior's standard deviation.
/// Defaults are the reference's: 9 points, (i − 4)·π/4, spanning ±π.
struct TraversalOptions {
  /// G, odd, so that the prior's mode 0 is a grid point.
  OTAE_ARG(int64_t, points_per_axis, 9);
  OTAE_ARG(double, step, physics::kPi / 4);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument (echoing the value) unless G is odd and ≥ 3 and the step finite, > 0.
  void validate() const;
};

/// Latent codes on a grid along `directions` (1 to 3 of them, e.g. the top of rank_directions):
/// [G, …, G, K] float32 with one G per direction, where code[i₀, i₁, …][directions[a]] =
/// (i_a − (G − 1)/2)·step and every other coordinate is 0. Throws InvalidArgument on bad options,
/// latent_dim < 1, or a direction repeated or outside [0, latent_dim).
at::Tensor traversal_grid(int64_t latent_dim, const std::vector<int64_t>& directions,
                          const TraversalOptions& options = {});

/// The values along one axis of the grid: [G] float64, (i − (G − 1)/2)·step.
std::vector<double> traversal_values(const TraversalOptions& options = {});

/// Exact EMDs between neighbouring decoded jets of a traversal grid.
///   decoded [G, …, G, M, 3] (pT or pT/HT, η, φ) float32/float64: the decoded grid, with d ≥ 1
///   grid axes. Returns d tensors of float64, the a-th of the grid's shape with axis a one
///   shorter: EMD(decoded[…, i_a, …], decoded[…, i_a + 1, …]). Units of the EMD (GeV for pT,
///   fractions of HT for pT/HT).
/// Throws InvalidArgument when decoded has fewer than 3 dimensions, a grid axis shorter than 2,
/// or bad jets (see otae::ot::exact_emd_paired).
std::vector<at::Tensor> traversal_emds(const at::Tensor& decoded, const ot::PairwiseOptions& options = {});

/// {"directions", "values", "decoded": [G][G][M][3], "encoded_means": [N][d] (the encoder means
/// along the grid's directions, the background density of the figure), "emds": [[…]…] per axis}:
/// the layout python/otae_report draws the traversal figure from. encoded_means may be undefined
/// (written as an empty list).
nlohmann::json traversal_to_json(const std::vector<int64_t>& directions, const TraversalOptions& options,
                                 const at::Tensor& decoded, const at::Tensor& encoded_means,
                                 const std::vector<at::Tensor>& emds);

}  // namespace otae::analysis
