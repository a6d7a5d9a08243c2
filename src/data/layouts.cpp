#include "otae/data/layouts.hpp"

#include "otae/base/error.hpp"

namespace otae::data {

std::vector<NamedArray> jet_arrays(const JetTable& jets) {
  const bool particles_ok = jets.particles.defined() && jets.particles.dim() == 3 && jets.particles.size(2) == 3;
  const bool jet_ok = jets.jet.defined() && jets.jet.dim() == 2 && jets.jet.size(1) == 5;
  if (!particles_ok || !jet_ok || jets.particles.size(0) != jets.jet.size(0))
    throw InvalidArgument("jet_arrays: expected particles [N, M, 3] and jet [N, 5], received " +
                          (jets.particles.defined() ? c10::str(jets.particles.sizes()) : "undefined") + " and " +
                          (jets.jet.defined() ? c10::str(jets.jet.sizes()) : "undefined"));
  return {{"particles", jets.particles.to(at::kFloat), {}, {{"columns", kParticleColumns}}},
          {"jet", jets.jet.to(at::kFloat), {}, {{"columns", kJetColumns}}}};
}

NamedArray event_array(const std::string& name, const EventTable& table) {
  const int64_t width = 4 * static_cast<int64_t>(table.objects.size());
  if (!table.events.defined() || table.events.dim() != 2 || table.events.size(1) != width)
    throw InvalidArgument("event_array: dataset '" + name + "' must be [N, " + std::to_string(width) + "] for " +
                          std::to_string(table.objects.size()) + " objects, received " +
                          (table.events.defined() ? c10::str(table.events.sizes()) : "undefined"));
  return {name, table.events.to(at::kFloat), {}, {{"objects", table.objects}, {"columns_per_object", kObjectColumns}}};
}

}  // namespace otae::data
