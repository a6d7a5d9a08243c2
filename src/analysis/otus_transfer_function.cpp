// The binned transfer function, true against learnt; see otus_transfer_function.hpp.
#include "otae/analysis/otus_transfer_function.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iterator>
#include <map>
#include <numeric>
#include <sstream>
#include <utility>

#include <ATen/CPUGeneratorImpl.h>

#include "otae/base/error.hpp"
#include "otae/analysis/otus_observables.hpp"
#include "otae/physics/kinematics.hpp"
#include "json_numbers.hpp"

namespace otae::analysis {

namespace {

const std::array<double, 5> kQuantileLevels = {0.025, 0.16, 0.5, 0.84, 0.975};

/// Indices into kinematics().
enum Kinematic { kEnergy, kPt, kEta, kPhi, kAbsEta, kKinematics };
const char* const kKinematicNames[] = {"E", "pT", "eta", "phi", "abs_eta"};

struct Variable {
  const char* name;
  Kinematic value;      // compared between x and z
  bool response;        // x/z; otherwise x − z
  const char* units;
  Kinematic binned_by;  // of z
};
// The energy response also by |η|: a calorimeter's resolution changes between barrel and endcaps.
const Variable kVariables[] = {{"E", kEnergy, true, "", kEnergy},
                               {"pT", kPt, true, "", kPt},
                               {"eta", kEta, false, "", kEta},
                               {"phi", kPhi, false, "rad", kPhi},
                               {"E_by_abs_eta", kEnergy, true, "", kAbsEta}};


nlohmann::json to_json(const BinSummary& b) {
  return {{"count", b.count},
          {"mean", number_or_null(b.mean)},
          {"mean_error", number_or_null(b.mean_error)},
          {"width", number_or_null(b.width)},
          {"width_error", number_or_null(b.width_error)},
          {"q025", number_or_null(b.q025)},
          {"q16", number_or_null(b.q16)},
          {"q50", number_or_null(b.q50)},
          {"q84", number_or_null(b.q84)},
          {"q975", number_or_null(b.q975)},
          {"q50_error", number_or_null(b.q50_error)}};
}

nlohmann::json to_json(const TransferTally& t) {
  return {{"bins", t.bins}, {"width_agrees", t.width_agrees}, {"mean_agrees", t.mean_agrees}, {"agrees", t.agrees},
          {"fraction_agrees", t.fraction_agrees}};
}

/// E, pT, η, φ, |η| of object `j` of events [N, 4k]: [N] float64 each, indexed by Kinematic.
std::array<at::Tensor, kKinematics> kinematics(const at::Tensor& events, int64_t j) {
  const at::Tensor p = events.narrow(1, 4 * j, 4).to(at::kDouble);
  const at::Tensor px = p.select(1, 0), py = p.select(1, 1), pz = p.select(1, 2);
  const at::Tensor pt = (px.pow(2) + py.pow(2)).sqrt();
  const at::Tensor eta = at::asinh(pz / pt.clamp_min(1e-12));
  return {p.select(1, 3), pt, eta, at::atan2(py, px), eta.abs()};
}

/// x compared with z: the response x/z, or x − z with Δφ wrapped into [−π, π).
at::Tensor compared(const Variable& v, const at::Tensor& x, const at::Tensor& z) {
  if (v.response) return x / z;
  const at::Tensor d = x - z;
  if (v.value != kPhi) return d;
  return physics::wrap_phi(d);
}

/// Mean, robust width and quantiles of one bin's values [n] float64, with bootstrap errors.
BinSummary summarise(const at::Tensor& values, int64_t resamples, at::Generator& generator) {
  BinSummary out;
  out.count = values.numel();
  const int64_t n = out.count;
  if (n < 2) return out;
  const at::Tensor levels = at::tensor(std::vector<double>(kQuantileLevels.begin(), kQuantileLevels.end()), at::kDouble);
  const at::Tensor q = at::quantile(values, levels);
  out.mean = finite_or_nan(values.mean().item<double>());
  out.width = finite_or_nan(0.5 * (q[3] - q[1]).item<double>());
  double* const quantiles[] = {&out.q025, &out.q16, &out.q50, &out.q84, &out.q975};
  for (size_t k = 0; k < kQuantileLevels.size(); ++k) *quantiles[k] = finite_or_nan(q[k].item<double>());
  const at::Tensor draws = values.index_select(0, at::randint(n, {resamples * n}, generator, at::kLong)).view({resamples, n});
  const at::Tensor spread = at::quantile(draws, at::tensor({0.16, 0.5, 0.84}, at::kDouble), 1);  // [3, R]
  out.mean_error = finite_or_nan(draws.mean(1).std().item<double>());
  out.width_error = finite_or_nan((0.5 * (spread[2] - spread[0])).std().item<double>());
  out.q50_error = finite_or_nan(spread[1].std().item<double>());
  return out;
}

/// Twice the statistical error of a learnt − true difference (independent bootstrap errors); 0
/// where either error is missing.
double twice_error(double learnt_error, double true_error) {
  if (!std::isfinite(learnt_error) || !std::isfinite(true_error)) return 0.0;
  return 2.0 * std::hypot(learnt_error, true_error);
}

/// Whether the learnt `value` (mean or width, with its `error`) agrees with the truth's.
bool agrees(const BinSummary& learnt, const BinSummary& truth, double BinSummary::*value, double BinSummary::*error,
            double tolerance) {
  if (!std::isfinite(learnt.*value) || !std::isfinite(truth.*value) || !std::isfinite(truth.width)) return false;
  const double allowed =
      tolerance * truth.width + kTransferResolutionFloor + twice_error(learnt.*error, truth.*error);
  return std::abs(learnt.*value - truth.*value) <= allowed;
}

/// One variable's curve: zv [N] the binning variable of z; truth and learnt [N] the compared values,
/// each counted only where its mask [N] bool holds (the learnt: accepted, and for jets matched).
TransferCurve curve(const Variable& v, const std::string& object, const at::Tensor& zv, const at::Tensor& truth,
                    const at::Tensor& truth_valid, const at::Tensor& learnt, const at::Tensor& learnt_valid,
                    int64_t bins, int64_t resamples, at::Generator& generator) {
  const at::Tensor edges = at::quantile(zv, at::linspace(0.0, 1.0, bins + 1, at::kDouble));
  TransferCurve c;
  c.object = object;
  c.variable = v.name;
  c.binned_by = kKinematicNames[v.binned_by];
  c.quantity = v.response ? "x/z" : "x - z";
  c.units = v.units;
  for (int64_t b = 0; b <= bins; ++b) c.z_bin_edges.push_back(edges[b].item<double>());
  for (int64_t b = 0; b < bins; ++b) {
    const double lo = edges[b].item<double>(), hi = edges[b + 1].item<double>();
    const at::Tensor in_bin = (zv >= lo) & (b + 1 == bins ? zv <= hi : zv < hi);
    const BinSummary t = summarise(truth.masked_select(in_bin & truth_valid), resamples, generator);
    const BinSummary l = summarise(learnt.masked_select(in_bin & learnt_valid), resamples, generator);
    const bool w = agrees(l, t, &BinSummary::width, &BinSummary::width_error, kTransferWidthTolerance);
    const bool m = agrees(l, t, &BinSummary::mean, &BinSummary::mean_error, kTransferMeanTolerance);
    c.z_bin_centres.push_back(0.5 * (lo + hi));
    c.truth.push_back(t);
    c.learnt.push_back(l);
    c.width_agrees.push_back(w);
    c.mean_agrees.push_back(m);
    c.agrees.push_back(w && m);
  }
  return c;
}

int64_t count_true(const std::vector<bool>& flags) { return std::count(flags.begin(), flags.end(), true); }

TransferTally tally(const std::vector<const TransferCurve*>& curves) {
  TransferTally t;
  for (const auto* c : curves) {
    t.bins += static_cast<int64_t>(c->agrees.size());
    t.width_agrees += count_true(c->width_agrees);
    t.mean_agrees += count_true(c->mean_agrees);
    t.agrees += count_true(c->agrees);
  }
  t.fraction_agrees = t.bins ? static_cast<double>(t.agrees) / static_cast<double>(t.bins) : 0.0;
  return t;
}

/// Parton names without a namesake at detector level, where their showers come out as jets.
bool is_quark(const std::string& name) {
  static const char* const quarks[] = {"d", "u", "s", "c", "b", "d_bar", "u_bar", "s_bar", "c_bar", "b_bar"};
  return std::find(std::begin(quarks), std::end(quarks), name) != std::end(quarks);
}

/// The jet nearest in ΔR to a quark (its kinematics), per event: the jet's four-momentum [N, 4]
/// from the jets `jets` of events [N, 4k], and whether it lies within kJetMatchRadius [N] bool.
std::pair<at::Tensor, at::Tensor> nearest_jet(const std::array<at::Tensor, kKinematics>& quark,
                                              const at::Tensor& events, const std::vector<int64_t>& jets) {
  std::vector<at::Tensor> distances, momenta;
  for (int64_t j : jets) {
    const auto jet = kinematics(events, j);
    distances.push_back(at::hypot(jet[kEta] - quark[kEta], physics::wrap_phi(jet[kPhi] - quark[kPhi])));
    momenta.push_back(events.narrow(1, 4 * j, 4).to(at::kDouble));
  }
  const auto [distance, nearest] = at::stack(distances, 1).min(1);
  const at::Tensor jet = at::stack(momenta, 1).gather(1, nearest.view({-1, 1, 1}).expand({-1, 1, 4})).squeeze(1);
  return {jet, distance < kJetMatchRadius};
}

/// jet_matching's entry of one quark: the fraction of events with a jet on it, true, learnt and
/// for the identity simulator (x̃′ = z read in x's columns, where both sides have as many objects),
/// and as a floor the difference of the true fraction between the two halves of the events.
JetMatching matching_fractions(const std::string& quark_name, const std::array<at::Tensor, kKinematics>& quark,
                               const at::Tensor& true_matched, const at::Tensor& learnt_matched, const at::Tensor& z,
                               const at::Tensor& x, const std::vector<int64_t>& jets) {
  auto fraction = [](const at::Tensor& matched) { return matched.to(at::kDouble).mean().item<double>(); };
  const int64_t half = true_matched.size(0) / 2;
  const double floor =
      std::abs(fraction(true_matched.narrow(0, 0, half)) - fraction(true_matched.narrow(0, half, half)));
  const double identity = z.size(1) == x.size(1) ? fraction(nearest_jet(quark, z, jets).second) : std::nan("");
  return {quark_name, finite_or_nan(fraction(true_matched)), finite_or_nan(fraction(learnt_matched)),
          finite_or_nan(identity), finite_or_nan(floor)};
}

/// Every variable's curve of a parton (zk) against its detector object, true (xk) and learnt (lk),
/// each counted where its mask holds.
void add_object_curves(std::vector<TransferCurve>& curves, const std::string& name,
                       const std::array<at::Tensor, kKinematics>& zk, const std::array<at::Tensor, kKinematics>& xk,
                       const at::Tensor& truth_valid, const std::array<at::Tensor, kKinematics>& lk,
                       const at::Tensor& learnt_valid,
                       const TransferFunctionOptions& options, at::Generator& generator) {
  for (const Variable& v : kVariables)
    curves.push_back(curve(v, name, zk[v.binned_by], compared(v, xk[v.value], zk[v.value]), truth_valid,
                           compared(v, lk[v.value], zk[v.value]), learnt_valid, options.bins(), options.resamples(),
                           generator));
}

/// Edges of the mass windows: the given ones, checked, or quantiles of M(z).
std::vector<double> mass_window_edges(const at::Tensor& mass, const MassResponseOptions& options) {
  if (options.edges().empty()) {
    if (options.bins() < 1)
      throw InvalidArgument("mass_response: bins must be >= 1, received " + std::to_string(options.bins()));
    const at::Tensor q = at::quantile(mass, at::linspace(0.0, 1.0, options.bins() + 1, at::kDouble));
    return std::vector<double>(q.data_ptr<double>(), q.data_ptr<double>() + q.numel());
  }
  const auto& edges = options.edges();
  if (edges.size() < 2 || !std::is_sorted(edges.begin(), edges.end(), std::less_equal<double>()) ||
      std::adjacent_find(edges.begin(), edges.end()) != edges.end())
    throw InvalidArgument("mass_response: edges must be at least 2 increasing masses [GeV]");
  return edges;
}

MassWindow mass_window(double lo, double hi, bool last, const at::Tensor& mass, const at::Tensor& truth,
                       const at::Tensor& learnt, const at::Tensor& accepted, const MassResponseOptions& options,
                       at::Generator& generator) {
  const at::Tensor in_window = (mass >= lo) & (last ? mass <= hi : mass < hi);
  MassWindow w;
  w.mass_low = lo;
  w.mass_high = hi;
  w.truth = summarise(truth.masked_select(in_window), options.resamples(), generator);
  w.learnt = summarise(learnt.masked_select(in_window & accepted), options.resamples(), generator);
  const BinSummary &t = w.truth, &l = w.learnt;
  const bool measured = std::isfinite(t.q50) && std::isfinite(l.q50);
  w.peak_agrees = measured && std::abs(l.q50 - t.q50) <= kMassPeakToleranceGeV + twice_error(l.q50_error, t.q50_error);
  w.width_agrees = measured && std::abs(l.width - t.width) <=
                                   kMassWidthTolerance * t.width + twice_error(l.width_error, t.width_error);
  w.agrees = w.peak_agrees && w.width_agrees;
  const auto& window = options.training_window();
  w.trained = window.empty() || (lo >= window[0] && hi <= window[1]);
  return w;
}

}  // namespace

MassResponse mass_response(const at::Tensor& z, const at::Tensor& x, const at::Tensor& learnt,
                           const at::Tensor& accepted, const MassResponseOptions& options) {
  const int64_t n = z.size(0);
  if (z.dim() != 2 || z.size(1) % 4 != 0 || x.dim() != 2 || x.size(1) % 4 != 0 || x.size(0) != n ||
      learnt.sizes() != x.sizes() || accepted.dim() != 1 || accepted.size(0) != n || n < 2) {
    std::ostringstream msg;
    msg << "mass_response: expected z [N, 4k], x and learnt [N, 4k'], accepted [N], N >= 2; received " << z.sizes()
        << ", " << x.sizes() << ", " << learnt.sizes() << ", " << accepted.sizes();
    throw InvalidArgument(msg.str());
  }
  if (options.resamples() < 2)
    throw InvalidArgument("mass_response: resamples must be >= 2, received " + std::to_string(options.resamples()));
  const auto& window = options.training_window();
  if (!window.empty() && (window.size() != 2 || !(window[1] > window[0])))
    throw InvalidArgument("mass_response: training_window must be [lo, hi) GeV with lo < hi, or empty");
  auto mass_of_all = [](const at::Tensor& events) {
    std::vector<int64_t> objects(static_cast<size_t>(events.size(1) / 4));
    std::iota(objects.begin(), objects.end(), 0);
    return invariant_mass(events, objects);
  };
  const at::Tensor mass = mass_of_all(z);
  const at::Tensor truth = mass_of_all(x) - mass, shift = mass_of_all(learnt) - mass;
  const std::vector<double> edges = mass_window_edges(mass, options);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(options.seed());
  MassResponse out;
  out.training_window = window;
  for (size_t b = 0; b + 1 < edges.size(); ++b) {
    const MassWindow& w = out.windows.emplace_back(mass_window(
        edges[b], edges[b + 1], b + 2 == edges.size(), mass, truth, shift, accepted.to(at::kBool), options, generator));
    out.agrees += w.agrees;
    if (!w.trained) {
      ++out.untrained_windows;
      out.untrained_agrees += w.agrees;
    }
  }
  std::ostringstream rule;
  rule << "in windows of the parton mass M(z) of all objects: peak = median and width = half the 16-84 % "
          "interval of M(x) - M(z), errors from "
       << options.resamples() << " bootstrap resamples; a window agrees when |peak_learnt - peak_true| <= "
       << kMassPeakToleranceGeV << " GeV + 2 sigma and |w_learnt - w_true| <= " << kMassWidthTolerance
       << " w_true + 2 sigma, sigma the bootstrap error of the difference";
  out.rule = rule.str();
  return out;
}

nlohmann::json to_json(const MassResponse& response) {
  nlohmann::json windows = nlohmann::json::array();
  for (const MassWindow& w : response.windows)
    windows.push_back({{"mass_low", w.mass_low}, {"mass_high", w.mass_high}, {"trained", w.trained},
                       {"true", to_json(w.truth)}, {"learnt", to_json(w.learnt)}, {"peak_agrees", w.peak_agrees},
                       {"width_agrees", w.width_agrees}, {"agrees", w.agrees}});
  const auto& window = response.training_window;
  return {{"rule", response.rule},
          {"quantity", "M(x) - M(z)"},
          {"units", "GeV"},
          {"training_window", window.empty() ? nlohmann::json(nullptr) : nlohmann::json(window)},
          {"windows", windows},
          {"summary",
           {{"windows", response.windows.size()}, {"agrees", response.agrees},
            {"untrained_windows", response.untrained_windows}, {"untrained_agrees", response.untrained_agrees}}}};
}

std::string format_mass_response(const MassResponse& response) {
  std::ostringstream out;
  out << "mass response M(x) - M(z) [GeV], true / learnt (peak within " << kMassPeakToleranceGeV
      << " GeV, width within " << 100 * kMassWidthTolerance << " %):\n";
  for (const MassWindow& w : response.windows) {
    char text[200];
    std::snprintf(text, sizeof text, "  M(z) %6.1f-%6.1f%s  peak %6.2f / %6.2f  width %5.2f / %5.2f  %s\n",
                  w.mass_low, w.mass_high, w.trained ? "          " : " untrained", w.truth.q50, w.learnt.q50,
                  w.truth.width, w.learnt.width, w.agrees ? "agrees" : "differs");
    out << text;
  }
  out << "  " << response.agrees << " of " << response.windows.size() << " windows agree; outside the "
      << "training masses " << response.untrained_agrees << " of " << response.untrained_windows << "\n";
  return out.str();
}

TransferFunction transfer_function(const at::Tensor& z, const at::Tensor& x, const at::Tensor& learnt,
                                   const at::Tensor& accepted, const std::vector<std::string>& z_objects,
                                   const std::vector<std::string>& x_objects, const TransferFunctionOptions& options) {
  const auto k_z = static_cast<int64_t>(z_objects.size()), k_x = static_cast<int64_t>(x_objects.size());
  const int64_t n = z.size(0);
  if (z.dim() != 2 || z.size(1) != 4 * k_z || x.dim() != 2 || x.size(1) != 4 * k_x || x.size(0) != n ||
      learnt.sizes() != x.sizes() || accepted.dim() != 1 || accepted.size(0) != n) {
    std::ostringstream msg;
    msg << "transfer_function: expected z [N, " << 4 * k_z << "], x and learnt [N, " << 4 * k_x
        << "], accepted [N]; received " << z.sizes() << ", " << x.sizes() << ", " << learnt.sizes() << ", "
        << accepted.sizes();
    throw InvalidArgument(msg.str());
  }
  if (options.bins() < 1 || options.resamples() < 2)
    throw InvalidArgument("transfer_function: bins must be >= 1 and resamples >= 2, received " +
                          std::to_string(options.bins()) + " and " + std::to_string(options.resamples()));
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(options.seed());
  const at::Tensor mask = accepted.to(at::kBool);
  const at::Tensor every = at::ones({n}, at::kBool);
  const std::vector<int64_t> jets = jet_object_indices(x_objects);
  TransferFunction out;
  std::vector<TransferCurve>& curves = out.curves;
  for (int64_t i = 0; i < k_z; ++i) {
    const std::string& name = z_objects[static_cast<size_t>(i)];
    const auto j = std::find(x_objects.begin(), x_objects.end(), name) - x_objects.begin();
    if (j < k_x) {
      add_object_curves(curves, name, kinematics(z, i), kinematics(x, j), every, kinematics(learnt, j), mask,
                        options, generator);
    } else if (is_quark(name) && !jets.empty()) {
      const auto quark = kinematics(z, i);
      const auto [true_jet, true_matched] = nearest_jet(quark, x, jets);
      const auto [learnt_jet, learnt_matched] = nearest_jet(quark, learnt, jets);
      add_object_curves(curves, name + "_jet", quark, kinematics(true_jet, 0), true_matched, kinematics(learnt_jet, 0),
                        learnt_matched & mask, options, generator);
      out.jet_matching.push_back(matching_fractions(name, quark, true_matched, learnt_matched.masked_select(mask), z, x,
                                                jets));
    }
  }
  std::vector<const TransferCurve*> all;
  std::map<std::string, std::vector<const TransferCurve*>> by_variable;
  for (const auto& c : curves) {
    all.push_back(&c);
    by_variable[c.variable].push_back(&c);
  }
  out.summary = tally(all);
  for (const auto& [name, list] : by_variable) out.by_variable[name] = tally(list);
  std::ostringstream rule;
  rule << "per object and variable (E, pT: response x/z; eta, phi: x - z [rad]) in " << options.bins()
       << " quantile bins of z (E_by_abs_eta: the energy response in bins of |eta_z|): mean, width = half the 16-84 % interval, quantiles 2.5/16/50/84/97.5 %, errors from "
       << options.resamples() << " bootstrap resamples; a bin agrees when |w_learnt - w_true| <= "
       << kTransferWidthTolerance << " w_true + " << kTransferResolutionFloor << " + 2 sigma and |m_learnt - m_true| <= "
       << kTransferMeanTolerance << " w_true + " << kTransferResolutionFloor
       << " + 2 sigma, sigma the bootstrap error of the difference (rare large angular shifts make the true mean "
          "of an angle noisy where its width is ~0)";
  if (!out.jet_matching.empty())
    rule << "; a parton without a namesake in x (a quark) is compared with the jet nearest to it in Delta R, "
            "counted where that lies within Delta R < "
         << kJetMatchRadius << " (jet_matching: the fraction of events where it does)";
  out.rule = rule.str();
  return out;
}

nlohmann::json to_json(const TransferFunction& transfer) {
  auto summaries = [](const std::vector<BinSummary>& bins) {
    nlohmann::json out = nlohmann::json::array();
    for (const BinSummary& b : bins) out.push_back(to_json(b));
    return out;
  };
  nlohmann::json curves = nlohmann::json::array();
  for (const TransferCurve& c : transfer.curves)
    curves.push_back({{"object", c.object},
                      {"variable", c.variable},
                      {"binned_by", c.binned_by},
                      {"quantity", c.quantity},
                      {"units", c.units},
                      {"z_bin_edges", c.z_bin_edges},
                      {"z_bin_centres", c.z_bin_centres},
                      {"true", summaries(c.truth)},
                      {"learnt", summaries(c.learnt)},
                      {"width_agrees", c.width_agrees},
                      {"mean_agrees", c.mean_agrees},
                      {"agrees", c.agrees}});
  nlohmann::json summary = to_json(transfer.summary);
  for (const auto& [name, t] : transfer.by_variable) summary["by_variable"][name] = to_json(t);
  nlohmann::json out = {{"rule", transfer.rule}, {"curves", curves}, {"summary", summary}};
  for (const JetMatching& m : transfer.jet_matching)
    out["jet_matching"].push_back({{"object", m.object},
                                   {"true_fraction", number_or_null(m.true_fraction)},
                                   {"learnt_fraction", number_or_null(m.learnt_fraction)},
                                   {"identity_fraction", number_or_null(m.identity_fraction)},
                                   {"floor", number_or_null(m.floor)}});
  return out;
}

std::string format_transfer_summary(const TransferFunction& transfer) {
  std::ostringstream out;
  auto line = [&](const std::string& name, const TransferTally& t) {
    char text[160];
    std::snprintf(text, sizeof text, "%-28s %5ld / %-5ld bins agree (%3.0f %%); width %ld, mean %ld\n", name.c_str(),
                  static_cast<long>(t.agrees), static_cast<long>(t.bins), 100.0 * t.fraction_agrees,
                  static_cast<long>(t.width_agrees), static_cast<long>(t.mean_agrees));
    out << text;
  };
  for (const JetMatching& m : transfer.jet_matching) {
    char text[160];
    std::snprintf(text, sizeof text, "jet within dR %.1f of the %-6s  true %5.3f  learnt %5.3f  identity %5.3f\n",
                  kJetMatchRadius, m.object.c_str(), m.true_fraction, m.learnt_fraction, m.identity_fraction);
    out << text;
  }
  for (const auto& [name, t] : transfer.by_variable) line("transfer " + name, t);
  line("transfer, all variables", transfer.summary);
  return out.str();
}

}  // namespace otae::analysis
