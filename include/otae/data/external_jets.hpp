// Jets from other projects' files, converted to otae's layout: EnergyFlow's .npz datasets
// (per particle, e.g. pt, y, phi, pid) and JetNet's HDF5 files (`particle_features` relative to
// the jet, e.g. etarel, phirel, ptrel, mask, and `jet_features`). Feature orders differ between
// datasets and versions, so the caller declares them; nothing is assumed.
#pragma once

#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "otae/data/layouts.hpp"

namespace otae::data {

/// Particle feature names: "pt" [GeV], "ptrel" (pT / pT_jet), "eta", "etarel" (η − η_jet),
/// "y" (rapidity; converted to η with the particle's mass from "mass" or "pid"), "phi",
/// "phirel" (φ − φ_jet), "pid" (PDG id), "mass" [GeV], "mask" (0 marks padding), "-" (ignored).
/// Jet feature names: "pt" [GeV], "eta", "phi", "mass" [GeV], "num_particles", and ignored:
/// "type" (JetNet's jet class), "-".
inline const std::vector<std::string> kParticleFeatureNames = {"pt", "ptrel", "eta", "etarel", "y", "phi",
                                                               "phirel", "pid", "mass", "mask", "-"};
inline const std::vector<std::string> kJetFeatureNames = {"pt", "eta", "phi", "mass", "num_particles", "type", "-"};

/// Converts per-particle features [N, M, F] (any float or int dtype) to otae's jets:
/// particles [N, M, 3] (pT [GeV], η, φ in −π…π) sorted by pT with padding (mask 0 or pT ≤ 0)
/// zeroed, and jet [N, 5]: pT, η, φ and mass from `jet_features` [N, J] when declared there,
/// otherwise from the sum of the particles' four-momenta; the last column counts the particles
/// ("num_particles" when declared). Relative features need the jet's pT and η declared; a
/// missing jet φ places the jets at φ = 0 (JetNet stores none).
/// `source` names the data in messages ("jets.h5: dataset 'particle_features'").
/// Throws ConfigError for unknown or missing feature names, IoError when the data's shape
/// disagrees with the declaration or a PDG id has no known mass.
JetTable jets_from_features(const at::Tensor& particle_features, const std::vector<std::string>& particle_columns,
                            const at::Tensor& jet_features, const std::vector<std::string>& jet_columns,
                            const std::string& source);

/// An EnergyFlow dataset: array `array` (EnergyFlow's "X") of an .npz archive, [N, M, F], with
/// its per-particle features declared by `particle_columns` (EnergyFlow's are pt, y, phi, pid).
JetTable read_energyflow_npz(const std::string& path, const std::vector<std::string>& particle_columns,
                             const std::string& array = "X");

/// A JetNet file: datasets `particle_features` [N, M, F] and `jet_features` [N, J], their
/// columns declared (JetNet's current ones are etarel, phirel, ptrel, mask and type, pt, eta,
/// mass, num_particles).
JetTable read_jetnet_hdf5(const std::string& path, const std::vector<std::string>& particle_columns,
                          const std::vector<std::string>& jet_columns);

}  // namespace otae::data
