// OTUS evaluation against the statistical floor and the identity; see otus_evaluation.hpp.
#include "otae/analysis/otus_evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
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
#include "json_numbers.hpp"

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

std::optional<SampleComparison> compare_samples(const at::Tensor& reference, const at::Tensor& other, int64_t bins) {
  if (!other.defined() || other.numel() < 2) return std::nullopt;
  const ot::Wasserstein1dResult w = ot::wasserstein_1d(reference, other);
  const ot::KolmogorovSmirnovResult ks = ot::kolmogorov_smirnov(reference, other);
  SampleComparison out;
  out.w1 = w.w1;
  out.w2_squared = w.w2_squared;
  out.ks = ks.statistic;
  out.ks_p_value = ks.p_value;
  try {
    const ot::ChiSquaredResult chi2 = ot::binned_chi_squared(reference, other, ot::ChiSquaredOptions().bins(bins));
    out.chi2_reduced = chi2.reduced_chi2;
    out.chi2_dof = chi2.dof;
    out.chi2_p_value = chi2.p_value;
  } catch (const InvalidArgument&) {
    // too few populated bins (e.g. a constant column such as the missing momentum's pz): no χ²
  }
  return out;
}

/// Common equal-width bins over the reference's 0.5–99.5 % range and the counts of every sample.
void fill_histograms(ObservableComparison& row, const at::Tensor& reference,
                     const std::vector<std::pair<std::string, at::Tensor>>& samples, int64_t bins) {
  const at::Tensor q = at::quantile(reference, at::tensor({0.005, 0.995}, at::kDouble));
  double low = q[0].item<double>(), high = q[1].item<double>();
  if (!(high > low)) high = low + 1.0;
  row.histogram_edges = to_vector(at::linspace(low, high, bins + 1, at::kDouble));
  row.histogram_reference = to_vector(at::histc(reference, bins, low, high));
  for (const auto& [name, values] : samples)
    row.histograms[name] = values.defined() && values.numel() > 0 ? to_vector(at::histc(values, bins, low, high))
                                                                  : std::vector<double>();
}

/// Every observable of one side: reference sample against the named others.
std::vector<ObservableComparison> observable_table(const std::vector<EventObservable>& observables,
                                                   const at::Tensor& reference,
                                                   const std::vector<std::pair<std::string, at::Tensor>>& others,
                                                   int64_t bins) {
  std::vector<ObservableComparison> table;
  for (const auto& observable : observables) {
    const at::Tensor ref = observable.compute(reference);
    ObservableComparison row;
    row.name = observable.name;
    row.units = observable.units;
    std::vector<std::pair<std::string, at::Tensor>> values;
    for (const auto& [name, events] : others) {
      const at::Tensor v = events.defined() && events.size(0) > 0 ? observable.compute(events) : at::Tensor();
      values.emplace_back(name, v);
      row.comparisons[name] = compare_samples(ref, v, bins);
    }
    fill_histograms(row, ref, values, bins);
    table.push_back(std::move(row));
  }
  return table;
}

double sliced_distance(const at::Tensor& a, const at::Tensor& b, const at::Tensor& directions) {
  if (!a.defined() || !b.defined() || a.size(0) < 1 || b.size(0) < 1 || a.size(1) != b.size(1)) return std::nan("");
  return ot::sliced_wasserstein(a, b, ot::SlicedWassersteinOptions().directions(directions)).sw2_squared.item<double>();
}

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

/// Half the 16–84 % interval of each row of values [B, N].
at::Tensor robust_widths(const at::Tensor& values) {
  const at::Tensor q = at::quantile(values.to(at::kDouble), at::tensor({0.16, 0.84}, at::kDouble), /*dim=*/1);
  return 0.5 * (q[1] - q[0]);
}

/// Mean and half the 16–84 % interval of a sample [N].
MeanAndWidth mean_and_width(const at::Tensor& values) {
  return {values.to(at::kDouble).mean().item<double>(), robust_widths(values.unsqueeze(0))[0].item<double>()};
}

/// σ of width(a) − width(b) over `bootstraps` resamples (with replacement) of the rows of a and b
/// [N], the same rows for both.
double width_difference_error(const at::Tensor& a, const at::Tensor& b, const at::Tensor& resamples) {
  const at::Tensor difference = robust_widths(a.index({resamples})) - robust_widths(b.index({resamples}));
  return difference.std().item<double>();
}

}  // namespace

std::vector<PerEventUnfolding> per_event_unfolding(const at::Tensor& z, const at::Tensor& x,
                                                   const std::vector<at::Tensor>& draws,
                                                   const std::vector<std::string>& z_objects, int64_t bootstraps,
                                                   uint64_t seed) {
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
  std::vector<PerEventUnfolding> out;
  for (const auto& o : event_observables(z_objects)) {
    const at::Tensor truth = o.compute(z);
    at::Tensor mean = at::zeros_like(truth);
    for (const auto& d : draws) mean = mean + o.compute(d);
    mean = mean / static_cast<double>(draws.size());
    const at::Tensor model = mean - truth, identity = o.compute(x) - truth;
    out.push_back({o.name, o.units, mean_and_width(model), mean_and_width(identity),
                   width_difference_error(model, identity, resamples)});
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
SlicedWassersteinTasks sliced_wasserstein_tasks(const OtusEvaluation& e, const ComparedSamples& c,
                                                const at::Tensor& z_sigma, const at::Tensor& x_sigma,
                                                const at::Tensor& z_directions, const at::Tensor& x_directions) {
  auto scaled = [](const at::Tensor& v, const at::Tensor& s) { return v.defined() && s.defined() ? v / s : v; };
  auto sw = [&](const at::Tensor& p, const at::Tensor& q, const at::Tensor& s, const at::Tensor& d) {
    return sliced_distance(scaled(p, s), scaled(q, s), d);
  };
  const at::Tensor &sz = z_sigma, &sx = x_sigma;
  return {{sw(e.z_b, e.unfolded, sz, z_directions), sw(e.z_b, e.z_a, sz, z_directions),
           sw(e.z_b, c.identity_z, sz, z_directions)},
          {sw(e.x_b, c.reconstructed, sx, x_directions), sw(e.x_b, e.x_a, sx, x_directions),
           sw(e.x_b, c.identity_x, sx, x_directions)},
          {sw(e.x_b, c.simulated, sx, x_directions), sw(e.x_b, e.x_a, sx, x_directions),
           sw(e.x_b, c.identity_x, sx, x_directions)}};
}

/// In GeV² and standardised: each column over its training σ (the generators' input statistics).
void measure_sliced_wasserstein(OtusMetrics& m, train::OtusModel& model, const OtusEvaluation& e,
                                const ComparedSamples& c, const OtusEvaluationOptions& options) {
  // the samples are in host memory, wherever the generators ran
  const at::Tensor z_sigma = model.decoder->named_buffers()["input_std_dev"].cpu();
  const at::Tensor x_sigma = model.encoder->named_buffers()["input_std_dev"].cpu();
  const at::Tensor z_directions = ot::random_directions(options.slices(), e.z_a.size(1), options.seed());
  const at::Tensor x_directions = ot::random_directions(options.slices(), e.x_a.size(1), options.seed());
  m.sliced_wasserstein_gev2 = sliced_wasserstein_tasks(e, c, at::Tensor(), at::Tensor(), z_directions, x_directions);
  m.sliced_wasserstein_standardised = sliced_wasserstein_tasks(e, c, z_sigma, x_sigma, z_directions, x_directions);
}

void measure_acceptance(OtusMetrics& m, const ComparedSamples& c, int64_t half) {
  auto fraction = [half](const at::Tensor& t) { return static_cast<double>(t.size(0)) / static_cast<double>(half); };
  m.simulation_acceptance = fraction(c.simulated);
  m.reconstruction_acceptance = fraction(c.reconstructed);
  if (c.identity_x.defined()) m.identity_acceptance = fraction(c.identity_x);
}

/// JetNet's metrics (generative_metrics.hpp) with each detector-level event a cloud of its jets:
/// the simulation (accepted D(z_A)) and the floor (x_A), both against x_B; null without jets or
/// with fewer than 4 events in B, the least that the metrics' sample sizes scale to.
std::optional<OtusJetNet> jetnet_entry(const OtusEvaluation& e, const ComparedSamples& c,
                                       const std::vector<std::string>& x_objects, uint64_t seed) {
  const std::vector<int64_t> jets = jet_object_indices(x_objects);
  if (jets.empty() || e.x_b.size(0) < 4) return std::nullopt;
  const GenerativeMetricsOptions options = GenerativeMetricsOptions::scaled_to(e.x_b.size(0)).seed(seed);
  const JetNetFeatures real = jetnet_features(object_clouds(e.x_b, jets), "evaluate_otus: x_B's jets");
  auto against_b = [&](const at::Tensor& events, const std::string& name) -> std::optional<GenerativeMetrics> {
    // a barely trained decoder may leave too few accepted events to compare
    if (events.size(0) < 2) return std::nullopt;
    return generative_metrics(real, jetnet_features(object_clouds(events, jets), name), options);
  };
  OtusJetNet out;
  for (int64_t j : jets) out.objects.push_back(x_objects[static_cast<size_t>(j)]);
  out.events = e.x_b.size(0);
  out.simulation = against_b(c.simulated, "evaluate_otus: the jets of accepted D(z_A)");
  out.floor = against_b(e.x_a, "evaluate_otus: x_A's jets");
  return out;
}

nlohmann::json to_json(const SlicedWassersteinFigures& f) {
  return {{"model", number_or_null(f.model)}, {"floor", number_or_null(f.floor)},
          {"identity", number_or_null(f.identity)}};
}

nlohmann::json to_json(const SlicedWassersteinTasks& t) {
  return {{"unfolding", to_json(t.unfolding)},
          {"reconstruction", to_json(t.reconstruction)},
          {"simulation", to_json(t.simulation)}};
}

nlohmann::json to_json(const std::optional<SampleComparison>& c) {
  if (!c) return nullptr;
  nlohmann::json out = {{"w1", number_or_null(c->w1)},
                        {"w2_squared", number_or_null(c->w2_squared)},
                        {"ks", number_or_null(c->ks)},
                        {"ks_p_value", number_or_null(c->ks_p_value)},
                        {"chi2_reduced", number_or_null(c->chi2_reduced)}};
  if (c->chi2_dof > 0) {
    out["chi2_dof"] = c->chi2_dof;
    out["chi2_p_value"] = number_or_null(c->chi2_p_value);
  }
  return out;
}

nlohmann::json to_json(const std::vector<ObservableComparison>& table) {
  nlohmann::json out = nlohmann::json::array();
  for (const ObservableComparison& row : table) {
    nlohmann::json comparisons, histogram = {{"edges", row.histogram_edges}, {"reference", row.histogram_reference}};
    for (const auto& [name, c] : row.comparisons) comparisons[name] = to_json(c);
    for (const auto& [name, counts] : row.histograms)
      histogram[name] = counts.empty() ? nlohmann::json(nullptr) : nlohmann::json(counts);
    out.push_back({{"name", row.name}, {"units", row.units}, {"comparisons", comparisons}, {"histogram", histogram}});
  }
  return out;
}

nlohmann::json to_json(const std::optional<OtusJetNet>& jetnet) {
  if (!jetnet) return nullptr;
  auto metrics = [](const std::optional<GenerativeMetrics>& g) { return g ? to_json(*g) : nlohmann::json(nullptr); };
  return {{"objects", jetnet->objects},
          {"events", jetnet->events},
          {"simulation", metrics(jetnet->simulation)},
          {"floor", metrics(jetnet->floor)},
          {"note", "each event as a cloud of its jets (pT, eta, phi); JetNet's metrics against x_B, the samples "
                   "scaled to its size"}};
}

nlohmann::json to_json(const PerEventUnfolding& o) {
  auto mean_width = [](const MeanAndWidth& m) {
    return nlohmann::json{{"mean", number_or_null(m.mean)}, {"width", number_or_null(m.width)}};
  };
  return {{"name", o.name}, {"units", o.units}, {"model", mean_width(o.model)}, {"identity", mean_width(o.identity)},
          {"width_difference_error", number_or_null(o.width_difference_error)}};
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
  OtusMetrics& m = e.metrics;
  m.test_events = n;
  m.half_events = half;
  m.options = options;
  measure_acceptance(m, c, half);
  measure_sliced_wasserstein(m, model, e, c, options);
  m.parton_observables = observable_table(event_observables(z_objects), e.z_b,
                                          {{"unfolding", e.unfolded}, {"floor", e.z_a}, {"identity", c.identity_z}}, bins);
  m.detector_observables = observable_table(event_observables(x_objects), e.x_b,
                                            {{"reconstruction", c.reconstructed}, {"simulation", c.simulated},
                                             {"floor", e.x_a}, {"identity", c.identity_x}},
                                            bins);
  m.jetnet = jetnet_entry(e, c, x_objects, options.seed());
  if (options.paired()) {
    const at::Tensor learnt_accepted = train::event_acceptance(learnt, cuts);
    m.transfer_function = transfer_function(all_z, all_x, learnt, learnt_accepted, z_objects, x_objects,
                                            TransferFunctionOptions().bins(options.transfer_bins()).seed(options.seed()));
    m.mass_response = mass_response(all_z, all_x, learnt, learnt_accepted,
                                    MassResponseOptions()
                                        .edges(options.mass_edges())
                                        .seed(options.seed())
                                        .training_window(model.config.parton_mass_window));
  }
  if (options.paired() && c.identity_z.defined() && options.unfolding_draws() > 0) {
    std::vector<at::Tensor> draws;
    for (int64_t k = 0; k < options.unfolding_draws(); ++k)
      draws.push_back(train::generate_events(model.encoder, all_x, options.seed() + kPerEventNoise + k));
    m.unfolding_per_event = per_event_unfolding(all_z, all_x, draws, z_objects, 100, options.seed());
  }
  m.verdicts = otus_verdicts(m);
  return e;
}

nlohmann::json to_json(const OtusMetrics& m) {
  const OtusEvaluationOptions& o = m.options;
  nlohmann::json out = {
      {"layout", kEvaluationLayout},
      {"events", {{"test", m.test_events}, {"half", m.half_events}}},
      {"options", {{"slices", o.slices()}, {"seed", o.seed()}, {"histogram_bins", o.histogram_bins()},
                   {"transfer_bins", o.transfer_bins()}, {"unfolding_draws", o.unfolding_draws()}}},
      {"acceptance", {{"simulation", number_or_null(m.simulation_acceptance)},
                      {"reconstruction", number_or_null(m.reconstruction_acceptance)},
                      {"identity", number_or_null(m.identity_acceptance)}}},
      {"sliced_wasserstein", {{"gev2", to_json(m.sliced_wasserstein_gev2)},
                              {"standardised", to_json(m.sliced_wasserstein_standardised)}}},
      {"observables", {{"parton", to_json(m.parton_observables)}, {"detector", to_json(m.detector_observables)}}},
      {"jetnet", to_json(m.jetnet)},
      {"paired", o.paired()},
      {"transfer_function", m.transfer_function ? to_json(*m.transfer_function) : nlohmann::json(nullptr)},
      {"mass_response", m.mass_response ? to_json(*m.mass_response) : nlohmann::json(nullptr)},
      {"verdicts", to_json(m.verdicts)}};
  for (const PerEventUnfolding& row : m.unfolding_per_event) out["unfolding_per_event"].push_back(to_json(row));
  if (!o.paired())
    out["notes"] = "z and x are not paired event by event: the transfer function, which needs the truth "
                   "pairs, is skipped; every other number compares distributions and stands";
  return out;
}

std::string format_otus_jetnet(const OtusJetNet& jetnet) {
  std::string objects;
  for (const auto& name : jetnet.objects) objects += (objects.empty() ? "" : ", ") + name;
  std::ostringstream out;
  out << "JetNet's metrics, each event a cloud of its jets (" << objects << "), against x_B (" << jetnet.events
      << " events):\n";
  auto cell = [](const std::optional<GenerativeMetrics>& sample, MetricValue GenerativeMetrics::*metric) {
    if (!sample) return std::string("(too few events)");
    char text[64];
    std::snprintf(text, sizeof text, "%.4g ± %.2g", ((*sample).*metric).value, ((*sample).*metric).error);
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
  const std::pair<const char*, MetricValue GenerativeMetrics::*> rows[] = {{"W1M", &GenerativeMetrics::w1m},
                                                                             {"W1P mean", &GenerativeMetrics::w1p_mean},
                                                                             {"W1EFP mean", &GenerativeMetrics::w1efp_mean},
                                                                             {"FPD", &GenerativeMetrics::fpd},
                                                                             {"KPD", &GenerativeMetrics::kpd}};
  for (const auto& [label, metric] : rows) line(label, cell(jetnet.simulation, metric), cell(jetnet.floor, metric));
  return out.str();
}

}  // namespace otae::analysis
