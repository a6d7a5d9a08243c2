// The stochastic generators of OTUS (Howard et al. 2022): the decoder D: z → x is the learnt
// detector simulation, the encoder E: x → z the learnt unfolding; both have this one shape.
// An event is a row (px, py, pz, E) [GeV] per object; the network predicts only the 3-momenta and
// the Minkowski layer puts every object on its mass shell, so no generated object is off-shell.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "otae/base/arg.hpp"

namespace otae::nn {

/// The Minkowski layer: momenta [B, k, 3] (px, py, pz) [GeV] and per-object masses m [k] [GeV]
/// → events [B, 4k] (px, py, pz, E) with E = √(|p|² + m² + 10⁻⁶ GeV²). The 10⁻⁶ GeV² keeps the
/// gradient finite at p = 0 for massless objects and shifts E by less than 10⁻³ GeV there.
/// Same dtype and device as `momenta`; differentiable. Throws InvalidArgument unless momenta is
/// [B, k, 3] and masses has k non-negative entries.
at::Tensor minkowski_layer(const at::Tensor& momenta, const std::vector<double>& masses);

/// How the core network is built.
enum class GeneratorArchitecture {
  /// [standardised input, ε] → `hidden_layers` × [Linear(hidden), ReLU] → Linear(3k): Z→ee's.
  kMlp,
  /// Linear(hidden) → `residual_blocks` × (h + [BatchNorm, ReLU, Linear, BatchNorm, ReLU, Linear](h))
  /// → Linear(3k): tt̄'s.
  kResidual,
};

/// Where the noise ε comes from.
enum class GeneratorNoise {
  /// ε = μ(u) + σ(u)·n, n ~ N(0, I): μ, σ from an MLP [standardised input → noise_hidden → 2d],
  /// σ = softplus, the last layer's biases initialised to 1 (as the reference: σ starts ≈ 1.3).
  kConditional,
  /// ε ~ N(0, I_d), independent of the input.
  kFixed,
  /// A calorimeter's response, per object j (needs shared_response): δ_j = μ_j(u) + s_j(E_j)·n_j
  /// + λ_j·max(0, e_j + ln f_j), with μ from the core network (which sees no noise), n ~ N(0, 1),
  /// e ~ Exp(1) and the relative resolution s_j(E) = √(a_j² + b_j²/E + c_j²/E²) (E the input
  /// object's energy in GeV, a, b, c ≥ 0 learnt: constant, stochastic and noise terms). The last
  /// term is a one-sided exponential tail (radiation lost, or put back) in a learnt fraction f_j of
  /// the events with learnt signed scale λ_j. The response width then follows the energy by
  /// construction, and a sharp feature of p(z) seen in bins of energy (the Z lineshape) fixes a,
  /// b, c, which a free noise network of the whole event cannot be held to by unpaired samples.
  kCalorimeter,
};

/// Sizes of a generator from k_in input objects to k_out output objects.
struct OtusGeneratorOptions {
  OTAE_ARG(int64_t, input_objects, 2);
  OTAE_ARG(int64_t, output_objects, 2);
  /// Mass of each output object [GeV], k_out entries (Z→ee: all 0; tt̄ parton side b, b̄ 4.7).
  OTAE_ARG(std::vector<double>, output_masses, std::vector<double>({0.0, 0.0}));
  OTAE_ARG(GeneratorArchitecture, architecture, GeneratorArchitecture::kMlp);
  /// Width of the core network (128 for Z→ee, K = 64 for tt̄).
  OTAE_ARG(int64_t, hidden, 128);
  /// kMlp only: number of hidden layers.
  OTAE_ARG(int64_t, hidden_layers, 1);
  /// kResidual only: number of skip blocks, each of two [BatchNorm, ReLU, Linear].
  OTAE_ARG(int64_t, residual_blocks, 1);
  OTAE_ARG(GeneratorNoise, noise, GeneratorNoise::kConditional);
  /// d, the dimension of ε; 0 means 3·k_out (the reference's choice). kCalorimeter: always 2·k_out
  /// (n and e per object).
  OTAE_ARG(int64_t, noise_dimension, 0);
  /// kConditional only: width of the noise network's hidden layer.
  OTAE_ARG(int64_t, noise_hidden, 128);
  /// Adds the 3-momentum of input object j to output object j after unstandardising (tt̄): the
  /// network learns a correction to the identity. Needs k_in = k_out.
  OTAE_ARG(bool, input_residual, false);
  /// With input_residual: the core's outputs are relative corrections δ (dimensionless, no
  /// unstandardising) and output object j gets p_j ⊙ (1 + δ_j), component by component. A detector
  /// that smears energies multiplies all three components by one response; an additive residual
  /// must approximate that product of input and noise, this one only has to repeat one number.
  /// The output layer starts at zero, so the generator starts as the identity.
  OTAE_ARG(bool, relative_residual, false);
  /// With relative_residual: one δ_j per object for its three components, p_j·(1 + δ_j), so that
  /// the output keeps its input's direction and only the magnitude responds. The Z→ee detector
  /// measures an electron's direction exactly and scales its momentum by one energy response;
  /// independent δ per component can only approximate that and smear the direction it keeps.
  OTAE_ARG(bool, shared_response, false);
  /// Output objects that are detector-level missing transverse momentum: pz = 0 and E = |pT|
  /// whatever the network predicts for pz (their masses must be 0).
  OTAE_ARG(std::vector<int64_t>, missing_momentum, {});
  /// Output objects listed by falling pT among themselves (jet1…jet4): the network's predictions
  /// for these slots are sorted, so the i-th listed slot always holds the i-th hardest.
  OTAE_ARG(std::vector<int64_t>, pt_ordered, {});
  /// With input_residual and pt_ordered: the input objects in the pt_ordered slots are sorted by
  /// falling pT before they are added, so that the hardest jet starts from the hardest quark. tt̄'s
  /// partons come as (b, b̄, u, d̄) and its jets by pT: without the sort the residual adds the b to
  /// the leading jet whatever the b's pT, and the network must learn a permutation.
  OTAE_ARG(bool, residual_pt_ordered, false);
  /// kCalorimeter only: the starting resolution (a, b [GeV^½], c [GeV]) of every object, a generic
  /// calorimeter's, not the detector's (training learns them), each > 0.
  OTAE_ARG(std::vector<double>, resolution_start, std::vector<double>({0.02, 0.2, 0.5}));
  /// kCalorimeter only: the tail's starting fraction f in (0, 1) and signed scale λ (dimensionless;
  /// negative: energy lost, as a detector's electrons lose radiation; positive for the unfolder).
  OTAE_ARG(double, tail_fraction_start, 0.02);
  OTAE_ARG(double, tail_scale_start, -0.02);
  /// kCalorimeter with kMlp only: the core network sees one object at a time, only its energy and
  /// |η| (features ln(E/GeV) − 4 and |η|), with weights shared by all objects, and predicts that
  /// object's mean response μ_j. A calorimeter responds to each isolated object alone, by its
  /// energy and where it lands. A core network of the whole event (or of all four momentum
  /// components) learns a mean response that varies from event to event within one energy: unpaired
  /// samples cannot tell that spread from noise, and the learnt width came out 1.5x the truth with
  /// s(E) itself right. For objects of one kind (Z→ee's electrons); not for an unfolder, which needs
  /// the whole event. With fixed noise (and shared_response) the same, except that the core network
  /// also sees the object's own share of ε (noise_dimension / k_out values) and predicts its whole
  /// response δ_j: a free-form p(δ | E, |η|), with tails of any shape, that cannot depend on the
  /// other objects (a detector that responds to the event as a whole learnt a response that
  /// depended on M_ee: −3 GeV at M = 140 GeV, widths 2.6x the truth).
  OTAE_ARG(bool, object_wise, false);
  /// object_wise only: the core network also sees which object it responds for (a one-hot of the
  /// object's slot), so that objects of different kinds (tt̄'s electron, neutrino, b and light
  /// quarks) each get their own response from one shared network.
  OTAE_ARG(bool, object_identity, false);
  /// object_wise with fixed noise only: the core network predicts, besides the response δ_j of the
  /// object's pT, shifts Δη_j and Δφ_j [rad] of its direction: the output object has pT·(1 + δ)
  /// at (η + Δη, φ + Δφ). A jet's axis moves with its shower, its out-of-cone radiation and the
  /// clustering (ΔR to its quark 0.03–0.09 in tt̄); a missing momentum's azimuth follows the
  /// neutrino's only roughly. Starts as the identity (Δη = Δφ = 0).
  OTAE_ARG(bool, object_angles, false);
  /// kCalorimeter only: the calorimeter parameters (logarithms of a, b, c, |λ| and the logit of f)
  /// are stored divided by this rate, so that Adam, whose step is about the learning rate whatever
  /// the gradient's size, moves them this many times faster than the network's weights: at a
  /// learning rate of 10⁻³ and a rate of 30, by about 3 % of their value a step, enough to travel
  /// from a generic start to the detector's in a few hundred steps (at the learning rate alone the
  /// quick run's 240 steps moved them by less than 10 %). Must be > 0.
  OTAE_ARG(double, calorimeter_rate, 30.0);
  OTAE_ARG_PUBLIC

  /// The noise dimension actually used.
  int64_t resolved_noise_dimension() const {
    if (noise_ == GeneratorNoise::kCalorimeter) return 2 * output_objects_;
    return noise_dimension_ > 0 ? noise_dimension_ : 3 * output_objects_;
  }
  /// Throws InvalidArgument naming the bad field unless every size is ≥ 1, masses has k_out
  /// non-negative finite entries, input_residual comes with k_in = k_out, relative_residual
  /// with input_residual, shared_response with relative_residual, kCalorimeter noise with
  /// shared_response and a positive resolution_start of 3 entries and a tail fraction in (0, 1),
  /// object_wise with kCalorimeter or kFixed (noise_dimension divisible by k_out), kMlp and
  /// shared_response, object_identity with object_wise, object_angles with object_wise and kFixed, residual_pt_ordered with input_residual and ≥ 2 pt_ordered objects, and
  /// the missing_momentum and pt_ordered objects are distinct indices in 0…k_out−1 (missing ones
  /// massless).
  void validate() const;
};

/// Feature statistics the generator standardises with, from the training rows only: `input_*`
/// [4·k_in] for the input columns, `output_*` [3·k_out] for the 3-momentum columns of the side
/// it generates. float64 or float32, CPU; every std_dev > 0.
struct GeneratorStatistics {
  at::Tensor input_mean, input_std_dev, output_mean, output_std_dev;
};

/// G: u [B, 4·k_in] (GeV) → v [B, 4·k_out] (GeV), stochastic through ε. Steps: standardise u with
/// the input statistics; draw ε (conditional or fixed noise); core network on [û, ε] → 3-momenta
/// in standardised units; unstandardise with the output statistics; optionally add the input's
/// momenta (or scale them, relative_residual); zero pz of the missing momentum; sort the pt_ordered
/// objects; Minkowski layer. With calorimeter noise the core network sees û alone (or one object
/// at a time, object_wise) and predicts the mean response, to which the learnt resolution and tail
/// add the noise. Random numbers (the initial weights, ε) come from the generator passed, or
/// LibTorch's global one when none is: a generator seeded alike gives the same events twice on
/// the CPU. The statistics are buffers and so travel with the module's checkpoints.
class OtusGeneratorImpl : public torch::nn::Module {
 public:
  /// With `initial_weights`, every Linear layer's starting weights are drawn from it, in the order
  /// of construction, as LibTorch draws them from its global generator without one (so a generator
  /// seeded with s starts the network that at::manual_seed(s) starts).
  OtusGeneratorImpl(const OtusGeneratorOptions& options, const GeneratorStatistics& statistics,
                    c10::optional<at::Generator> initial_weights = c10::nullopt);

  /// u [B, 4·k_in] float32 → [B, 4·k_out] float32, ε drawn from `noise` (the global generator
  /// when empty). Throws InvalidArgument on a wrong shape.
  at::Tensor forward(const at::Tensor& u, c10::optional<at::Generator> noise = c10::nullopt);

  /// The same with the noise ε [B, d] given (float32), for tests and the learnt transfer function.
  at::Tensor forward_with_noise(const at::Tensor& u, const at::Tensor& noise);

  /// ε [B, d] for the inputs u, as `forward` draws it from `noise` (the global generator when
  /// empty). kCalorimeter: [n, e], n ~ N(0, 1) [B, k_out] and e ~ Exp(1) [B, k_out], before the
  /// learnt resolution and tail act on them.
  at::Tensor draw_noise(const at::Tensor& u, c10::optional<at::Generator> noise = c10::nullopt);

  /// kCalorimeter only: the relative resolution s_j(E) [B, k_out] of the input objects' energies
  /// (u [B, 4·k_in] GeV), and the tail's fraction f and scale λ, each [k_out]. Throws InvalidArgument
  /// for another noise kind.
  at::Tensor resolution(const at::Tensor& u) const;
  at::Tensor tail_fraction() const;
  at::Tensor tail_scale() const;
  /// kCalorimeter only: (a, b [GeV^½], c [GeV]) of every object, [k_out, 3].
  at::Tensor resolution_parameters() const;

  const OtusGeneratorOptions& options() const { return options_; }

 private:
  /// The core network's layers: `event_inputs` features of a whole event (standardised input and
  /// noise), or one object's with object_wise.
  void register_core_layers(int64_t event_inputs, int64_t core_noise);
  at::Tensor standardised_input(const at::Tensor& u) const;
  /// object_wise: [B·k, 2] (ln(E/GeV) − 4, |η|) of every input object, followed by the one-hot
  /// of its slot [B·k, k] with object_identity.
  at::Tensor object_features(const at::Tensor& u) const;
  at::Tensor core(const at::Tensor& features);
  at::Tensor with_detector_structure(at::Tensor momenta) const;
  /// The input's 3-momenta [B, k, 3] the residual starts from (sorted by pT with residual_pt_ordered).
  at::Tensor residual_input(const at::Tensor& u) const;
  void check_input(const at::Tensor& u) const;

  OtusGeneratorOptions options_;
  at::Tensor input_mean_, input_std_dev_, output_mean_, output_std_dev_;
  torch::nn::Linear noise_hidden_{nullptr}, noise_out_{nullptr};
  torch::nn::ModuleList layers_{nullptr};
  torch::nn::ModuleList norms_{nullptr};
  torch::nn::Linear output_{nullptr};
  /// kCalorimeter: ln a, ln b, ln c [k_out, 3], logit f and ln |λ| [k_out], each stored divided by
  /// calorimeter_rate, and the sign of λ (fixed by tail_scale_start).
  at::Tensor log_resolution_, tail_logit_, log_tail_scale_;
  double tail_sign_ = -1.0;
};
TORCH_MODULE(OtusGenerator);

/// The architecture and noise kinds by their configuration names ("mlp", "residual";
/// "conditional", "fixed", "calorimeter"). Throws InvalidArgument naming the unknown value and the choices.
GeneratorArchitecture parse_generator_architecture(const std::string& name);
GeneratorNoise parse_generator_noise(const std::string& name);
std::string to_string(GeneratorArchitecture architecture);
std::string to_string(GeneratorNoise noise);

}  // namespace otae::nn
