// The Sinkhorn EMD with its explicit gradient: its value against the exact EMD, and gradient
// descent on a jet's particle positions that carries it onto another jet. This is the loss the
// EMD-VAE's decoder learns from.
//   build/examples/sinkhorn_gradient [samples/wjets_small.h5]
#include <cstdio>
#include <string>

#include "otae/data/hdf5.hpp"
#include "otae/ot/exact_emd.hpp"
#include "otae/ot/sinkhorn.hpp"

namespace {

/// (weights pT/HT [1, M], positions (η, φ) [1, M, 2]) of one jet, float64.
std::pair<at::Tensor, at::Tensor> normalised(const at::Tensor& jet) {
  const at::Tensor pt = jet.select(1, 0).to(at::kDouble);
  return {(pt / pt.sum()).unsqueeze(0), jet.narrow(1, 1, 2).to(at::kDouble).unsqueeze(0)};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string file = argc > 1 ? argv[1] : "samples/wjets_small.h5";
  const at::Tensor jets = otae::data::read_jet_particles(file);  // [N, 50, 3] (pT [GeV], η, φ)
  const auto [weights_a, positions_a] = normalised(jets[0]);
  const auto [weights_b, start_b] = normalised(jets[1]);

  const double exact = otae::ot::exact_emd(jets[0], jets[1], otae::ot::ExactEmdOptions().norm(true)).value;
  at::Tensor positions_b = start_b.clone().requires_grad_(true);
  const otae::ot::SinkhornOptions sharp = otae::ot::SinkhornOptions::sharp();
  const double first = otae::ot::sinkhorn_emd(weights_a, positions_a, weights_b, positions_b, sharp).cost.item<double>();
  std::printf("jets 0 and 1: exact EMD %.5f, Sinkhorn EMD %.5f (units of pT/HT x Delta R)\n", exact, first);

  // move jet 1's particles down the gradient: the distance to jet 0 falls
  double last = first;
  for (int step = 1; step <= 20; ++step) {
    const at::Tensor cost = otae::ot::sinkhorn_emd(weights_a, positions_a, weights_b, positions_b, sharp).cost.sum();
    cost.backward();
    {
      at::NoGradGuard no_grad;
      // ∂S/∂x_j carries particle j's weight: dividing it out moves every particle alike
      positions_b -= 0.2 * positions_b.grad() / weights_b.unsqueeze(2).clamp_min(1e-3);
      positions_b.grad().zero_();
    }
    last = cost.item<double>();
    if (step % 5 == 0) std::printf("step %2d: Sinkhorn EMD %.5f\n", step, last);
  }
  return last < 0.25 * first ? 0 : 1;
}
