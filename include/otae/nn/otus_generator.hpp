// The stochastic generators of OTUS (Howard et al. 2022): the decoder D: z → x is the learnt
// detector simulation, the encoder E: x → z the learnt unfolding; both have this one shape.
// An event is a row (px, py, pz, E) [GeV] per object; the network predicts only the 3-momenta and
// the Minkowski layer puts every object on its mass shell, so no generated object is off-shell.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
  /// d, the dimension of ε; 0 means 3·k_out (the reference's choice).
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
  OTAE_ARG_PUBLIC

  /// The noise dimension actually used.
  int64_t resolved_noise_dimension() const { return noise_dimension_ > 0 ? noise_dimension_ : 3 * output_objects_; }
  /// Throws InvalidArgument naming the bad field unless every size is ≥ 1, masses has k_out
  /// non-negative finite entries, input_residual comes with k_in = k_out, relative_residual
  /// with input_residual, shared_response with relative_residual, and the missing_momentum and
  /// pt_ordered objects are distinct indices in 0…k_out−1 (missing ones massless).
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
/// objects; Minkowski layer. Random numbers come from LibTorch's default generator, so a fixed
/// torch::manual_seed gives the same events twice on the CPU. The statistics are buffers and so
/// travel with the module's checkpoints.
class OtusGeneratorImpl : public torch::nn::Module {
 public:
  OtusGeneratorImpl(const OtusGeneratorOptions& options, const GeneratorStatistics& statistics);

  /// u [B, 4·k_in] float32 → [B, 4·k_out] float32. Throws InvalidArgument on a wrong shape.
  at::Tensor forward(const at::Tensor& u);

  /// The same with the noise ε [B, d] given (float32), for tests and the learnt transfer function.
  at::Tensor forward_with_noise(const at::Tensor& u, const at::Tensor& noise);

  /// ε [B, d] for the inputs u, as `forward` draws it.
  at::Tensor draw_noise(const at::Tensor& u);

  const OtusGeneratorOptions& options() const { return options_; }

 private:
  at::Tensor standardised_input(const at::Tensor& u) const;
  at::Tensor core(const at::Tensor& features);
  at::Tensor with_detector_structure(at::Tensor momenta) const;
  void check_input(const at::Tensor& u) const;

  OtusGeneratorOptions options_;
  at::Tensor input_mean_, input_std_dev_, output_mean_, output_std_dev_;
  torch::nn::Linear noise_hidden_{nullptr}, noise_out_{nullptr};
  torch::nn::ModuleList layers_{nullptr};
  torch::nn::ModuleList norms_{nullptr};
  torch::nn::Linear output_{nullptr};
};
TORCH_MODULE(OtusGenerator);

/// The architecture and noise kinds by their configuration names ("mlp", "residual";
/// "conditional", "fixed"). Throws InvalidArgument naming the unknown value and the choices.
GeneratorArchitecture parse_generator_architecture(const std::string& name);
GeneratorNoise parse_generator_noise(const std::string& name);
std::string to_string(GeneratorArchitecture architecture);
std::string to_string(GeneratorNoise noise);

}  // namespace otae::nn
