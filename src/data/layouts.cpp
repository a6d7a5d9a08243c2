#include "otae/data/layouts.hpp"

#include "otae/base/error.hpp"

namespace otae::data {

void require_jet_table(const JetTable& jets, const std::string& who) {
  const bool particles_ok = jets.particles.defined() && jets.particles.dim() == 3 && jets.particles.size(2) == 3;
  const bool jet_ok = jets.jet.defined() && jets.jet.dim() == 2 && jets.jet.size(1) == 5;
  if (!particles_ok || !jet_ok || jets.particles.size(0) != jets.jet.size(0))
    throw InvalidArgument(who + ": expected particles [N, M, 3] and jet [N, 5], received " +
                          (jets.particles.defined() ? c10::str(jets.particles.sizes()) : "undefined") + " and " +
                          (jets.jet.defined() ? c10::str(jets.jet.sizes()) : "undefined"));
}

std::vector<NamedArray> jet_arrays(const JetTable& jets) {
  require_jet_table(jets, "jet_arrays");
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

std::vector<std::string> event_object_names(const std::string& path, const std::string& dataset) {
  const auto lists = read_list_attributes(path, dataset);
  const auto found = lists.find("objects");
  if (found == lists.end())
    throw IoError(path + ": dataset '" + dataset + "' has no 'objects' attribute naming its objects (e-, e+, ...)");
  return found->second;
}

std::string jet_pt_unit(const std::string& path, const std::string& dataset) {
  const auto lists = read_list_attributes(path, dataset);
  if (const auto columns = lists.find("columns"); columns != lists.end() && !columns->second.empty()) {
    const std::string& pt = columns->second.front();
    if (pt == "pt_GeV") return "GeV";
    if (pt == "pt_over_ht" || pt == "ptrel") return "pT/HT";
  }
  const Attributes texts = read_attributes(path, dataset);
  if (const auto units = texts.find("units"); units != texts.end()) {
    if (units->second.rfind("pT/HT", 0) == 0) return "pT/HT";
    if (units->second.rfind("GeV", 0) == 0) return "GeV";
  }
  return "";
}

}  // namespace otae::data
