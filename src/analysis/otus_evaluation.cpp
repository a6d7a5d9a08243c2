// OTUS evaluation against the statistical floor and the identity; see otus_evaluation.hpp.
#include "otae/analysis/otus_evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <utility>

#include <ATen/CPUGeneratorImpl.h>

#include "otae/analysis/generative_metrics.hpp"
#include "otae/analysis/otus_observables.hpp"
#include "otae/analysis/otus_transfer_function.hpp"
#include "otae/analysis/otus_verdicts.hpp"
#include "otae/base/error.hpp"
#include "otae/data/split.hpp"
#include "otae/ot/one_dimensional.hpp"
#include "otae/ot/sliced_wasserstein.hpp"
#include "otae/train/otus_loss.hpp"

namespace otae::analysis {

namespace {

// Seed offsets, so that the halves, each generator's noise and the directions are independent.
constexpr uint64_t kUnfoldNoise = 1, kReconstructNoise = 2, kSimulateNoise = 3, kTransferNoise = 4;
constexpr uint64_t kPerEventNoise = 100;  // + draw index

std::vector<double> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

at::Tensor accepted(const at::Tensor& events, const std::vector<train::ObjectCut>& cuts) {
  if (cuts.empty()) return events;
  return events.index_select(0, train::event_acceptance(events, cuts).nonzero().squeeze(1));
}

nlohmann::json compare_samples(const at::Tensor& reference, const at::Tensor& other, int64_t bins) {
  if (!other.defined() || other.numel() < 2) return nullptr;
  const ot::Wasserstein1dResult w = ot::wasserstein_1d(reference, other);
  const ot::KolmogorovSmirnovResult ks = ot::kolmogorov_smirnov(reference, other);
  nlohmann::json out = {{"w1", w.w1}, {"w2_squared", w.w2_squared}, {"ks", ks.statistic}, {"ks_p_value", ks.p_value}};
  try {
    const ot::ChiSquaredResult chi2 = ot::binned_chi_squared(reference, other, ot::ChiSquaredOptions().bins(bins));
    out["chi2_reduced"] = chi2.reduced_chi2;
    out["chi2_dof"] = chi2.dof;
    out["chi2_p_value"] = chi2.p_value;
  } catch (const InvalidArgument&) {
    // too few populated bins (e.g. a constant column such as the missing momentum's pz): no χ²
    out["chi2_reduced"] = nullptr;
  }
  return out;
}

/// Common equal-width bins over the reference's 0.5–99.5 % range and the counts of every sample.
nlohmann::json histograms(const at::Tensor& reference, const std::vector<std::pair<std::string, at::Tensor>>& samples,
                          int64_t bins) {
  const at::Tensor q = at::quantile(reference, at::tensor({0.005, 0.995}, at::kDouble));
  double low = q[0].item<double>(), high = q[1].item<double>();
  if (!(high > low)) high = low + 1.0;
  nlohmann::json out = {{"edges", to_vector(at::linspace(low, high, bins + 1, at::kDouble))},
                        {"reference", to_vector(at::histc(reference, bins, low, high))}};
  for (const auto& [name, values] : samples)
    out[name] = values.defined() && values.numel() > 0 ? nlohmann::json(to_vector(at::histc(values, bins, low, high)))
                                                       : nlohmann::json(nullptr);
  return out;
}

/// Every observable of one side: reference sample against the named others.
nlohmann::json observable_table(const std::vector<EventObservable>& observables, const at::Tensor& reference,
                                const std::vector<std::pair<std::string, at::Tensor>>& others, int64_t bins) {
  nlohmann::json table = nlohmann::json::array();
  for (const auto& observable : observables) {
    const at::Tensor ref = observable.compute(reference);
    std::vector<std::pair<std::string, at::Tensor>> values;
    nlohmann::json comparisons;
    for (const auto& [name, events] : others) {
      const at::Tensor v = events.defined() && events.size(0) > 0 ? observable.compute(events) : at::Tensor();
      values.emplace_back(name, v);
      comparisons[name] = compare_samples(ref, v, bins);
    }
    table.push_back({{"name", observable.name},
                     {"units", observable.units},
                     {"comparisons", comparisons},
                     {"histogram", histograms(ref, values, bins)}});
  }
  return table;
}

double sliced_distance(const at::Tensor& a, const at::Tensor& b, const at::Tensor& directions) {
  if (!a.defined() || !b.defined() || a.size(0) < 1 || b.size(0) < 1 || a.size(1) != b.size(1)) return std::nan("");
  return ot::sliced_wasserstein(a, b, ot::SlicedWassersteinOptions().directions(directions)).sw2_squared.item<double>();
}

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

void check_objects(const train::OtusModel& model, const std::vector<std::string>& z_objects,
                   const std::vector<std::string>& x_objects, const data::EventPairs& events) {
  const auto kz = static_cast<int64_t>(z_objects.size()), kx = static_cast<int64_t>(x_objects.size());
  if (kz != events.z().size(1) / 4 || kx != events.x().size(1) / 4)
    throw InvalidArgument("evaluate_otus: the object names (" + std::to_string(kz) + " parton, " + std::to_string(kx) +
                          " detector) do not match the event columns");
  if (kz != model.run.z_objects || kx != model.run.x_objects)
    throw InvalidArgument("evaluate_otus: the run was trained on " + std::to_string(model.run.z_objects) + " parton and " +
                          std::to_string(model.run.x_objects) + " detector objects, the data have " + std::to_string(kz) +
                          " and " + std::to_string(kx));
}

/// Mean and half the 16–84 % interval of a sample [N].
/// Half the 16–84 % interval of each row of values [B, N].
at::Tensor robust_widths(const at::Tensor& values) {
  const at::Tensor q = at::quantile(values.to(at::kDouble), at::tensor({0.16, 0.84}, at::kDouble), /*dim=*/1);
  return 0.5 * (q[1] - q[0]);
}

nlohmann::json mean_and_width(const at::Tensor& values) {
  return {{"mean", values.to(at::kDouble).mean().item<double>()},
          {"width", robust_widths(values.unsqueeze(0))[0].item<double>()}};
}

/// σ of width(a) − width(b) over `bootstraps` resamples (with replacement) of the rows of a and b
/// [N], the same rows for both.
double width_difference_error(const at::Tensor& a, const at::Tensor& b, const at::Tensor& resamples) {
  const at::Tensor difference = robust_widths(a.index({resamples})) - robust_widths(b.index({resamples}));
  return difference.std().item<double>();
}

}  // namespace

nlohmann::json per_event_unfolding(const at::Tensor& z, const at::Tensor& x, const std::vector<at::Tensor>& draws,
                                   const std::vector<std::string>& z_objects, int64_t bootstraps, uint64_t seed) {
  if (draws.empty()) throw InvalidArgument("per_event_unfolding: needs at least one unfolded draw");
  if (bootstraps < 2)
    throw InvalidArgument("per_event_unfolding: bootstraps must be >= 2, received " + std::to_string(bootstraps));
  auto same = [&](const at::Tensor& t) { return t.defined() && t.dim() == 2 && t.sizes() == z.sizes(); };
  if (!same(x) || !std::all_of(draws.begin(), draws.end(), same) || z.size(0) < 2 ||
      z.size(1) != 4 * static_cast<int64_t>(z_objects.size()))
    throw InvalidArgument("per_event_unfolding: z, x and every draw must be [N >= 2, 4k] with k = " +
                          std::to_string(z_objects.size()) + " named objects");
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor resamples = at::randint(z.size(0), {bootstraps, z.size(0)}, generator, at::kLong);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& o : event_observables(z_objects)) {
    const at::Tensor truth = o.compute(z);
    at::Tensor mean = at::zeros_like(truth);
    for (const auto& d : draws) mean = mean + o.compute(d);
    mean = mean / static_cast<double>(draws.size());
    const at::Tensor model = mean - truth, identity = o.compute(x) - truth;
    out.push_back({{"name", o.name}, {"units", o.units}, {"model", mean_and_width(model)},
                   {"identity", mean_and_width(identity)},
                   {"width_difference_error", width_difference_error(model, identity, resamples)}});
  }
  return out;
}

namespace {

/// Halves A and B of the test rows, and the model's outputs on A: unfolded, reconstructed, simulated.
OtusEvaluation outputs_on_halves(train::OtusModel& model, const data::EventPairs& events, const at::Tensor& rows,
                                 const OtusEvaluationOptions& options) {
  const int64_t n = rows.size(0), half = n / 2;
  if (half < 2) throw InvalidArgument("evaluate_otus: needs at least 4 test events, received " + std::to_string(n));
  const at::Tensor order = rows.index_select(0, data::seeded_permutation(n, options.seed()));
  const at::Tensor a = order.narrow(0, 0, half), b = order.narrow(0, half, half);
  OtusEvaluation e;
  e.z_a = events.z().index_select(0, a);
  e.x_a = events.x().index_select(0, a);
  e.z_b = events.z().index_select(0, b);
  e.x_b = events.x().index_select(0, b);
  e.unfolded = train::generate_events(model.encoder, e.x_a, options.seed() + kUnfoldNoise);
  e.reconstructed = train::generate_events(model.decoder, e.unfolded, options.seed() + kReconstructNoise);
  e.simulated = train::generate_events(model.decoder, e.z_a, options.seed() + kSimulateNoise);
  return e;
}

/// What B is compared with: the model's outputs and the identity (x~' = z, z~ = x, only when z
/// and x have the same objects), detector-level events cut to the decoder's acceptance.
struct ComparedSamples {
  at::Tensor simulated, reconstructed, identity_x, identity_z;
};

ComparedSamples compared_samples(const OtusEvaluation& e, const std::vector<train::ObjectCut>& cuts) {
  const bool same_shape = e.z_a.size(1) == e.x_a.size(1);
  return {accepted(e.simulated, cuts), accepted(e.reconstructed, cuts),
          same_shape ? accepted(e.z_a, cuts) : at::Tensor(), same_shape ? e.x_a : at::Tensor()};
}

/// SW²₂ of unfolding, reconstruction and simulation against the floor and the identity, with
/// each column over `z_sigma` / `x_sigma` (undefined: in GeV).
nlohmann::json sliced_wasserstein_block(const OtusEvaluation& e, const ComparedSamples& c, const at::Tensor& z_sigma,
                                        const at::Tensor& x_sigma, const at::Tensor& z_directions,
                                        const at::Tensor& x_directions) {
  auto scaled = [](const at::Tensor& v, const at::Tensor& s) { return v.defined() && s.defined() ? v / s : v; };
  auto sw = [&](const at::Tensor& p, const at::Tensor& q, const at::Tensor& s, const at::Tensor& d) {
    return number_or_null(sliced_distance(scaled(p, s), scaled(q, s), d));
  };
  const at::Tensor &sz = z_sigma, &sx = x_sigma;
  return nlohmann::json{
      {"unfolding", {{"model", sw(e.z_b, e.unfolded, sz, z_directions)}, {"floor", sw(e.z_b, e.z_a, sz, z_directions)},
                     {"identity", sw(e.z_b, c.identity_z, sz, z_directions)}}},
      {"reconstruction", {{"model", sw(e.x_b, c.reconstructed, sx, x_directions)}, {"floor", sw(e.x_b, e.x_a, sx, x_directions)},
                          {"identity", sw(e.x_b, c.identity_x, sx, x_directions)}}},
      {"simulation", {{"model", sw(e.x_b, c.simulated, sx, x_directions)}, {"floor", sw(e.x_b, e.x_a, sx, x_directions)},
                      {"identity", sw(e.x_b, c.identity_x, sx, x_directions)}}}};
}

/// In GeV² and standardised: each column over its training σ (the generators' input statistics).
nlohmann::json sliced_wasserstein_table(train::OtusModel& model, const OtusEvaluation& e, const ComparedSamples& c,
                                        const OtusEvaluationOptions& options) {
  // the samples are in host memory, wherever the generators ran
  const at::Tensor z_sigma = model.decoder->named_buffers()["input_std_dev"].cpu();
  const at::Tensor x_sigma = model.encoder->named_buffers()["input_std_dev"].cpu();
  const at::Tensor z_directions = ot::random_directions(options.slices(), e.z_a.size(1), options.seed());
  const at::Tensor x_directions = ot::random_directions(options.slices(), e.x_a.size(1), options.seed());
  return {{"gev2", sliced_wasserstein_block(e, c, at::Tensor(), at::Tensor(), z_directions, x_directions)},
          {"standardised", sliced_wasserstein_block(e, c, z_sigma, x_sigma, z_directions, x_directions)}};
}

nlohmann::json acceptance_entry(const ComparedSamples& c, int64_t half) {
  auto fraction = [half](const at::Tensor& t) { return static_cast<double>(t.size(0)) / static_cast<double>(half); };
  return {{"simulation", fraction(c.simulated)},
          {"reconstruction", fraction(c.reconstructed)},
          {"identity", c.identity_x.defined() ? nlohmann::json(fraction(c.identity_x)) : nlohmann::json(nullptr)}};
}

/// JetNet's metrics (generative_metrics.hpp) with each detector-level event a cloud of its jets:
/// the simulation (accepted D(z_A)) and the floor (x_A), both against x_B; null without jets or
/// with fewer than 4 events in B, the least that the metrics' sample sizes scale to.
nlohmann::json jetnet_entry(const OtusEvaluation& e, const ComparedSamples& c, const std::vector<std::string>& x_objects,
                            uint64_t seed) {
  const std::vector<int64_t> jets = jet_object_indices(x_objects);
  if (jets.empty() || e.x_b.size(0) < 4) return nullptr;
  const GenerativeMetricsOptions options = GenerativeMetricsOptions::scaled_to(e.x_b.size(0)).seed(seed);
  const JetNetFeatures real = jetnet_features(object_clouds(e.x_b, jets), "evaluate_otus: x_B's jets");
  auto against_b = [&](const at::Tensor& events, const std::string& name) {
    // a barely trained decoder may leave too few accepted events to compare
    if (events.size(0) < 2) return nlohmann::json(nullptr);
    return to_json(generative_metrics(real, jetnet_features(object_clouds(events, jets), name), options));
  };
  std::vector<std::string> names;
  for (int64_t j : jets) names.push_back(x_objects[static_cast<size_t>(j)]);
  return {{"objects", names},
          {"events", e.x_b.size(0)},
          {"simulation", against_b(c.simulated, "evaluate_otus: the jets of accepted D(z_A)")},
          {"floor", against_b(e.x_a, "evaluate_otus: x_A's jets")},
          {"note", "each event as a cloud of its jets (pT, eta, phi); JetNet's metrics against x_B, the samples "
                   "scaled to its size"}};
}

const char* const kEvaluationLayout =
    "halves A and B of the test events; 'model' compares B with the model applied to A, 'floor' B with A, "
    "'identity' B with the other side of A taken as is (x~' = z, z~ = x). SW: SW_2^2 with L slices, GeV^2 "
    "('gev2') and in units of the training sigma of each column ('standardised'). Observables: 1-D W1 [units], "
    "W2^2 [units^2], two-sided KS, reduced chi2 with dof; histograms share edges. jetnet: JetNet's W1M, W1P, "
    "W1EFP, FPD, KPD with each detector event a cloud of its jets, null without jets or with < 4 events in B.";

}  // namespace

OtusEvaluation evaluate_otus(train::OtusModel& model, const data::EventPairs& events, const at::Tensor& rows,
                             const std::vector<std::string>& z_objects, const std::vector<std::string>& x_objects,
                             const OtusEvaluationOptions& options) {
  check_objects(model, z_objects, x_objects, events);
  data::check_rows(rows, events.size(), "evaluate_otus");
  OtusEvaluation e = outputs_on_halves(model, events, rows, options);
  const int64_t n = rows.size(0), half = e.z_a.size(0);
  const auto& cuts = model.config.loss.acceptance();
  const ComparedSamples c = compared_samples(e, cuts);
  const at::Tensor all_z = events.z().index_select(0, rows), all_x = events.x().index_select(0, rows);
  const at::Tensor learnt =
      options.paired() ? train::generate_events(model.decoder, all_z, options.seed() + kTransferNoise) : at::Tensor();
  const int64_t bins = options.histogram_bins();
  e.metrics = {
      {"layout", kEvaluationLayout},
      {"events", {{"test", n}, {"half", half}}},
      {"options", {{"slices", options.slices()}, {"seed", options.seed()}, {"histogram_bins", bins},
                   {"transfer_bins", options.transfer_bins()}, {"unfolding_draws", options.unfolding_draws()}}},
      {"acceptance", acceptance_entry(c, half)},
      {"sliced_wasserstein", sliced_wasserstein_table(model, e, c, options)},
      {"observables",
       {{"parton", observable_table(event_observables(z_objects), e.z_b,
                                    {{"unfolding", e.unfolded}, {"floor", e.z_a}, {"identity", c.identity_z}}, bins)},
        {"detector", observable_table(event_observables(x_objects), e.x_b,
                                      {{"reconstruction", c.reconstructed}, {"simulation", c.simulated},
                                       {"floor", e.x_a}, {"identity", c.identity_x}},
                                      bins)}}},
      {"jetnet", jetnet_entry(e, c, x_objects, options.seed())},
      {"paired", options.paired()},
      {"transfer_function",
       options.paired() ? transfer_function(all_z, all_x, learnt, train::event_acceptance(learnt, cuts), z_objects,
                                            x_objects,
                                            TransferFunctionOptions().bins(options.transfer_bins()).seed(options.seed()))
                        : nlohmann::json(nullptr)},
      {"mass_response", options.paired() ? mass_response(all_z, all_x, learnt, train::event_acceptance(learnt, cuts),
                                                         MassResponseOptions()
                                                             .edges(options.mass_edges())
                                                             .seed(options.seed())
                                                             .training_window(model.config.parton_mass_window))
                                         : nlohmann::json(nullptr)}};
  if (options.paired() && c.identity_z.defined() && options.unfolding_draws() > 0) {
    std::vector<at::Tensor> draws;
    for (int64_t k = 0; k < options.unfolding_draws(); ++k)
      draws.push_back(train::generate_events(model.encoder, all_x, options.seed() + kPerEventNoise + k));
    e.metrics["unfolding_per_event"] = per_event_unfolding(all_z, all_x, draws, z_objects, 100, options.seed());
  }
  e.metrics["verdicts"] = otus_verdicts(e.metrics);
  if (!options.paired())
    e.metrics["notes"] = "z and x are not paired event by event: the transfer function, which needs the truth "
                         "pairs, is skipped; every other number compares distributions and stands";
  return e;
}

std::string format_otus_jetnet(const nlohmann::json& jetnet) {
  std::string objects;
  for (const auto& name : jetnet["objects"]) objects += (objects.empty() ? "" : ", ") + name.get<std::string>();
  std::ostringstream out;
  out << "JetNet's metrics, each event a cloud of its jets (" << objects << "), against x_B ("
      << jetnet["events"].get<int64_t>() << " events):\n";
  auto cell = [](const nlohmann::json& sample, const char* key) {
    if (sample.is_null()) return std::string("(too few events)");
    char text[64];
    std::snprintf(text, sizeof text, "%.4g ± %.2g", sample[key]["value"].get<double>(),
                  sample[key]["error"].get<double>());
    return std::string(text);
  };
  // padded by characters shown, not bytes: "±" is two bytes of UTF-8
  auto padded = [](std::string text, size_t width) {
    size_t shown = 0;
    for (const unsigned char byte : text) shown += (byte & 0xC0) != 0x80;
    if (shown < width) text.append(width - shown, ' ');
    return text;
  };
  auto line = [&](const std::string& metric, const std::string& simulation, const std::string& floor) {
    out << "  " << padded(metric, 12) << " " << padded(simulation, 26) << " " << floor << "\n";
  };
  line("metric", "simulation D(z_A)", "floor x_A");
  const std::pair<const char*, const char*> rows[] = {
      {"W1M", "w1m"}, {"W1P mean", "w1p_mean"}, {"W1EFP mean", "w1efp_mean"}, {"FPD", "fpd"}, {"KPD", "kpd"}};
  for (const auto& [label, key] : rows) line(label, cell(jetnet["simulation"], key), cell(jetnet["floor"], key));
  return out.str();
}

}  // namespace otae::analysis
