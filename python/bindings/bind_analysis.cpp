// otae.correlation_dimension, otae.dimensionalities, otae.kl_spectrum, the latent ↔ physics
// measures and JetNet's generative metrics (W1M, W1P, W1EFP, FPD, KPD, the EFPs). JSON-shaped
// results come back as dicts with NumPy arrays, as the analysis files do.
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "bindings.hpp"
#include "otae/analysis/correlation_dimension.hpp"
#include "otae/analysis/dimensionality.hpp"
#include "otae/analysis/generative_metrics.hpp"
#include "otae/analysis/kl_spectrum.hpp"
#include "otae/analysis/latent_physics.hpp"
#include "otae/base/error.hpp"

namespace otae::python {

namespace {

py::dict curve_dict(const analysis::PairDistanceHistogram& histogram, int64_t span) {
  const analysis::CorrelationDimensionCurve curve = analysis::correlation_dimension(histogram, span);
  py::dict out;
  out["q"] = to_numpy(curve.q);
  out["dimension"] = to_numpy(curve.dimension);
  out["error"] = to_numpy(curve.error);
  out["pairs_below"] = to_numpy(curve.pairs_below);
  out["edges"] = to_numpy(histogram.edges());
  out["counts"] = to_numpy(histogram.counts());
  out["underflow"] = histogram.underflow();
  out["overflow"] = histogram.overflow();
  out["pairs"] = histogram.pairs();
  return out;
}

py::dict correlation_dimension(const py::handle& sample, bool jets, double q_min, double q_max, int64_t bins,
                               double distance_scale, int64_t max_points, int64_t span, int64_t threads) {
  const analysis::PairDistanceOptions options = analysis::PairDistanceOptions()
                                                    .q_min(q_min)
                                                    .q_max(q_max)
                                                    .bins(bins)
                                                    .distance_scale(distance_scale)
                                                    .max_points(max_points)
                                                    .pairwise(ot::PairwiseOptions().threads(threads));
  const at::Tensor values = to_double_tensor(sample, jets ? "jets" : "points", {jets ? int64_t{3} : int64_t{2}});
  analysis::PairDistanceHistogram histogram(q_min, q_max, bins);
  {
    py::gil_scoped_release release;
    histogram = jets ? analysis::jet_pair_distances(values, options) : analysis::point_pair_distances(values, options);
  }
  return curve_dict(histogram, span);
}

/// A list of N floats or None → N zeros.
std::vector<double> values_or_zeros(const std::optional<std::vector<double>>& values, size_t n, const char* name) {
  if (!values) return std::vector<double>(n, 0.0);
  if (values->size() != n)
    throw InvalidArgument(std::string(name) + ": expected " + std::to_string(n) + " values, got " +
                          std::to_string(values->size()));
  return *values;
}

py::object dimensionalities(const std::vector<double>& beta, const std::vector<double>& kl,
                            const std::vector<double>& distortion, const std::optional<std::vector<double>>& kl_error,
                            const std::optional<std::vector<double>>& distortion_error,
                            const std::optional<std::vector<std::string>>& phase, double max_log_beta_step) {
  const size_t n = beta.size();
  if (kl.size() != n || distortion.size() != n)
    throw InvalidArgument("beta, kl and distortion must have one value per checkpoint: got " + std::to_string(n) +
                          ", " + std::to_string(kl.size()) + " and " + std::to_string(distortion.size()));
  if (phase && phase->size() != n)
    throw InvalidArgument("phase: expected " + std::to_string(n) + " labels, got " + std::to_string(phase->size()));
  const std::vector<double> kl_err = values_or_zeros(kl_error, n, "kl_error");
  const std::vector<double> d_err = values_or_zeros(distortion_error, n, "distortion_error");
  std::vector<analysis::BetaCheckpoint> checkpoints(n);
  for (size_t i = 0; i < n; ++i)
    checkpoints[i] = {beta[i], kl[i], kl_err[i], distortion[i], d_err[i], phase ? (*phase)[i] : std::string()};
  const auto result =
      analysis::dimensionalities(checkpoints, analysis::RunSplitting().max_log_beta_step(max_log_beta_step));
  return py::module_::import("json").attr("loads")(analysis::to_json(result).dump());
}

analysis::GenerativeMetricsOptions metrics_options(int64_t samples, int64_t batches, int64_t fpd_min_samples,
                                                  int64_t fpd_max_samples, int64_t fpd_points, int64_t fpd_batches,
                                                  int64_t kpd_samples, int64_t kpd_batches, uint64_t seed) {
  const auto options = analysis::GenerativeMetricsOptions()
                           .samples(samples)
                           .batches(batches)
                           .fpd_min_samples(fpd_min_samples)
                           .fpd_max_samples(fpd_max_samples)
                           .fpd_points(fpd_points)
                           .fpd_batches(fpd_batches)
                           .kpd_samples(kpd_samples)
                           .kpd_batches(kpd_batches)
                           .seed(seed);
  options.validate();
  return options;
}

py::object json_to_python(const nlohmann::json& value) {
  return py::module_::import("json").attr("loads")(value.dump());
}

py::dict generative_metrics(const py::handle& real, const py::handle& generated, bool floor,
                              const analysis::GenerativeMetricsOptions& options) {
  const at::Tensor real_jets = to_float_tensor(real, "real", {3});
  const at::Tensor generated_jets = to_float_tensor(generated, "generated", {3});
  nlohmann::json out;
  {
    py::gil_scoped_release release;
    const analysis::JetNetFeatures r = analysis::jetnet_features(real_jets, "real");
    const analysis::JetNetFeatures g = analysis::jetnet_features(generated_jets, "generated");
    out["generated_vs_real"] = analysis::to_json(analysis::generative_metrics(r, g, options));
    if (floor) out["floor"] = analysis::to_json(analysis::truth_floor(r, options));
  }
  return json_to_python(out).cast<py::dict>();
}

/// FPD or KPD of feature arrays [N, D] as (value, error).
template <analysis::MetricValue (*metric)(const at::Tensor&, const at::Tensor&, const analysis::GenerativeMetricsOptions&)>
std::pair<double, double> feature_distance(const py::handle& real, const py::handle& generated,
                           const analysis::GenerativeMetricsOptions& options) {
  const at::Tensor x = to_double_tensor(real, "real_features", {2});
  const at::Tensor y = to_double_tensor(generated, "generated_features", {2});
  analysis::MetricValue value;
  {
    py::gil_scoped_release release;
    value = metric(x, y, options);
  }
  return {value.value, value.error};
}

}  // namespace

void bind_analysis(py::module_& m) {
  using namespace pybind11::literals;
  m.def(
      "correlation_dimension",
      [](const py::handle& jets, double q_min, double q_max, int64_t bins, double distance_scale, int64_t max_points,
         int64_t span, int64_t threads) {
        return correlation_dimension(jets, true, q_min, q_max, bins, distance_scale, max_points, span, threads);
      },
      "jets"_a, py::kw_only(), "q_min"_a = 1e-2, "q_max"_a = 1e3, "bins"_a = 100, "distance_scale"_a = 1.0,
      "max_points"_a = 10000, "span"_a = 1, "threads"_a = 0,
      R"(Correlation dimension D_corr(Q) = d ln N(Q) / d ln Q of jets [N, M, 3] (pT or pT/HT, eta, phi), with
N(Q) the number of pairs whose exact EMD (times distance_scale) is below Q. The N(N-1)/2 EMDs of the
first max_points jets are streamed into `bins` log-spaced bins on [q_min, q_max), never stored.
Returns a dict: q, dimension, error (one-sigma, Poisson) per pair of edges `span` apart, and the
histogram (edges, counts, underflow, overflow, pairs).)");
  m.def(
      "point_correlation_dimension",
      [](const py::handle& points, double q_min, double q_max, int64_t bins, int64_t max_points, int64_t span) {
        return correlation_dimension(points, false, q_min, q_max, bins, 1.0, max_points, span, 0);
      },
      "points"_a, py::kw_only(), "q_min"_a = 1e-4, "q_max"_a = 10.0, "bins"_a = 100, "max_points"_a = 10000,
      "span"_a = 1, "As otae.correlation_dimension, for points [N, D] with Euclidean distances.");
  m.def("dimensionalities", &dimensionalities, "beta"_a, "kl"_a, "distortion"_a, py::kw_only(),
        "kl_error"_a = py::none(), "distortion_error"_a = py::none(), "phase"_a = py::none(),
        "max_log_beta_step"_a = 0.0,
        R"(D1 = -dKL/d ln beta and D2 = dD/d beta^2 of a beta scan, by finite differences inside each monotone
run of checkpoints (given in training order; a run ends where beta turns, repeats, changes phase or
jumps by more than max_log_beta_step in ln beta). distortion must be in units of beta^2.
Returns {"runs": [...], "points": [{"run", "from", "to", "beta", "d1", "d1_error", "d2", "d2_error"}]}.)");
  m.def(
      "kl_spectrum",
      [](const py::handle& mu, const py::handle& log_variance) {
        const analysis::KlSpectrum s =
            analysis::kl_spectrum(to_double_tensor(mu, "mu", {2}), to_double_tensor(log_variance, "log_variance", {2}));
        py::dict out;
        out["kl"] = to_numpy(s.kl);
        out["kl_error"] = to_numpy(s.kl_error);
        out["ranking"] = analysis::rank_directions(s.kl);
        out["informative"] = analysis::informative_directions(s.kl);
        return out;
      },
      "mu"_a, "log_variance"_a,
      "Mean KL [nats] per latent direction of posteriors N(mu, exp(log_variance)) [N, K] against N(0, 1), "
      "with standard errors, the ranking and the informative directions (KL > 0.1 nats).");
  m.def(
      "spearman_correlation",
      [](const py::handle& x, const py::handle& y) {
        return analysis::spearman_correlation(to_double_tensor(x, "x", {1}), to_double_tensor(y, "y", {1}));
      },
      "x"_a, "y"_a, "Spearman's rank correlation of x and y [N] (ties share their mean rank).");
  m.def(
      "mutual_information",
      [](const py::handle& x, const py::handle& y, int64_t neighbours, uint64_t seed) {
        return analysis::mutual_information(to_double_tensor(x, "x", {1}), to_double_tensor(y, "y", {1}),
                                            analysis::MutualInformationOptions().neighbours(neighbours).seed(seed));
      },
      "x"_a, "y"_a, py::kw_only(), "neighbours"_a = 3, "seed"_a = 0,
      "Mutual information I(x; y) [nats] by the Kraskov-Stoegbauer-Grassberger estimator on the empirical copula.");

  m.def(
      "energy_flow_polynomials",
      [](const py::handle& jets) {
        const at::Tensor values = to_float_tensor(jets, "jets", {3});
        at::Tensor efps;
        {
          py::gil_scoped_release release;
          efps = analysis::jetnet_features(values, "jets").efps;
        }
        return to_numpy(efps);
      },
      "jets"_a,
      R"(The 36 energy-flow polynomials with degree d <= 4 of jets [N, M, 3] (pT in any unit, eta, phi [rad];
padding rows pT = 0): EFP_G = sum over particles i1..iN of z_i1..z_iN prod_(k,l) in G dR_ik,il, with
z = pT / sum pT and Delta phi wrapped (EnergyFlow's 'hadr' measure, beta = 1). Returns [N, 36] float64 in
the order of otae.efp_graphs(). Computed by variable elimination in C++, in parallel over jets.)");
  m.def(
      "efp_graphs",
      [] {
        std::vector<py::dict> out;
        for (const physics::EfpGraph& g : physics::efp_graphs()) {
          py::dict graph;
          graph["name"] = g.name;
          graph["vertices"] = g.vertices;
          graph["edges"] = g.edges;
          out.push_back(graph);
        }
        return out;
      },
      "The 36 multigraphs of otae.energy_flow_polynomials, in order: dicts of name, vertices, edges (a doubled "
      "edge listed twice).");
  m.def(
      "generative_metrics",
      [](const py::handle& real, const py::handle& generated, bool floor, int64_t samples, int64_t batches,
         int64_t fpd_min_samples, int64_t fpd_max_samples, int64_t fpd_points, int64_t fpd_batches,
         int64_t kpd_samples, int64_t kpd_batches, uint64_t seed) {
        return generative_metrics(real, generated, floor,
                                  metrics_options(samples, batches, fpd_min_samples, fpd_max_samples, fpd_points,
                                                  fpd_batches, kpd_samples, kpd_batches, seed));
      },
      "real"_a, "generated"_a, py::kw_only(), "floor"_a = true, "samples"_a = 50000, "batches"_a = 5,
      "fpd_min_samples"_a = 20000, "fpd_max_samples"_a = 50000, "fpd_points"_a = 10, "fpd_batches"_a = 20,
      "kpd_samples"_a = 5000, "kpd_batches"_a = 10, "seed"_a = 42,
      R"(JetNet's scores of generated jets against real jets, both [N, M, 3] (pT, eta, phi [rad]), as
`otae metrics`: W1M (of m_jet / pT_jet), W1P (eta_rel, phi_rel, pT_rel, padding excluded), W1EFP (the
five connected EFPs with 4 vertices and 4 edges), FPD and KPD (the 36 EFPs, normalised by the real
jets' largest |value|), each {"value", "error"}, with the seconds each took. Returns
{"generated_vs_real": {...}, "floor": {...}}; the floor (two halves of `real`) only when floor=True.
The defaults are JetNet's; the same seed gives the same numbers.)");
  m.def(
      "fpd",
      [](const py::handle& real, const py::handle& generated, int64_t min_samples, int64_t max_samples,
         int64_t points, int64_t batches, uint64_t seed) {
        return feature_distance<analysis::fpd>(
            real, generated, metrics_options(1, 1, min_samples, max_samples, points, batches, 2, 1, seed));
      },
      "real_features"_a, "generated_features"_a, py::kw_only(), "min_samples"_a = 20000, "max_samples"_a = 50000,
      "points"_a = 10, "batches"_a = 20, "seed"_a = 42,
      R"(Frechet physics distance between feature samples [N, D] (e.g. otae.energy_flow_polynomials), each
feature divided by its largest |value| in real_features: the mean Frechet distance of `batches` draws
(with replacement) at `points` sample sizes evenly spaced in 1/N, extrapolated linearly to 1/N = 0.
Returns (value, error).)");
  m.def(
      "kpd",
      [](const py::handle& real, const py::handle& generated, int64_t samples, int64_t batches, uint64_t seed) {
        return feature_distance<analysis::kpd>(real, generated,
                                               metrics_options(1, 1, 2, 3, 3, 1, samples, batches, seed));
      },
      "real_features"_a, "generated_features"_a, py::kw_only(), "samples"_a = 5000, "batches"_a = 10, "seed"_a = 42,
      R"(Kernel physics distance between feature samples [N, D], normalised as otae.fpd: the unbiased MMD^2
with the kernel (x.y/D + 1)^4 on `batches` draws of `samples` rows. Returns (median, half the 16-84 %
range).)");
}

}  // namespace otae::python
