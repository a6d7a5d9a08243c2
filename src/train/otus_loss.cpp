// The OTUS objective with the restricted decoder; see otus_loss.hpp.
#include "otae/train/otus_loss.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "otae/base/error.hpp"
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

/// 1-D W₂² between two samples [B, 1], [B′, 1]: the sliced distance with the one direction there is.
at::Tensor w2_squared_1d(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor one = at::ones({1, 1}, a.options());
  return ot::sliced_wasserstein(a, b, ot::SlicedWassersteinOptions().directions(one)).sw2_squared;
}

}  // namespace

at::Tensor binned_mass_distance(const at::Tensor& data, const at::Tensor& generated, double mass_sigma, int64_t bins) {
  const int64_t objects = object_count(data, "binned_mass_distance");
  if (object_count(generated, "binned_mass_distance") != objects)
    throw InvalidArgument("binned_mass_distance: data and generated events hold different object counts");
  if (bins < 1) throw InvalidArgument("binned_mass_distance: bins must be >= 1, received " + std::to_string(bins));
  const at::Tensor m_data = total_invariant_mass(data) / mass_sigma;
  const at::Tensor m_generated = total_invariant_mass(generated) / mass_sigma;
  if (bins == 1) return w2_squared_1d(m_data, m_generated);
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
      sum = sum + w2_squared_1d(m_data.index_select(0, in_data), m_generated.index_select(0, in_generated));
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
  }
  return accepted;
}

at::Tensor total_invariant_mass(const at::Tensor& events) {
  const int64_t objects = object_count(events, "total_invariant_mass");
  const at::Tensor sum = events.view({events.size(0), objects, 4}).sum(1);
  const at::Tensor mass_squared = sum.select(1, 3).pow(2) - sum.narrow(1, 0, 3).pow(2).sum(1);
  return mass_squared.clamp_min(1e-6).sqrt().unsqueeze(1);
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

OtusLossTerms otus_loss(nn::OtusGenerator& encoder, nn::OtusGenerator& decoder, const OtusBatch& batch,
                        const OtusLossWeights& weights, const OtusLossOptions& options, const OtusLossScales& scales,
                        uint64_t seed) {
  OtusLossTerms terms;
  auto in_z = [&](const at::Tensor& v) { return options.standardised() ? v / scales.z : v; };
  auto in_x = [&](const at::Tensor& v) { return options.standardised() ? v / scales.x : v; };
  at::Tensor total = at::zeros({}, batch.x.options());
  const bool need_encoded =
      weights.reconstruction() > 0 || weights.latent() > 0 || weights.encoder_anchor() > 0 || weights.mass() > 0;
  const bool need_decoded_prior =
      weights.data() > 0 || weights.decoder_anchor() > 0 || weights.mass() > 0 || !options.acceptance().empty();

  at::Tensor decoded_prior, prior_accepted;
  if (need_decoded_prior) {
    decoded_prior = decoder->forward(batch.z);
    prior_accepted = event_acceptance(decoded_prior, options.acceptance());
    const int64_t accepted = prior_accepted.sum().item<int64_t>();
    terms.acceptance = static_cast<double>(accepted) / static_cast<double>(batch.z.size(0));
    if (accepted < 2)
      throw NumericalError("otus_loss: only " + std::to_string(accepted) + " of " + std::to_string(batch.z.size(0)) +
                           " decoded prior events pass the acceptance; loosen the cuts or enlarge the batch");
  }
  at::Tensor encoded;
  if (need_encoded) {
    encoded = encoder->forward(batch.x);
    if (weights.latent() > 0) {
      terms.latent = sliced_w2_squared(in_z(batch.z), in_z(encoded), options, seed);
      total = total + weights.latent() * terms.latent;
    }
    if (weights.encoder_anchor() > 0 && options.anchor_x_object() >= 0) {
      terms.encoder_anchor = anchor_cost(batch.x, options.anchor_x_object(), encoded, options.anchor_z_object());
      total = total + weights.encoder_anchor() * terms.encoder_anchor;
    }
    if (weights.reconstruction() > 0) {
      const at::Tensor reconstructed = decoder->forward(encoded);
      const at::Tensor rows = event_acceptance(reconstructed, options.acceptance()).nonzero().squeeze(1);
      if (rows.size(0) > 0) {
        terms.reconstruction = mean_squared_error(in_x(batch.x.index_select(0, rows)),
                                                  in_x(reconstructed.index_select(0, rows))) / terms.acceptance;
        total = total + weights.reconstruction() * terms.reconstruction;
      }
    }
  }
  if (weights.data() > 0) {
    const at::Tensor rows = prior_accepted.nonzero().squeeze(1);
    terms.data = sliced_w2_squared(in_x(batch.x), in_x(decoded_prior.index_select(0, rows)), options, seed + 1) /
                 terms.acceptance;
    total = total + weights.data() * terms.data;
  }
  if (weights.decoder_anchor() > 0 && options.anchor_z_object() >= 0) {
    terms.decoder_anchor = anchor_cost(batch.z, options.anchor_z_object(), decoded_prior, options.anchor_x_object());
    total = total + weights.decoder_anchor() * terms.decoder_anchor;
  }
  if (weights.paired() > 0 && batch.z_paired.defined() && batch.z_paired.size(0) > 0) {
    terms.paired = mean_squared_error(in_x(batch.x_paired), in_x(decoder->forward(batch.z_paired))) +
                   mean_squared_error(in_z(batch.z_paired), in_z(encoder->forward(batch.x_paired)));
    total = total + weights.paired() * terms.paired;
  }
  if (weights.mass() > 0) {
    const at::Tensor rows = prior_accepted.nonzero().squeeze(1);
    const int64_t bins = options.mass_bins();
    terms.mass = binned_mass_distance(batch.x, decoded_prior.index_select(0, rows), scales.x_mass, bins) / terms.acceptance +
                 binned_mass_distance(batch.z, encoded, scales.z_mass, bins);
    total = total + weights.mass() * terms.mass;
  }
  terms.total = total;
  return terms;
}

}  // namespace otae::train
