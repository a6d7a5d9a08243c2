// The exact EMD between two one-particle jets, through an installed otae: a 100 GeV particle
// moved by ΔR = 0.5 costs 100 GeV × 0.5 / R = 50 GeV (R = 1). Exits 1 if otae says otherwise.
#include <cmath>
#include <cstdio>

#include "otae/ot/exact_emd.hpp"
#include "otae/version.hpp"

int main() {
  const double pt_gev[] = {100.0};
  const double at_origin[] = {0.0, 0.0};        // (η, φ [rad])
  const double moved_by_half[] = {0.3, 0.4};    // ΔR = √(0.3² + 0.4²) = 0.5
  const auto a = otae::ot::ParticleCloud::from_arrays(pt_gev, at_origin, "a");
  const auto b = otae::ot::ParticleCloud::from_arrays(pt_gev, moved_by_half, "b");
  otae::ot::ExactEmdSolver solver;
  const double emd_gev = solver.solve(a, b).value;
  std::printf("otae %s: EMD = %.6f GeV (expected 50)\n", otae::kVersion, emd_gev);
  return std::abs(emd_gev - 50.0) < 1e-9 ? 0 : 1;
}
