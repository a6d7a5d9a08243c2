// The EMD-VAE paper's jet pipeline (Collins, Howe, Nachman, arXiv:2109.08159): particles →
// anti-kt jets → the leading jet → optional cuts → its constituents reclustered into small
// subjets → the hardest subjets as a zero-padded point cloud (pT, η, φ).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "otae/base/arg.hpp"
#include "otae/data/hepmc.hpp"
#include "otae/data/layouts.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::data {

/// Every number of the pipeline. The defaults apply no cuts to the leading jet; the paper's
/// selection is the preset `collins-w`. Momenta and masses in GeV, radii in ΔR = √(Δη² + Δφ²).
struct JetPipelineOptions {
  /// Anti-kt radius of the jets.
  OTAE_ARG(double, jet_radius, 1.0);
  /// Jets below this pT [GeV] are not considered; an event without one yields no jet.
  OTAE_ARG(double, jet_pt_threshold, 20.0);
  /// Window on the leading jet, inclusive: pt_min ≤ pT ≤ pt_max [GeV], |η| ≤ abs_eta_max,
  /// mass_min ≤ m ≤ mass_max [GeV]. An event whose leading jet fails is dropped (not the next jet).
  OTAE_ARG(double, pt_min, 0.0);
  OTAE_ARG(double, pt_max, std::numeric_limits<double>::infinity());
  OTAE_ARG(double, abs_eta_max, std::numeric_limits<double>::infinity());
  OTAE_ARG(double, mass_min, 0.0);
  OTAE_ARG(double, mass_max, std::numeric_limits<double>::infinity());
  /// Anti-kt radius with which the leading jet's constituents are reclustered.
  OTAE_ARG(double, subjet_radius, 0.07);
  /// Number of hardest subjets kept per jet (M); fewer are zero-padded.
  OTAE_ARG(int64_t, max_particles, 50);
  OTAE_ARG_PUBLIC

  /// The paper's W-jet selection: 500 < pT < 600 GeV, |η| < 2, 75 < m < 110 GeV.
  static JetPipelineOptions collins_w();
  /// A named preset ("none" for the defaults, "collins-w"). Throws ConfigError naming the known ones.
  static JetPipelineOptions preset(const std::string& name);
  /// Throws InvalidArgument (echoing the value) for non-positive radii or M, or an empty window.
  void validate() const;
  /// One line with every value, stored as the `cuts` attribute of the files written.
  std::string description() const;
};

/// The leading jet of one event after reclustering.
struct PipelineJet {
  /// pT [GeV], η, φ [rad, −π…π), m [GeV] (0 when m² < 0), number of subjets (all, not only the kept).
  std::array<double, 5> jet{};
  /// The hardest `max_particles` subjets, pT-descending: (pT [GeV], η, φ [rad, −π…π)).
  std::vector<std::array<double, 3>> subjets;
};

/// Clusters `particles` (four-momenta in GeV) and returns the leading jet above the threshold,
/// reclustered, before any cut; std::nullopt when no jet passes the threshold.
std::optional<PipelineJet> leading_jet(const std::vector<physics::FourMomentum>& particles,
                                       const JetPipelineOptions& options);

/// What became of the events given to a JetPipeline.
struct JetPipelineCounts {
  int64_t events = 0;
  int64_t kept = 0;
  int64_t no_jet = 0;      ///< no jet above the threshold
  int64_t failed_pt = 0;   ///< leading jet outside the pT window
  int64_t failed_eta = 0;  ///< leading jet outside |η| ≤ abs_eta_max (and inside the pT window)
  int64_t failed_mass = 0; ///< leading jet outside the mass window (and inside the others)
};

/// Runs the pipeline event by event and collects the jets that pass the cuts.
class JetPipeline {
 public:
  /// Throws InvalidArgument when the options are invalid.
  explicit JetPipeline(JetPipelineOptions options);

  /// Processes one event; true when its leading jet passed the cuts and was kept.
  bool add_event(const std::vector<physics::FourMomentum>& particles);

  const JetPipelineCounts& counts() const { return counts_; }
  const JetPipelineOptions& options() const { return options_; }

  /// The kept jets in otae's layout: particles [N, max_particles, 3], jet [N, 5], float32.
  JetTable table() const;

 private:
  int64_t* failed_cut(const PipelineJet& jet);

  JetPipelineOptions options_;
  JetPipelineCounts counts_;
  std::vector<float> particle_rows_;
  std::vector<float> jet_rows_;
};

/// The jets of a HepMC file, what became of its events, and what the file says about itself.
struct HepMCJets {
  JetTable jets;
  JetPipelineCounts counts;
  HepMCFormat format = HepMCFormat::kAsciiV3;
  std::string generator;  ///< as HepMCReader::generator(); empty when the file names none
};

/// Runs the pipeline over the first `max_events` events of a HepMC file (all when negative),
/// calling `progress` (when set) after each event. Throws IoError as HepMCReader does,
/// InvalidArgument for invalid options.
HepMCJets jets_from_hepmc(const std::string& path, const VisibleParticleOptions& visible,
                          const JetPipelineOptions& options, int64_t max_events = -1,
                          const std::function<void(const JetPipelineCounts&)>& progress = {});

}  // namespace otae::data
