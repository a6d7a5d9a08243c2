// The OTUS objective (Howard et al. 2022, eqs. 9–21):
//   L = β_x·MSE(x, D(E(x))) + λ·SW(z, E(x)) + τ·SW(x, D(z)) + β_E·A(x, E(x)) + β_D·A(z, D(z))
//       [+ w_p·(E[c(x, D(z))] + E[c(z, E(x))]) on paired events, eqs. 20–21]
//       [+ w_M·(W₂²(M(x), M(D(z))) + W₂²(M(z), M(E(x)))), an otae extension, off by default: M the
//        mass of all objects, or the mean over listed masses (OtusLossOptions::detector_masses)]
//       [+ w_T·‖E(x) − x‖² + w_S·‖E(D(z)) − z‖² + w_C·c(z, D(z)), otae extensions, off by default],
// from a batch in which z and x are drawn independently. SW is the sliced Wasserstein SW₂² (mean
// over slices of the squared 1-D W₂, no square root, GeV²; ot/sliced_wasserstein.hpp), A the
// anchor cost 1 − p̂·p̂′ between the 3-momentum directions of one chosen object on each side.
// Restricted decoder (eqs. 16–19): only decoded events inside the acceptance S enter the terms
// that compare with data, each divided by P̂_D(S), the accepted fraction of D(z) in the batch.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include <ATen/ATen.h>

#include "otae/base/arg.hpp"
#include "otae/nn/otus_generator.hpp"

namespace otae::train {

/// Weights of the terms of L; a zero weight skips the term's computation.
struct OtusLossWeights {
  OTAE_ARG(double, reconstruction, 1.0);   ///< β_x, on MSE(x, D(E(x))) [GeV²]
  OTAE_ARG(double, latent, 1.0);           ///< λ, on SW(z, E(x))
  OTAE_ARG(double, data, 1.0);             ///< τ, on SW(x, D(z))
  OTAE_ARG(double, encoder_anchor, 0.0);   ///< β_E, on A(x, E(x))
  OTAE_ARG(double, decoder_anchor, 0.0);   ///< β_D, on A(z, D(z))
  OTAE_ARG(double, paired, 0.0);           ///< w_p, on the paired costs (semi-supervised)
  /// w_M, on the 1-D W₂² between the invariant masses of all objects (data vs generated, both
  /// sides; each mass over its training σ). Not in the paper: random slices of the 8 momentum
  /// components barely see a 1 GeV change of M_ee, which this term puts in the loss directly.
  OTAE_ARG(double, mass, 0.0);
  /// w_T, on the unfolder's transport cost ‖E(x) − x‖² (standardised, mean over components; z and
  /// x of the same objects). Not in the paper: the distribution terms are met by many maps, and a
  /// learnt E moved each event's response by ~1 % at random (M_ee of E[z̃|x] − z wider than x − z);
  /// the cost picks the map that moves the events least, the Monge map between p(x) and p(z).
  OTAE_ARG(double, transport, 0.0);
  /// w_S, on the unfolder's error on simulated pairs ‖E(D(z)) − z‖² (mean over components, in the
  /// comparison's units; accepted D(z) only), with D(z) held fixed so that the term trains E alone.
  /// Not in the paper: without the reconstruction term (which scrambles a tt̄ simulator) nothing
  /// ties E(x) to its event (the electron's per-event energy error was 43–55 GeV); the pairs that
  /// the learnt simulator makes teach E to invert it, E(x) → E[z|x] under the prior.
  OTAE_ARG(double, simulated_pairs, 0.0);
  /// w_C, on the simulator's transport cost c(z, D(z)) (simulation_transport_cost). Not in the
  /// paper: the distribution terms are met by every decoder that shuffles momentum between the
  /// jets, and the tt̄ decoder put a jet on its quark in 37–57 % of events against the detector's
  /// 76–86 %; among those decoders the cost prefers the one that moves each object least.
  OTAE_ARG(double, simulation_transport, 0.0);
  OTAE_ARG_PUBLIC
};

/// A cut every listed object of an event must pass: pT ≥ pt_min [GeV] and |η| ≤ abs_eta_max; and
/// the invariant mass of the listed objects together in [mass_min, mass_max] [GeV] (an analysis's
/// window: CMS's 2011 dielectron events have 60 < M_ee < 120 GeV, and a decoder that is to meet
/// them must see the same window).
struct ObjectCut {
  std::vector<int64_t> objects;
  double pt_min = 0;
  double abs_eta_max = std::numeric_limits<double>::infinity();
  double mass_min = 0;
  double mass_max = std::numeric_limits<double>::infinity();
};

/// Accepted rows of events [B, 4k] (px, py, pz, E): bool [B], true where every cut passes.
/// No cuts: all true. Throws InvalidArgument when a cut names an object outside 0…k−1.
at::Tensor event_acceptance(const at::Tensor& events, const std::vector<ObjectCut>& cuts);

/// Anchor cost 1 − p̂_a·p̂_b per row, averaged: events a [B, 4k_a], b [B, 4k_b], the 3-momentum of
/// object `object_a` of a against `object_b` of b. Returns [] (dimensionless, in [0, 2]),
/// differentiable. Throws InvalidArgument on shapes or object indices out of range.
at::Tensor anchor_cost(const at::Tensor& a, int64_t object_a, const at::Tensor& b, int64_t object_b);

struct OtusLossOptions {
  /// L, the number of random directions of each SW term (redrawn every step through `seed`).
  OTAE_ARG(int64_t, slices, 1000);
  /// The anchored objects: index in z and in x (the electron); -1 disables the anchor terms.
  OTAE_ARG(int64_t, anchor_z_object, 0);
  OTAE_ARG(int64_t, anchor_x_object, 0);
  /// The acceptance S of decoded events; empty: no restriction, P̂_D(S) = 1.
  OTAE_ARG(std::vector<ObjectCut>, acceptance, {});
  /// Compare events in standardised units (each column divided by its training σ) instead of
  /// GeV. The reference trains in GeV; standardised units keep the pz tails from dominating.
  OTAE_ARG(bool, standardised, false);
  /// The mass term in quantile bins of energy: with n > 1, the mean over objects j and n quantile
  /// bins of E_j (edges from the data side) of W₂²(M) between the events of each bin, each side
  /// binned by its own energies. The Z is a standard candle: its lineshape is the same in every bin,
  /// so the width of M_ee within a bin measures the detector's resolution at that energy — the
  /// E-dependence that one unbinned M_ee distribution averages away. n = 1: one unbinned term.
  OTAE_ARG(int64_t, mass_bins, 1);
  /// The fraction of quantile levels cut from each end of the mass distributions before W₂² (the
  /// trimmed Wasserstein distance; 0: all). The tails of M (the γ* continuum, radiation) differ
  /// from batch to batch by far more than a 0.2 % energy-scale shift costs (on zee.h5, batches of
  /// 1,250: W₂² noise 0.03 σ_M² untrimmed, 7·10⁻⁴ trimmed at 0.1, against 6.5·10⁻⁴ for the shift),
  /// so untrimmed the peak's position is left to chance.
  OTAE_ARG(double, mass_trim, 0.0);
  /// The masses the mass term compares, each a list of object indices whose invariant mass
  /// together is one 1-D W₂² (over the data batch's σ of that mass), the term the mean over the
  /// lists: on the detector side x against D(z), on the parton side z against E(x). Empty: the mass
  /// of all objects over its training σ (OtusLossScales), in mass_bins energy bins (listed masses
  /// are compared unbinned). tt̄ (x: e, MET, jet1…jet4): the masses an analysis forms from the
  /// jets (every pair and triple) and the leptonic side (e + MET, with each jet), which random
  /// slices of 24 momentum components barely see: the whole-event decoder matched every component
  /// and still put the hadronic top's mass 3–20 floors off.
  OTAE_ARG(std::vector<std::vector<int64_t>>, detector_masses, {});
  OTAE_ARG(std::vector<std::vector<int64_t>>, parton_masses, {});
  OTAE_ARG_PUBLIC
};

/// Term values of one step. Every tensor is [] float32; a skipped term (weight 0) is undefined.
struct OtusLossTerms {
  at::Tensor total;            ///< differentiable
  at::Tensor reconstruction;   ///< MSE(x, D(E(x))) over accepted rows / P̂_D(S)
  at::Tensor latent;           ///< SW(z, E(x))
  at::Tensor data;             ///< SW(x, D(z)) over accepted rows / P̂_D(S)
  at::Tensor encoder_anchor;   ///< A(x, E(x))
  at::Tensor decoder_anchor;   ///< A(z, D(z))
  at::Tensor paired;           ///< E[c(x, D(z))] + E[c(z, E(x))] on the paired events
  at::Tensor mass;             ///< W₂²(M(x), M(D(z))) [accepted, / P̂_D(S)] + W₂²(M(z), M(E(x))), in σ_M²
                               ///< (each the mean over energy bins when mass_bins > 1)
  at::Tensor transport;        ///< ‖E(x) − x‖², standardised
  at::Tensor simulated_pairs;  ///< ‖E(D(z)) − z‖² over accepted D(z), D(z) held fixed
  at::Tensor simulation_transport;  ///< c(z, D(z)), standardised
  double acceptance = 1.0;     ///< P̂_D(S)
};

/// Inputs of one step: unpaired z [B, 4k_z] and x [B′, 4k_x] in GeV, float32; optional paired
/// events z_paired, x_paired [P, ·] of the same P events (undefined tensors: none).
struct OtusBatch {
  at::Tensor z, x, z_paired, x_paired;
};

/// Scales that turn GeV into standardised units for the comparisons: one σ per column [4k], and
/// the σ [GeV] of the invariant mass of all objects of each side (the mass term's unit).
struct OtusLossScales {
  at::Tensor z, x;
  double z_mass = 1.0, x_mass = 1.0;
};

/// Invariant mass of all objects of each event: events [B, 4k] (px, py, pz, E) [GeV] → [B, 1]
/// √max(E² − |p|², 10⁻⁶ GeV²) [GeV] (the floor keeps the gradient finite), differentiable.
/// Throws InvalidArgument unless events is [B, 4k].
at::Tensor total_invariant_mass(const at::Tensor& events);

/// The same for the objects `objects` of each event together (indices into its k objects).
/// Throws InvalidArgument on a malformed event tensor or an index outside 0…k−1.
at::Tensor invariant_mass_of(const at::Tensor& events, const std::vector<int64_t>& objects);

/// The mass term's distance with listed masses: the mean over the lists S of the 1-D W₂² between
/// M_S(data) and M_S(generated), each over the σ of M_S(data) (a constant to the gradient), over
/// the quantile levels [trim, 1 − trim]. Returns [] (dimensionless), differentiable in
/// `generated`. Throws InvalidArgument on shapes, an empty list of lists or of objects, an index
/// out of range, or trim ∉ [0, 0.5).
at::Tensor listed_mass_distance(const at::Tensor& data, const at::Tensor& generated,
                                const std::vector<std::vector<int64_t>>& masses, double trim);

/// The mass term's distance between data events [B, 4k] and generated events [B′, 4k] (GeV):
/// W₂² of their total invariant masses over `mass_sigma` [GeV], or with bins > 1 its mean over
/// objects j and the `bins` quantile bins of the data's E_j, each side binned by its own E_j (bins
/// with fewer than 2 events on a side are skipped); each W₂² over the quantile levels
/// [trim, 1 − trim] only (`OtusLossOptions::mass_trim`). Returns [] (dimensionless),
/// differentiable in `generated`. Throws InvalidArgument on shapes, bins < 1 or trim ∉ [0, 0.5).
at::Tensor binned_mass_distance(const at::Tensor& data, const at::Tensor& generated, double mass_sigma, int64_t bins,
                                double trim);

/// The simulator's transport cost between parton events z [B, 4k] and their simulation x̃ [B, 4k]
/// (GeV): per event, the least over the orders of the `interchangeable` objects (tt̄'s pT-ordered
/// jets, any of which may come from any quark) of the squared moves (z_j − x̃_π(j)) / σ summed over
/// objects and components, where an object in `transverse_only` (missing momentum, which measures
/// only px, py of its neutrino) compares px and py only; the mean over events of that sum over
/// the number of components compared. σ [4k]: each detector column's scale (GeV); the
/// interchangeable objects are scaled by their mean σ, so that a move does not depend on the slot
/// it lands in. Returns [] (dimensionless), differentiable in x̃. Throws InvalidArgument on
/// shapes, an index out of range, or more than 7 interchangeable objects (every order is tried).
at::Tensor simulation_transport_cost(const at::Tensor& z, const at::Tensor& simulated, const at::Tensor& sigma,
                                     const std::vector<int64_t>& interchangeable,
                                     const std::vector<int64_t>& transverse_only);

/// Computes L for one batch with fresh SW directions from `seed` and the generators' noise ε from
/// `noise` (LibTorch's global generator when empty). The encoder maps x → z̃, the decoder z → x̃.
/// Throws NumericalError when fewer than 2 decoded prior events are accepted (no SW can be
/// formed; loosen the acceptance or enlarge the batch).
OtusLossTerms otus_loss(nn::OtusGenerator& encoder, nn::OtusGenerator& decoder, const OtusBatch& batch,
                        const OtusLossWeights& weights, const OtusLossOptions& options, const OtusLossScales& scales,
                        uint64_t seed, c10::optional<at::Generator> noise = c10::nullopt);

}  // namespace otae::train
