// FastJet does the clustering; this file turns its jets into otae's (pT, η, φ) rows, with φ
// moved from FastJet's [0, 2π) into otae's [−π, π).
#include "otae/data/jet_pipeline.hpp"

#include <fastjet/ClusterSequence.hh>

#include <cmath>
#include <sstream>

#include "otae/base/error.hpp"

namespace otae::data {
namespace {

// FastJet prints a banner on stdout at its first clustering; otae's stdout is for results.
void silence_fastjet_banner() {
  static const bool silenced = [] {
    fastjet::ClusterSequence::set_fastjet_banner_stream(nullptr);
    return true;
  }();
  (void)silenced;
}

std::vector<fastjet::PseudoJet> pseudojets(const std::vector<physics::FourMomentum>& particles) {
  std::vector<fastjet::PseudoJet> inputs;
  inputs.reserve(particles.size());
  for (const physics::FourMomentum& p : particles) inputs.emplace_back(p.px, p.py, p.pz, p.e);
  return inputs;
}

// Mass as the physics layer defines it: a negative m² from rounding counts as m = 0.
double jet_mass(const fastjet::PseudoJet& jet) { return jet.m2() > 0 ? std::sqrt(jet.m2()) : 0.0; }

void check_positive(const char* name, double value) {
  if (!(value > 0.0 && std::isfinite(value)))
    throw InvalidArgument(std::string("JetPipelineOptions: ") + name + " must be positive and finite, received " +
                          c10::str(value));
}

void check_window(const char* name, double low, double high) {
  if (std::isnan(low) || std::isnan(high) || low > high)
    throw InvalidArgument(std::string("JetPipelineOptions: the ") + name + " window is empty (min " + c10::str(low) +
                          " > max " + c10::str(high) + ")");
}

}  // namespace

JetPipelineOptions JetPipelineOptions::collins_w() {
  return JetPipelineOptions().pt_min(500.0).pt_max(600.0).abs_eta_max(2.0).mass_min(75.0).mass_max(110.0);
}

JetPipelineOptions JetPipelineOptions::preset(const std::string& name) {
  if (name == "none") return JetPipelineOptions();
  if (name == "collins-w") return collins_w();
  throw ConfigError("unknown jet preset '" + name + "'; known presets: none, collins-w");
}

void JetPipelineOptions::validate() const {
  check_positive("jet_radius", jet_radius_);
  check_positive("subjet_radius", subjet_radius_);
  if (!(jet_pt_threshold_ >= 0.0))
    throw InvalidArgument("JetPipelineOptions: jet_pt_threshold must be >= 0 GeV, received " +
                          c10::str(jet_pt_threshold_));
  if (max_particles_ < 1)
    throw InvalidArgument("JetPipelineOptions: max_particles must be at least 1, received " +
                          std::to_string(max_particles_));
  check_window("pT", pt_min_, pt_max_);
  check_window("|eta|", 0.0, abs_eta_max_);
  check_window("mass", mass_min_, mass_max_);
}

std::string JetPipelineOptions::description() const {
  std::ostringstream text;
  text << "anti-kt R=" << jet_radius_ << " jets with pT>" << jet_pt_threshold_ << " GeV; leading jet with "
       << pt_min_ << "<=pT<=" << pt_max_ << " GeV, |eta|<=" << abs_eta_max_ << ", " << mass_min_ << "<=m<="
       << mass_max_ << " GeV; constituents reclustered with anti-kt R=" << subjet_radius_ << ", the "
       << max_particles_ << " hardest subjets kept";
  return text.str();
}

std::optional<PipelineJet> leading_jet(const std::vector<physics::FourMomentum>& particles,
                                       const JetPipelineOptions& options) {
  silence_fastjet_banner();
  const fastjet::ClusterSequence jets(pseudojets(particles),
                                      fastjet::JetDefinition(fastjet::antikt_algorithm, options.jet_radius()));
  const std::vector<fastjet::PseudoJet> hardest = fastjet::sorted_by_pt(jets.inclusive_jets(options.jet_pt_threshold()));
  if (hardest.empty()) return std::nullopt;
  const fastjet::PseudoJet& leader = hardest.front();

  const fastjet::ClusterSequence reclustered(
      leader.constituents(), fastjet::JetDefinition(fastjet::antikt_algorithm, options.subjet_radius()));
  const std::vector<fastjet::PseudoJet> subjets = fastjet::sorted_by_pt(reclustered.inclusive_jets());

  PipelineJet result;
  result.jet = {leader.pt(), leader.eta(), physics::wrap_phi(leader.phi()), jet_mass(leader),
                static_cast<double>(subjets.size())};
  const std::size_t kept = std::min<std::size_t>(subjets.size(), options.max_particles());
  for (std::size_t i = 0; i < kept; ++i)
    result.subjets.push_back({subjets[i].pt(), subjets[i].eta(), physics::wrap_phi(subjets[i].phi())});
  return result;
}

JetPipeline::JetPipeline(JetPipelineOptions options) : options_(std::move(options)) { options_.validate(); }

// The counter of the first cut the jet fails, or nullptr when it passes them all.
int64_t* JetPipeline::failed_cut(const PipelineJet& jet) {
  const auto inside = [](double value, double low, double high) { return value >= low && value <= high; };
  if (!inside(jet.jet[0], options_.pt_min(), options_.pt_max())) return &counts_.failed_pt;
  if (!(std::abs(jet.jet[1]) <= options_.abs_eta_max())) return &counts_.failed_eta;
  if (!inside(jet.jet[3], options_.mass_min(), options_.mass_max())) return &counts_.failed_mass;
  return nullptr;
}

bool JetPipeline::add_event(const std::vector<physics::FourMomentum>& particles) {
  ++counts_.events;
  const std::optional<PipelineJet> jet = leading_jet(particles, options_);
  int64_t* rejection = jet ? failed_cut(*jet) : &counts_.no_jet;
  if (rejection != nullptr) {
    ++*rejection;
    return false;
  }
  ++counts_.kept;
  jet_rows_.insert(jet_rows_.end(), jet->jet.begin(), jet->jet.end());
  for (const auto& subjet : jet->subjets) particle_rows_.insert(particle_rows_.end(), subjet.begin(), subjet.end());
  particle_rows_.resize(static_cast<std::size_t>(counts_.kept * options_.max_particles() * 3), 0.0f);
  return true;
}

JetTable JetPipeline::table() const {
  const int64_t n = counts_.kept;
  if (n == 0) return {at::zeros({0, options_.max_particles(), 3}, at::kFloat), at::zeros({0, 5}, at::kFloat)};
  const auto as_tensor = [](const std::vector<float>& rows, at::IntArrayRef shape) {
    return at::from_blob(const_cast<float*>(rows.data()), shape, at::kFloat).clone();
  };
  return {as_tensor(particle_rows_, {n, options_.max_particles(), 3}), as_tensor(jet_rows_, {n, 5})};
}

HepMCJets jets_from_hepmc(const std::string& path, const VisibleParticleOptions& visible,
                          const JetPipelineOptions& options, int64_t max_events,
                          const std::function<void(const JetPipelineCounts&)>& progress) {
  JetPipeline pipeline(options);
  HepMCReader reader(path, visible);
  std::vector<physics::FourMomentum> particles;
  while ((max_events < 0 || reader.events_read() < max_events) && reader.next(particles)) {
    pipeline.add_event(particles);
    if (progress) progress(pipeline.counts());
  }
  return {pipeline.table(), pipeline.counts(), reader.format(), reader.generator()};
}

}  // namespace otae::data
