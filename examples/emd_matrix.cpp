// Exact EMDs between jet shapes: a matrix of W jets against top jets and the symmetric matrix of
// the W jets among themselves, from the embedded samples, each jet centred on its axis with
// pT/HT weights. A W jet (two prongs) lies nearer the other W jets than the top jets (three
// prongs) do, on average.
//   build/examples/emd_matrix [samples/wjets_small.h5 samples/topjets_small.h5]
#include <cstdio>
#include <string>

#include "otae/data/jet_dataset.hpp"
#include "otae/ot/pairwise.hpp"

int main(int argc, char** argv) {
  const std::string w_file = argc > 1 ? argv[1] : "samples/wjets_small.h5";
  const std::string top_file = argc > 2 ? argv[2] : "samples/topjets_small.h5";
  constexpr int64_t kJets = 40;
  // [N, 50, 3] (pT/HT, η, φ [rad]) centred on the pT-weighted axis; rows with pT = 0 are padding
  const otae::data::JetPreprocessing shapes = otae::data::JetPreprocessing().normalise_pt(true).centre(true);
  const at::Tensor w = otae::data::load_jet_dataset(w_file, shapes).particles().narrow(0, 0, kJets);
  const at::Tensor top = otae::data::load_jet_dataset(top_file, shapes).particles().narrow(0, 0, kJets);

  // ground distance ΔR/R with R = 0.8, the jet radius: an EMD of 1 moves all of a jet's pT by R
  const otae::ot::PairwiseOptions options =
      otae::ot::PairwiseOptions().emd(otae::ot::ExactEmdOptions().ground(otae::ot::GroundDistance().R(0.8)));
  const at::Tensor w_w = otae::ot::exact_emd_symmetric(w, options);  // [40, 40], zero diagonal
  const at::Tensor w_top = otae::ot::exact_emd_matrix(w, top, options);  // [40, 40]

  const double within = w_w.sum().item<double>() / (kJets * (kJets - 1));
  const double across = w_top.mean().item<double>();
  std::printf("mean EMD between W jets:          %.4f\n", within);
  std::printf("mean EMD from W jets to top jets: %.4f\n", across);
  std::printf("W jet 0 to top jets 0-4: %.4f %.4f %.4f %.4f %.4f\n", w_top[0][0].item<double>(),
              w_top[0][1].item<double>(), w_top[0][2].item<double>(), w_top[0][3].item<double>(),
              w_top[0][4].item<double>());
  return within < across ? 0 : 1;
}
