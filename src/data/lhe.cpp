#include "otae/data/lhe.hpp"

#include <HepMC3/LHEF.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "otae/base/error.hpp"
#include "text_file_checks.hpp"

namespace otae::data {
namespace {

constexpr int kOutgoing = 1;
constexpr int kIntermediate = 2;

// The particles with `pdg_id` that the selection may take, hardest first.
std::vector<const HardParticle*> selectable_with_id(const std::vector<HardParticle>& record, int pdg_id,
                                                    const LheSelection& selection) {
  std::vector<const HardParticle*> found;
  for (const HardParticle& particle : record) {
    const bool selectable =
        particle.status == kOutgoing || (selection.intermediate() && particle.status == kIntermediate);
    if (selectable && particle.pdg_id == pdg_id) found.push_back(&particle);
  }
  std::stable_sort(found.begin(), found.end(), [](const HardParticle* a, const HardParticle* b) {
    return physics::pt(a->p) > physics::pt(b->p);
  });
  return found;
}

// Appends the event's (px, py, pz, E) blocks to `row`; false when a requested particle is missing.
bool append_objects(const std::vector<HardParticle>& record, const std::vector<int>& pdg_ids,
                    const LheSelection& selection, std::vector<float>& rows) {
  std::map<int, int> taken;
  std::vector<float> row;
  for (const int pdg_id : pdg_ids) {
    const std::vector<const HardParticle*> candidates = selectable_with_id(record, pdg_id, selection);
    const int index = taken[pdg_id]++;
    if (index >= static_cast<int>(candidates.size())) return false;
    const physics::FourMomentum& p = candidates[index]->p;
    row.insert(row.end(), {float(p.px), float(p.py), float(p.pz), float(p.e)});
  }
  rows.insert(rows.end(), row.begin(), row.end());
  return true;
}

}  // namespace

LheReader::LheReader(const std::string& path) : path_(path) {
  detail::require_readable_file(path);
  if (!detail::tail_contains(path, "</LesHouchesEvents>"))
    throw IoError(path + ": the file is truncated or not an LHE file (no </LesHouchesEvents> at its end)");
  try {
    reader_ = std::make_unique<LHEF::Reader>(path);
  } catch (const std::runtime_error& error) {
    throw IoError(path + ": not a readable LHE file (" + error.what() + ")");
  }
}

LheReader::~LheReader() = default;

bool LheReader::next(std::vector<HardParticle>& particles) {
  try {
    if (!reader_->readEvent()) return false;
  } catch (const std::runtime_error& error) {
    throw IoError(path_ + ": event " + std::to_string(events_read_) + " (counting from 0) cannot be parsed (" +
                  error.what() + ")");
  }
  const LHEF::HEPEUP& event = reader_->hepeup;
  particles.clear();
  for (int i = 0; i < event.NUP; ++i)
    particles.push_back({static_cast<int>(event.IDUP[i]), event.ISTUP[i],
                         {event.PUP[i][0], event.PUP[i][1], event.PUP[i][2], event.PUP[i][3]}});
  ++events_read_;
  return true;
}

double LheReader::event_weight() const { return reader_->hepeup.XWGTUP; }

int LheReader::weighting_strategy() const { return reader_->heprup.IDWTUP; }

std::string LheReader::generator() const {
  std::string names;
  for (const LHEF::Generator& generator : reader_->heprup.generators)
    names += (names.empty() ? "" : ", ") + generator.name + (generator.version.empty() ? "" : " " + generator.version);
  return names;
}

std::string particle_name(int pdg_id) {
  // {particle, antiparticle}: charged leptons and the W carry their charge in the name.
  static const std::map<int, std::pair<std::string, std::string>> kNames = {
      {1, {"d", "d_bar"}},          {2, {"u", "u_bar"}},      {3, {"s", "s_bar"}},
      {4, {"c", "c_bar"}},          {5, {"b", "b_bar"}},      {6, {"t", "t_bar"}},
      {11, {"e-", "e+"}},           {12, {"nu_e", "nu_e_bar"}}, {13, {"mu-", "mu+"}},
      {14, {"nu_mu", "nu_mu_bar"}}, {15, {"tau-", "tau+"}},   {16, {"nu_tau", "nu_tau_bar"}},
      {21, {"g", "g"}},             {22, {"gamma", "gamma"}}, {23, {"Z", "Z"}},
      {24, {"W+", "W-"}},           {25, {"H", "H"}}};
  const auto found = kNames.find(std::abs(pdg_id));
  if (found == kNames.end()) return "pdg_" + std::to_string(pdg_id);
  return pdg_id > 0 ? found->second.first : found->second.second;
}

EventTable read_lhe_objects(const std::string& path, const std::vector<int>& pdg_ids, const LheSelection& selection) {
  if (pdg_ids.empty()) throw InvalidArgument("read_lhe_objects: no PDG ids given; name the objects, e.g. 11,-11");
  LheReader reader(path);
  EventTable table;
  for (const int pdg_id : pdg_ids) table.objects.push_back(particle_name(pdg_id));
  std::vector<float> rows;
  std::vector<double> weights;
  std::vector<HardParticle> record;
  while (reader.next(record)) {
    if (append_objects(record, pdg_ids, selection, rows))
      weights.push_back(reader.event_weight());
    else
      ++table.events_skipped;
  }
  table.events_read = reader.events_read();
  const auto kept = static_cast<int64_t>(weights.size());
  table.events = at::tensor(rows, at::kFloat).reshape({kept, 4 * static_cast<int64_t>(pdg_ids.size())});
  table.weights = at::tensor(weights, at::kDouble);
  table.weighting_strategy = reader.weighting_strategy();
  return table;
}

}  // namespace otae::data
