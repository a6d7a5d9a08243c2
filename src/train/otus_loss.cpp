// The OTUS objective with the restricted decoder; see otus_loss.hpp.
#include "otae/train/otus_loss.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <utility>

#include "otae/base/error.hpp"
#include "otae/ot/one_dimensional.hpp"
#include "otae/ot/sliced_wasserstein.hpp"

namespace otae::train {

namespace {

int64_t object_count(const at::Tensor& events, const char* what) {
  if (events.dim() != 2 || events.size(1) % 4 != 0 || events.size(1) == 0) {
    std::ostringstream msg;
    msg << what << ": events must be [B, 4k] (px, py, pz, E per object), received " << events.sizes();
    throw InvalidArgument(msg.str());
  }
  return events.size(1) / 4;
}

at::Tensor momentum(const at::Tensor& events, int64_t object) { return events.narrow(1, 4 * object, 3); }

void check_object(int64_t object, int64_t objects, const char* what) {
  if (object < 0 || object >= objects)
    throw InvalidArgument(std::string(what) + ": object index " + std::to_string(object) + " outside 0.." +
                          std::to_string(objects - 1));
}

/// Mean over rows and columns of (a − b)², the MSE of the reference.
at::Tensor mean_squared_error(const at::Tensor& a, const at::Tensor& b) { return (a - b).pow(2).mean(); }

at::Tensor sliced_w2_squared(const at::Tensor& a, const at::Tensor& b, const OtusLossOptions& options, uint64_t seed) {
  return ot::sliced_wasserstein(a, b, ot::SlicedWassersteinOptions().slices(options.slices()).seed(seed)).sw2_squared;
}

/// 1-D W₂² between samples a [B, 1] and b [B′, 1] over the quantile levels t ∈ [trim, 1 − trim]
/// only, renormalised to that range (the trimmed Wasserstein distance of Munk and Czado): through
/// the monotone coupling, keeping its pieces whose mid-level lies in the range (the middle piece
/// when none does). Differentiable in both samples.
at::Tensor trimmed_w2_squared_1d(const at::Tensor& a, const at::Tensor& b, double trim) {
  const ot::QuantileCoupling plan = ot::quantile_coupling(a.size(0), b.size(0));
  const at::Tensor weight = at::tensor(plan.weight, at::kDouble);
  const at::Tensor level = weight.cumsum(0) - 0.5 * weight;
  at::Tensor kept = ((level >= trim) & (level <= 1.0 - trim)).nonzero().squeeze(1);
  if (kept.numel() == 0) kept = (level - 0.5).abs().argmin().unsqueeze(0);
  // the plan is built on the CPU; the samples may live on a GPU
  const at::Tensor index_a = at::tensor(plan.index_a, at::kLong).index_select(0, kept).to(a.device());
  const at::Tensor index_b = at::tensor(plan.index_b, at::kLong).index_select(0, kept).to(b.device());
  const at::Tensor w = weight.index_select(0, kept);
  const at::Tensor sorted_a = std::get<0>(a.reshape(-1).sort()), sorted_b = std::get<0>(b.reshape(-1).sort());
  const at::Tensor d = sorted_a.index_select(0, index_a) - sorted_b.index_select(0, index_b);
  return (d.pow(2) * (w / w.sum()).to(d.options())).sum();
}

void check_trim(double trim, const char* what) {
  if (!(trim >= 0.0 && trim < 0.5))
    throw InvalidArgument(std::string(what) + ": trim must be in [0, 0.5), received " + std::to_string(trim));
}

}  // namespace

at::Tensor listed_mass_distance(const at::Tensor& data, const at::Tensor& generated,
                                const std::vector<std::vector<int64_t>>& masses, double trim) {
  if (masses.empty()) throw InvalidArgument("listed_mass_distance: no mass listed");
  check_trim(trim, "listed_mass_distance");
  at::Tensor sum = at::zeros({}, generated.options());
  for (const auto& objects : masses) {
    const at::Tensor m_data = invariant_mass_of(data, objects).detach();
    const at::Tensor sigma = m_data.std().clamp_min(1e-6);
    sum = sum + trimmed_w2_squared_1d(m_data / sigma, invariant_mass_of(generated, objects) / sigma, trim);
  }
  return sum / static_cast<double>(masses.size());
}

at::Tensor binned_mass_distance(const at::Tensor& data, const at::Tensor& generated, double mass_sigma, int64_t bins,
                                double trim) {
  const int64_t objects = object_count(data, "binned_mass_distance");
  if (object_count(generated, "binned_mass_distance") != objects)
    throw InvalidArgument("binned_mass_distance: data and generated events hold different object counts");
  if (bins < 1) throw InvalidArgument("binned_mass_distance: bins must be >= 1, received " + std::to_string(bins));
  check_trim(trim, "binned_mass_distance");
  const at::Tensor m_data = total_invariant_mass(data) / mass_sigma;
  const at::Tensor m_generated = total_invariant_mass(generated) / mass_sigma;
  if (bins == 1) return trimmed_w2_squared_1d(m_data, m_generated, trim);
  const at::Tensor levels = at::linspace(0.0, 1.0, bins + 1, data.options().dtype(at::kFloat));
  at::Tensor sum = at::zeros({}, m_generated.options());
  int64_t terms = 0;
  for (int64_t j = 0; j < objects; ++j) {
    const at::Tensor e_data = data.select(1, 4 * j + 3).detach(), e_generated = generated.select(1, 4 * j + 3).detach();
    const at::Tensor edges = at::quantile(e_data.to(at::kFloat), levels);
    // open outer edges: a generated energy beyond the data's range still lands in the end bins
    edges[0] = -std::numeric_limits<float>::infinity();
    edges[bins] = std::numeric_limits<float>::infinity();
    for (int64_t b = 0; b < bins; ++b) {
      auto rows = [&](const at::Tensor& e) {
        return ((e >= edges[b]) & (e < edges[b + 1])).nonzero().squeeze(1);
      };
      const at::Tensor in_data = rows(e_data), in_generated = rows(e_generated);
      if (in_data.size(0) < 2 || in_generated.size(0) < 2) continue;
      sum = sum + trimmed_w2_squared_1d(m_data.index_select(0, in_data), m_generated.index_select(0, in_generated), trim);
      ++terms;
    }
  }
  if (terms == 0) throw NumericalError("binned_mass_distance: no energy bin holds 2 events on both sides");
  return sum / static_cast<double>(terms);
}

at::Tensor event_acceptance(const at::Tensor& events, const std::vector<ObjectCut>& cuts) {
  const int64_t objects = object_count(events, "event_acceptance");
  at::Tensor accepted = at::ones({events.size(0)}, events.options().dtype(at::kBool));
  const at::Tensor values = events.detach();
  for (const auto& cut : cuts) {
    for (int64_t object : cut.objects) {
      check_object(object, objects, "event_acceptance");
      const at::Tensor p = momentum(values, object);
      const at::Tensor pt = p.narrow(1, 0, 2).pow(2).sum(1).sqrt();
      accepted = accepted & (pt >= cut.pt_min);
      // |η| ≤ η_max  ⇔  |pz| ≤ pT·sinh(η_max), also for pT = 0 (η infinite)
      if (std::isfinite(cut.abs_eta_max)) accepted = accepted & (p.select(1, 2).abs() <= pt * std::sinh(cut.abs_eta_max));
    }
    if (cut.mass_min > 0 || std::isfinite(cut.mass_max)) {
      const at::Tensor mass = invariant_mass_of(values, cut.objects).squeeze(1);
      accepted = accepted & (mass >= cut.mass_min) & (mass <= cut.mass_max);
    }
  }
  return accepted;
}

namespace {

/// √max(E² − |p|², 10⁻⁶ GeV²) of four-momenta [B, 4] → [B, 1].
at::Tensor mass_of_sum(const at::Tensor& sum) {
  const at::Tensor mass_squared = sum.select(1, 3).pow(2) - sum.narrow(1, 0, 3).pow(2).sum(1);
  return mass_squared.clamp_min(1e-6).sqrt().unsqueeze(1);
}

}  // namespace

at::Tensor total_invariant_mass(const at::Tensor& events) {
  const int64_t objects = object_count(events, "total_invariant_mass");
  return mass_of_sum(events.view({events.size(0), objects, 4}).sum(1));
}

at::Tensor invariant_mass_of(const at::Tensor& events, const std::vector<int64_t>& objects) {
  const int64_t k = object_count(events, "invariant_mass_of");
  if (objects.empty()) throw InvalidArgument("invariant_mass_of: no object listed");
  at::Tensor sum = at::zeros({events.size(0), 4}, events.options());
  for (int64_t object : objects) {
    check_object(object, k, "invariant_mass_of");
    sum = sum + events.narrow(1, 4 * object, 4);
  }
  return mass_of_sum(sum);
}

at::Tensor simulation_transport_cost(const at::Tensor& z, const at::Tensor& simulated, const at::Tensor& sigma,
                                     const std::vector<int64_t>& interchangeable,
                                     const std::vector<int64_t>& transverse_only) {
  const int64_t k = object_count(z, "simulation_transport_cost (parton events)");
  if (simulated.sizes() != z.sizes() || sigma.numel() != 4 * k) {
    std::ostringstream msg;
    msg << "simulation_transport_cost: parton events " << z.sizes() << ", simulated " << simulated.sizes()
        << " and scales " << sigma.sizes() << " must be [B, 4k], [B, 4k] and [4k]";
    throw InvalidArgument(msg.str());
  }
  for (int64_t j : interchangeable) check_object(j, k, "simulation_transport_cost (interchangeable)");
  for (int64_t j : transverse_only) check_object(j, k, "simulation_transport_cost (transverse only)");
  if (interchangeable.size() > 7)
    throw InvalidArgument("simulation_transport_cost: " + std::to_string(interchangeable.size()) +
                          " interchangeable objects; at most 7 (every order is tried)");
  // mask [k, 4]: the components compared; moves [B, k, k]: object i of z to object j of x̃. The
  // interchangeable objects share one scale, their mean σ: a slot's own σ is that of the i-th
  // hardest jet, and a move from a quark to a jet must not depend on the slot the jet lands in.
  at::Tensor mask = at::ones({k, 4}, z.options());
  for (int64_t j : transverse_only) mask[j].narrow(0, 2, 2).zero_();
  at::Tensor scale = sigma.view({k, 4}).clone();
  if (!interchangeable.empty()) {
    const at::Tensor group = at::tensor(interchangeable, at::kLong).to(z.device());
    scale.index_copy_(0, group, scale.index_select(0, group).mean(0, true).expand({group.size(0), 4}).contiguous());
  }
  scale = scale.clamp_min(1e-6);
  const at::Tensor zs = z.view({-1, k, 1, 4}) / scale.unsqueeze(1), xs = simulated.view({-1, 1, k, 4}) / scale;
  const at::Tensor moves = ((zs - xs).pow(2) * mask.unsqueeze(1)).sum(3);
  std::vector<int64_t> order(static_cast<size_t>(k));
  for (int64_t i = 0; i < k; ++i) order[static_cast<size_t>(i)] = i;
  std::vector<int64_t> slots = interchangeable;
  std::sort(slots.begin(), slots.end());
  std::vector<at::Tensor> costs;
  do {
    for (size_t a = 0; a < slots.size(); ++a) order[static_cast<size_t>(interchangeable[a])] = slots[a];
    const at::Tensor to = at::tensor(order, at::kLong).to(z.device());
    costs.push_back(moves.gather(2, to.view({1, k, 1}).expand({moves.size(0), k, 1})).sum({1, 2}));
  } while (std::next_permutation(slots.begin(), slots.end()));
  return std::get<0>(at::stack(costs, 1).min(1)).mean() / mask.sum();
}

at::Tensor anchor_cost(const at::Tensor& a, int64_t object_a, const at::Tensor& b, int64_t object_b) {
  check_object(object_a, object_count(a, "anchor_cost (first events)"), "anchor_cost");
  check_object(object_b, object_count(b, "anchor_cost (second events)"), "anchor_cost");
  if (a.size(0) != b.size(0))
    throw InvalidArgument("anchor_cost: " + std::to_string(a.size(0)) + " and " + std::to_string(b.size(0)) +
                          " rows; the anchor compares an event with its own image");
  const at::Tensor pa = momentum(a, object_a), pb = momentum(b, object_b);
  const at::Tensor cosine = (pa * pb).sum(1) / (pa.norm(2, {1}) * pb.norm(2, {1})).clamp_min(1e-12);
  return (1 - cosine).mean();
}

namespace {

/// What one loss evaluation shares between its terms: the inputs, the running total, the decoded
/// prior events with their acceptance, and the encoded detector events.
struct LossPass {
  nn::OtusGenerator& encoder;
  nn::OtusGenerator& decoder;
  const OtusBatch& batch;
  const OtusLossWeights& weights;
  const OtusLossOptions& options;
  const OtusLossScales& scales;
  uint64_t seed;
  c10::optional<at::Generator> noise;
  OtusLossTerms terms;
  at::Tensor total, decoded_prior, accepted_rows, encoded;  // accepted_rows: indices into decoded_prior

  at::Tensor in_z(const at::Tensor& v) const { return options.standardised() ? v / scales.z : v; }
  at::Tensor in_x(const at::Tensor& v) const { return options.standardised() ? v / scales.x : v; }
  void add(at::Tensor& term, double weight, const at::Tensor& value) {
    term = value;
    total = total + weight * term;
  }
};

/// x̃′ = D(z) and the fraction of it inside the acceptance, which scales the terms that see only
/// accepted events.
void decode_prior(LossPass& p) {
  p.decoded_prior = p.decoder->forward(p.batch.z, p.noise);
  p.accepted_rows = event_acceptance(p.decoded_prior, p.options.acceptance()).nonzero().squeeze(1);
  const int64_t accepted = p.accepted_rows.size(0);
  p.terms.acceptance = static_cast<double>(accepted) / static_cast<double>(p.batch.z.size(0));
  if (accepted < 2)
    throw NumericalError("otus_loss: only " + std::to_string(accepted) + " of " + std::to_string(p.batch.z.size(0)) +
                         " decoded prior events pass the acceptance; loosen the cuts or enlarge the batch");
}

/// z̃ = E(x) and the terms on it: latent SW, transport cost, encoder anchor, reconstruction D(E(x)) ≈ x.
void encoder_terms(LossPass& p) {
  const OtusLossWeights& w = p.weights;
  p.encoded = p.encoder->forward(p.batch.x, p.noise);
  if (w.latent() > 0)
    p.add(p.terms.latent, w.latent(), sliced_w2_squared(p.in_z(p.batch.z), p.in_z(p.encoded), p.options, p.seed));
  if (w.transport() > 0) {
    if (p.encoded.sizes() != p.batch.x.sizes())
      throw InvalidArgument("otus_loss: the transport weight needs z and x of the same objects; z has " +
                            std::to_string(p.encoded.size(1) / 4) + ", x " + std::to_string(p.batch.x.size(1) / 4));
    p.add(p.terms.transport, w.transport(), mean_squared_error(p.in_z(p.encoded), p.in_z(p.batch.x)));
  }
  if (w.encoder_anchor() > 0 && p.options.anchor_x_object() >= 0)
    p.add(p.terms.encoder_anchor, w.encoder_anchor(),
          anchor_cost(p.batch.x, p.options.anchor_x_object(), p.encoded, p.options.anchor_z_object()));
  if (w.reconstruction() > 0) {
    const at::Tensor reconstructed = p.decoder->forward(p.encoded, p.noise);
    const at::Tensor rows = event_acceptance(reconstructed, p.options.acceptance()).nonzero().squeeze(1);
    if (rows.size(0) > 0)
      p.add(p.terms.reconstruction, w.reconstruction(),
            mean_squared_error(p.in_x(p.batch.x.index_select(0, rows)), p.in_x(reconstructed.index_select(0, rows))) /
                p.terms.acceptance);
  }
}

/// The unfolder on the pairs the simulator makes, E(D(z)) ≈ z: D(z) fixed, accepted rows only
/// (events outside the acceptance are never unfolded).
void simulated_pair_term(LossPass& p) {
  const at::Tensor& rows = p.accepted_rows;
  const at::Tensor simulated = p.decoded_prior.index_select(0, rows).detach();
  const at::Tensor unfolded = p.encoder->forward(simulated, p.noise);
  p.add(p.terms.simulated_pairs, p.weights.simulated_pairs(),
        mean_squared_error(p.in_z(unfolded), p.in_z(p.batch.z.index_select(0, rows))));
}

/// The terms on D(z) and the paired rows: data SW, decoder anchor, paired MSE, masses, the
/// simulator's transport cost.
void decoder_terms(LossPass& p) {
  const OtusLossWeights& w = p.weights;
  const OtusBatch& batch = p.batch;
  if (w.data() > 0) {
    const at::Tensor& rows = p.accepted_rows;
    p.add(p.terms.data, w.data(),
          sliced_w2_squared(p.in_x(batch.x), p.in_x(p.decoded_prior.index_select(0, rows)), p.options, p.seed + 1) /
              p.terms.acceptance);
  }
  if (w.decoder_anchor() > 0 && p.options.anchor_z_object() >= 0)
    p.add(p.terms.decoder_anchor, w.decoder_anchor(),
          anchor_cost(batch.z, p.options.anchor_z_object(), p.decoded_prior, p.options.anchor_x_object()));
  if (w.paired() > 0 && batch.z_paired.defined() && batch.z_paired.size(0) > 0)
    p.add(p.terms.paired, w.paired(),
          mean_squared_error(p.in_x(batch.x_paired), p.in_x(p.decoder->forward(batch.z_paired, p.noise))) +
              mean_squared_error(p.in_z(batch.z_paired), p.in_z(p.encoder->forward(batch.x_paired, p.noise))));
  if (w.mass() > 0) {
    const at::Tensor& rows = p.accepted_rows;
    const double trim = p.options.mass_trim();
    auto distance = [&](const at::Tensor& data, const at::Tensor& generated, const auto& listed, double sigma) {
      return listed.empty() ? binned_mass_distance(data, generated, sigma, p.options.mass_bins(), trim)
                            : listed_mass_distance(data, generated, listed, trim);
    };
    p.add(p.terms.mass, w.mass(),
          distance(batch.x, p.decoded_prior.index_select(0, rows), p.options.detector_masses(), p.scales.x_mass) /
                  p.terms.acceptance +
              distance(batch.z, p.encoded, p.options.parton_masses(), p.scales.z_mass));
  }
  if (w.simulation_transport() > 0) {
    const nn::OtusGeneratorOptions& d = p.decoder->options();
    p.add(p.terms.simulation_transport, w.simulation_transport(),
          simulation_transport_cost(batch.z, p.decoded_prior, p.scales.x, d.pt_ordered(), d.missing_momentum()));
  }
}

}  // namespace

OtusLossTerms otus_loss(nn::OtusGenerator& encoder, nn::OtusGenerator& decoder, const OtusBatch& batch,
                        const OtusLossWeights& weights, const OtusLossOptions& options, const OtusLossScales& scales,
                        uint64_t seed, c10::optional<at::Generator> noise) {
  LossPass pass{encoder, decoder, batch, weights, options, scales, seed, std::move(noise), {},
                at::zeros({}, batch.x.options()), {}, {}, {}};
  // the order of the generator calls fixes which noise each one draws
  if (weights.data() > 0 || weights.decoder_anchor() > 0 || weights.mass() > 0 || weights.simulated_pairs() > 0 ||
      weights.simulation_transport() > 0 || !options.acceptance().empty())
    decode_prior(pass);
  if (weights.reconstruction() > 0 || weights.latent() > 0 || weights.encoder_anchor() > 0 || weights.mass() > 0 ||
      weights.transport() > 0)
    encoder_terms(pass);
  decoder_terms(pass);
  if (weights.simulated_pairs() > 0) simulated_pair_term(pass);
  pass.terms.total = pass.total;
  return pass.terms;
}

}  // namespace otae::train
