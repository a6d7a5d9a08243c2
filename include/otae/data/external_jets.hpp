// Jets from other projects' files, converted to otae's layout, and otae's jets written in theirs:
// EnergyFlow's .npz datasets (per particle, e.g. pt, y, phi, pid) and JetNet's HDF5 files
// (`particle_features` relative to the jet, e.g. etarel, phirel, ptrel, mask, and `jet_features`).
// Feature orders differ between datasets and versions, so a reader is told them; nothing is
// assumed. The writers write one order each, named below, so that a file they wrote reads back.
#pragma once

#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "otae/data/hdf5.hpp"
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

/// The feature orders of JetNet's files (Zenodo records 6975118 and 6975117, e.g. w.hdf5), which
/// write_jetnet_hdf5 writes. JetNet's loader adds the jet class "type" in front of the jet
/// features; its files hold none (the file name says it).
inline const std::vector<std::string> kJetNetParticleFeatures = {"etarel", "phirel", "ptrel", "mask"};
inline const std::vector<std::string> kJetNetJetFeatures = {"pt", "eta", "mass", "num_particles"};
/// The particle features of the "X" that write_energyflow_npz writes: EnergyFlow's (pT, y, φ)
/// with y = η, otae's particles being massless, and no PDG id.
inline const std::vector<std::string> kEnergyFlowWrittenFeatures = {"pt", "eta", "phi"};

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
/// columns declared (JetNet's files: kJetNetParticleFeatures and kJetNetJetFeatures; arrays saved
/// from its loader have "type" in front of the jet features).
JetTable read_jetnet_hdf5(const std::string& path, const std::vector<std::string>& particle_columns,
                          const std::vector<std::string>& jet_columns);

/// The jets of an otae file, as the writers below take them: `particles` (read_jet_particles, with
/// its checks) and `jet` [N, 5]; a file without `jet` (jets that `otae vae decode` wrote, pT/HT)
/// gets the row of its particles' summed massless four-momenta, as jets_from_features makes it.
/// Throws IoError naming the file and the dataset when either is missing or has a wrong shape.
JetTable read_jet_table(const std::string& path);

/// Writes `jets` (particles [N, M, 3], jet [N, 5]) to `path` in the layout of EnergyFlow's
/// datasets (energyflow.qg_jets): array "X" [N, M, 3] float64 of (pT, y = η, φ) per particle,
/// padding rows zero, each φ within π of its jet's φ (as EnergyFlow keeps them, so that no jet
/// straddles the ±π seam); and, when `labels` [N] (any dtype the .npz writer takes, e.g. the 0/1
/// of `otae data mix`) is defined, array "y". An .npz archive as numpy.savez_compressed writes
/// it (write_npz), atomically.
/// Read back with read_energyflow_npz(path, kEnergyFlowWrittenFeatures), the particles come back
/// to float32 precision, φ wrapped into −π…π again; the jet row is then their sum, since the
/// layout has no place for the jet's own pT, η, φ, mass or subjet count.
/// Throws InvalidArgument naming `path` for malformed jets or labels of another length, IoError
/// naming it when it cannot be written.
void write_energyflow_npz(const std::string& path, const JetTable& jets, const at::Tensor& labels = {});

/// Writes `jets` (particles [N, M, 3], jet [N, 5]) to `path` in the HDF5 layout of JetNet's
/// files, read as theirs are read (h5py: f["particle_features"], f["jet_features"]);
/// jetnet.datasets.JetNet itself loads only its own downloads, whose MD5 it checks against Zenodo:
/// `particle_features` [N, M, 4] float32 of kJetNetParticleFeatures — η − η_J, φ − φ_J wrapped
/// into −π…π, pT / pT_J, mask (1 for a particle) — with padding rows zero, and `jet_features`
/// [N, 4] float32 of kJetNetJetFeatures — pT_J and m_J in the jets' unit (GeV in otae's files;
/// pT/HT for decoded jets), η_J, and the jet's particle count
/// (the `n_subjets` column, which may exceed M as JetNet's may exceed its 30 particles) — from
/// the jet row. Each dataset gets a `columns` attribute naming its features; `attributes` go to
/// the file's root. Written atomically (write_arrays).
/// Read back with read_jetnet_hdf5(path, kJetNetParticleFeatures, kJetNetJetFeatures), pT, η, m
/// and the count come back to float32 precision, but JetNet stores no jet φ: every jet returns
/// rotated to φ_J = 0, each particle's φ as φ − φ_J.
/// Throws InvalidArgument naming `path` for malformed jets or a jet with pT_J ≤ 0, IoError naming
/// it when it cannot be written.
void write_jetnet_hdf5(const std::string& path, const JetTable& jets, const Attributes& attributes = {});

}  // namespace otae::data
