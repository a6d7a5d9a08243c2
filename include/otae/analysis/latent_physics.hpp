// What each latent direction encodes: its rank correlation and mutual information with physical
// quantities of the jets (η, φ, pT, mass, generator truth), and the quantity that matches it best.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "otae/base/arg.hpp"

namespace otae::analysis {

/// Spearman's rank correlation of x and y [N] (any floating dtype and device; N ≥ 2): Pearson's
/// correlation of their ranks, tied values sharing the mean of their ranks (as
/// scipy.stats.spearmanr). NaN when either is constant. Throws InvalidArgument when the shapes
/// are not [N] and [N] or a value is not finite.
double spearman_correlation(const at::Tensor& x, const at::Tensor& y);

/// The k-nearest-neighbour estimator of mutual information.
struct MutualInformationOptions {
  /// k of the estimator: larger k lowers the variance and raises the bias. 3 is Kraskov et al.'s
  /// recommendation.
  OTAE_ARG(int64_t, neighbours, 3);
  /// Seeds the tie-breaking and the jitter of the copula transform.
  OTAE_ARG(uint64_t, seed, 0);
  OTAE_ARG_PUBLIC

  /// Throws InvalidArgument (echoing the value) unless neighbours ≥ 1.
  void validate() const;
};

/// Mutual information I(x; y) [nats] of x and y [N] (any floating dtype and device), by the
/// estimator 1 of Kraskov, Stögbauer & Grassberger, PRE 69 (2004) 066138, Eq. 8:
///   I = ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩,
/// with εᵢ the max-norm distance from point i to its k-th neighbour in (x, y) and n_x, n_y the
/// points strictly within εᵢ of it in x and in y alone. It runs on the empirical copula: each
/// variable is replaced by (rank + u)/N, ties broken and u ~ U[0, 1) drawn with `seed`, which
/// keeps I unchanged (a monotone map plus noise inside each rank cell) while making the estimate
/// invariant under monotone maps (pT or ln pT give the same answer) and well defined for discrete
/// truth columns. Unbiased for independent variables up to a scatter of ~0.01 nats at N = 10³,
/// so small estimates may be negative; y = x reaches the estimator's ceiling, ≈ ln N − 1.5 for
/// k = 3 (6.1 at N = 2000). Deterministic in (x, y, options).
/// Throws InvalidArgument when the shapes are not [N] and [N] with N > k, or a value is not finite.
double mutual_information(const at::Tensor& x, const at::Tensor& y, const MutualInformationOptions& options = {});

/// A physical quantity of each jet.
struct PhysicsQuantity {
  std::string name;   ///< with its unit, e.g. "pt_GeV", "eta", "phi", "mass_GeV"
  at::Tensor values;  ///< [N] floating
  /// An angle [rad] (φ): compared through sin and cos, columns "sin(name)" and "cos(name)".
  bool circular = false;
};

/// Spearman correlation and mutual information of latent directions against quantities.
struct LatentPhysicsTable {
  std::vector<int64_t> directions;      ///< [L] the rows: latent directions
  std::vector<std::string> quantities;  ///< [Q] the columns, circular quantities as sin and cos
  at::Tensor spearman;                  ///< [L, Q] float64
  at::Tensor mutual_information;        ///< [L, Q] float64 [nats]
};

/// The table for `directions` (e.g. informative_directions of the KL spectrum) of latents [N, K]
/// (encoder means μ) against `quantities` ([N] each). Throws InvalidArgument when a direction is
/// outside [0, K), a quantity has another length or an empty name, or as the two measures.
LatentPhysicsTable latent_physics_table(const at::Tensor& latents, const std::vector<int64_t>& directions,
                                        const std::vector<PhysicsQuantity>& quantities,
                                        const MutualInformationOptions& options = {});

/// Which column of the table a direction matches best.
enum class MatchBy {
  kMutualInformation,  ///< largest mutual information: also finds non-monotone encodings (|η|)
  kSpearman,           ///< largest |Spearman correlation|: monotone encodings only
};

/// The best-matching column of one row, with both of its measures.
struct BestMatch {
  int64_t direction = 0;            ///< the latent direction (the row)
  std::string quantity;             ///< the column's name
  double spearman = 0.0;            ///< its Spearman correlation (NaN for a constant column)
  double mutual_information = 0.0;  ///< its mutual information [nats]
};

/// For each row of the table, the best-matching column. Throws InvalidArgument when the table has
/// no column.
std::vector<BestMatch> best_matching_quantities(const LatentPhysicsTable& table,
                                                MatchBy by = MatchBy::kMutualInformation);

/// {"directions", "quantities", "spearman": [L][Q], "mutual_information": [L][Q]}.
nlohmann::json to_json(const LatentPhysicsTable& table);

}  // namespace otae::analysis
