// OTUS on Z→ee: learn a detector simulation from unpaired parton-level events z and
// detector-level events x, then simulate detector events from partons it never saw and compare
// the dielectron mass with the true detector's. About 15 s on one core.
//   build/examples/otus_simulate [samples/zee_small.h5 [run folder]]
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "otae/data/event_pairs.hpp"
#include "otae/data/split.hpp"
#include "otae/train/config_file.hpp"
#include "otae/train/otus_config.hpp"
#include "otae/train/otus_training.hpp"

namespace {

/// M of the summed four-momenta of an event's objects, [N, 4k] (px, py, pz, E) [GeV] → [N] GeV.
at::Tensor invariant_mass(const at::Tensor& events) {
  const at::Tensor p = events.reshape({events.size(0), -1, 4}).sum(1);
  const at::Tensor m2 = p.select(1, 3).square() - p.narrow(1, 0, 3).square().sum(1);
  return m2.clamp_min(0).sqrt();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string data = argc > 1 ? argv[1] : "samples/zee_small.h5";
  const std::string run = argc > 2 ? argv[2] : "runs/example_otus";
  std::filesystem::remove_all(run);

  const otae::train::OtusConfig config =
      otae::train::parse_otus_config(otae::train::load_config_file("configs/otus/zee_quick.yaml"));
  const otae::data::EventPairs events = otae::data::load_event_pairs(data);  // z and x, [N, 8] each
  otae::train::OtusModel model = otae::train::train_otus(config, events, data, run);

  // the test rows of the configuration's split: never seen in training
  const at::Tensor test = otae::data::split_rows(events.size(), config.split).test;
  const at::Tensor z = events.z().index_select(0, test), x = events.x().index_select(0, test);
  const at::Tensor simulated = otae::train::generate_events(model.decoder, z, /*seed=*/1);

  const at::Tensor m_z = invariant_mass(z), m_x = invariant_mass(x), m_sim = invariant_mass(simulated);
  std::printf("M_ee [GeV]          median    mean   std\n");
  std::printf("partons z          %7.2f %7.2f %5.2f\n", m_z.median().item<double>(), m_z.mean().item<double>(),
              m_z.std().item<double>());
  std::printf("detector x         %7.2f %7.2f %5.2f\n", m_x.median().item<double>(), m_x.mean().item<double>(),
              m_x.std().item<double>());
  std::printf("simulated D(z)     %7.2f %7.2f %5.2f\n", m_sim.median().item<double>(),
              m_sim.mean().item<double>(), m_sim.std().item<double>());
  const double off = std::abs(m_sim.median().item<double>() - m_x.median().item<double>());
  return off < 1.0 ? 0 : 1;
}
