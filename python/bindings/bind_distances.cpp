// otae.emd, otae.emds, otae.sinkhorn_emd, otae.sliced_wasserstein and the 1-D comparisons.
#include <pybind11/stl.h>

#include "arrays.hpp"
#include "bindings.hpp"
#include "otae/base/error.hpp"
#include "otae/ot/exact_emd.hpp"
#include "otae/ot/gaussian.hpp"
#include "otae/ot/one_dimensional.hpp"
#include "otae/ot/pairwise.hpp"
#include "otae/ot/sinkhorn.hpp"
#include "otae/ot/sliced_wasserstein.hpp"

namespace otae::python {

namespace {

ot::ExactEmdOptions emd_options(double R, double beta, bool norm, bool wrap_phi, bool return_flow = false) {
  return ot::ExactEmdOptions()
      .ground(ot::GroundDistance().R(R).beta(beta).wrap_phi(wrap_phi))
      .norm(norm)
      .return_flow(return_flow);
}

py::object emd(const py::handle& jet_a, const py::handle& jet_b, double R, double beta, bool norm, bool wrap_phi,
               bool return_flow) {
  const at::Tensor a = to_double_tensor(jet_a, "jet_a", {2});
  const at::Tensor b = to_double_tensor(jet_b, "jet_b", {2});
  ot::ExactEmdResult result;
  {
    py::gil_scoped_release release;
    result = ot::exact_emd(a, b, emd_options(R, beta, norm, wrap_phi, return_flow));
  }
  if (!return_flow) return py::float_(result.value);
  return py::make_tuple(result.value, to_numpy(result.flow));
}

py::array emds(const py::handle& jets_a, const py::object& jets_b, double R, double beta, bool norm, bool wrap_phi,
               int64_t threads) {
  const at::Tensor a = to_double_tensor(jets_a, "jets_a", {3});
  const ot::PairwiseOptions options = ot::PairwiseOptions().emd(emd_options(R, beta, norm, wrap_phi)).threads(threads);
  at::Tensor matrix;
  if (jets_b.is_none()) {
    py::gil_scoped_release release;
    matrix = ot::exact_emd_symmetric(a, options);
  } else {
    const at::Tensor b = to_double_tensor(jets_b, "jets_b", {3});
    py::gil_scoped_release release;
    matrix = ot::exact_emd_matrix(a, b, options);
  }
  return to_numpy(matrix);
}

py::array emds_paired(const py::handle& jets_a, const py::handle& jets_b, double R, double beta, bool norm,
                      bool wrap_phi, int64_t threads) {
  const at::Tensor a = to_double_tensor(jets_a, "jets_a", {3});
  const at::Tensor b = to_double_tensor(jets_b, "jets_b", {3});
  const ot::PairwiseOptions options = ot::PairwiseOptions().emd(emd_options(R, beta, norm, wrap_phi)).threads(threads);
  at::Tensor values;
  {
    py::gil_scoped_release release;
    values = ot::exact_emd_paired(a, b, options).values;
  }
  return to_numpy(values);
}

/// The batch and the gradient of Σ cost with respect to each input, when asked for.
py::dict sinkhorn(const py::handle& weights_a, const py::handle& positions_a, const py::handle& weights_b,
                  const py::handle& positions_b, double eps_start, double eps_end, int64_t eps_steps,
                  int64_t iterations_per_step, double tolerance, double R, double beta, bool wrap_phi,
                  bool return_plan, bool return_gradient) {
  std::vector<at::Tensor> inputs = {
      to_double_tensor(weights_a, "weights_a", {2}), to_double_tensor(positions_a, "positions_a", {3}),
      to_double_tensor(weights_b, "weights_b", {2}), to_double_tensor(positions_b, "positions_b", {3})};
  if (return_gradient)
    for (at::Tensor& t : inputs) t.requires_grad_(true);
  const ot::SinkhornOptions options = ot::SinkhornOptions()
                                          .eps_start(eps_start)
                                          .eps_end(eps_end)
                                          .eps_steps(eps_steps)
                                          .iterations_per_step(iterations_per_step)
                                          .tolerance(tolerance)
                                          .ground(ot::GroundDistance().R(R).beta(beta).wrap_phi(wrap_phi))
                                          .return_plan(return_plan);
  ot::SinkhornResult result;
  {
    py::gil_scoped_release release;
    result = ot::sinkhorn_emd(inputs[0], inputs[1], inputs[2], inputs[3], options);
    if (return_gradient) result.cost.sum().backward();
  }
  py::dict out;
  out["cost"] = to_numpy(result.cost);
  out["iterations"] = to_numpy(result.iterations);
  out["marginal_error"] = to_numpy(result.marginal_error);
  if (return_plan) out["plan"] = to_numpy(result.plan);
  if (return_gradient) {
    const char* names[] = {"weights_a", "positions_a", "weights_b", "positions_b"};
    py::dict gradient;
    for (size_t i = 0; i < inputs.size(); ++i) gradient[names[i]] = to_numpy(inputs[i].grad());
    out["gradient"] = gradient;
  }
  return out;
}

py::dict sliced_wasserstein(const py::handle& x, const py::handle& y, int64_t slices, uint64_t seed,
                            const py::object& directions) {
  const at::Tensor xs = to_double_tensor(x, "x", {2});
  const at::Tensor ys = to_double_tensor(y, "y", {2});
  ot::SlicedWassersteinOptions options = ot::SlicedWassersteinOptions().slices(slices).seed(seed);
  if (!directions.is_none()) options.directions(to_double_tensor(directions, "directions", {2}));
  ot::SlicedWassersteinResult result;
  {
    py::gil_scoped_release release;
    result = ot::sliced_wasserstein(xs, ys, options);
  }
  py::dict out;
  out["sw2_squared"] = result.sw2_squared.item<double>();
  out["sw2"] = result.sw2.item<double>();
  out["directions"] = to_numpy(result.directions);
  return out;
}

ot::KsMethod ks_method(const std::string& name) {
  if (name == "auto") return ot::KsMethod::kAuto;
  if (name == "exact") return ot::KsMethod::kExact;
  if (name == "asymp") return ot::KsMethod::kAsymptotic;
  throw InvalidArgument("method: expected 'auto', 'exact' or 'asymp', got '" + name + "'");
}

const char* to_string(ot::KsMethod method) {
  return method == ot::KsMethod::kExact ? "exact" : method == ot::KsMethod::kAsymptotic ? "asymp" : "auto";
}

}  // namespace

void bind_distances(py::module_& m) {
  using namespace pybind11::literals;
  m.def("emd", &emd, "jet_a"_a, "jet_b"_a, py::kw_only(), "R"_a = 1.0, "beta"_a = 1.0, "norm"_a = false,
        "wrap_phi"_a = true, "return_flow"_a = false,
        R"(Exact Energy Mover's Distance between two jets (network simplex, exact to ~1e-15).

jet_a [M_a, 3], jet_b [M_b, 3]: rows (pT [GeV], eta, phi [rad]); rows with pT = 0 are padding.
Ground cost (dR/R)^beta. phi is periodic by default (delta phi wrapped into [-pi, pi)), the
opposite of EnergyFlow's default periodic_phi=False: pass wrap_phi=False to reproduce EnergyFlow's
numbers, which tear a jet straddling phi = +-pi in two. Without norm, unequal total pT costs
|sum pT_a - sum pT_b| extra (EnergyFlow's convention); with norm, each jet carries unit weight.
Returns the EMD [GeV, or dimensionless with norm], or (EMD, flow [M_a, M_b]) with return_flow.)");
  m.def("emds", &emds, "jets_a"_a, "jets_b"_a = py::none(), py::kw_only(), "R"_a = 1.0, "beta"_a = 1.0,
        "norm"_a = false, "wrap_phi"_a = true, "threads"_a = 0,
        R"(Exact EMDs between every jet of jets_a [N_a, M, 3] and of jets_b [N_b, M', 3] -> [N_a, N_b].
With jets_b omitted: the symmetric matrix [N, N] of jets_a, each pair solved once.
threads=0 uses every core. Options as otae.emd.)");
  m.def("emds_paired", &emds_paired, "jets_a"_a, "jets_b"_a, py::kw_only(), "R"_a = 1.0, "beta"_a = 1.0,
        "norm"_a = false, "wrap_phi"_a = true, "threads"_a = 0,
        "Exact EMD(jets_a[i], jets_b[i]) for every i -> [N]. Options as otae.emd.");
  m.def("sinkhorn_emd", &sinkhorn, "weights_a"_a, "positions_a"_a, "weights_b"_a, "positions_b"_a, py::kw_only(),
        "eps_start"_a = 1.0, "eps_end"_a = 0.01, "eps_steps"_a = 10, "iterations_per_step"_a = 10,
        "tolerance"_a = 1e-3, "R"_a = 1.0, "beta"_a = 1.0, "wrap_phi"_a = true, "return_plan"_a = false,
        "return_gradient"_a = false,
        R"(Sharp Sinkhorn EMD of a batch of balanced pairs (the EMD-VAE's reconstruction error).

weights_a [B, N], positions_a [B, N, 2] (eta, phi); weights_b [B, M], positions_b [B, M, 2].
Each pair must be balanced (normalise pT by HT first); weight 0 marks padding. phi is periodic
unless wrap_phi=False (EnergyFlow's default is not periodic; see otae.emd). epsilon is annealed
geometrically from eps_start to eps_end in eps_steps steps of at most iterations_per_step
iterations, stopping a pair once its L1 marginal error is below tolerance.
Returns a dict: cost [B] (the sharp transport cost, no entropy term), iterations [B],
marginal_error [B], plan [B, N, M] with return_plan, and with return_gradient the gradient of
sum(cost) with respect to each input (dict keyed by the argument names; weight gradients are
projected onto the simplex).)");
  m.def("sliced_wasserstein", &sliced_wasserstein, "x"_a, "y"_a, py::kw_only(), "slices"_a = 1000, "seed"_a = 0,
        "directions"_a = py::none(),
        R"(Sliced Wasserstein distance SW_2^2 between samples x [B, D] and y [B', D] (B != B' allowed, exact
quantile coupling per slice). Directions: `slices` random unit vectors drawn with `seed`, or the
given directions [L, D]. Returns a dict: sw2_squared (squared units of x), sw2, directions.)");
  m.def(
      "wasserstein_1d",
      [](const py::handle& a, const py::handle& b) {
        const ot::Wasserstein1dResult r = ot::wasserstein_1d(to_double_tensor(a, "a", {1}), to_double_tensor(b, "b", {1}));
        py::dict out;
        out["w1"] = r.w1;
        out["w2_squared"] = r.w2_squared;
        out["w2"] = r.w2;
        return out;
      },
      "a"_a, "b"_a,
      "1-D Wasserstein distances of samples a [N_a] and b [N_b]: dict w1 (as "
      "scipy.stats.wasserstein_distance), w2_squared, w2, in the samples' units.");
  m.def(
      "kolmogorov_smirnov",
      [](const py::handle& a, const py::handle& b, const std::string& method) {
        const ot::KolmogorovSmirnovResult r =
            ot::kolmogorov_smirnov(to_double_tensor(a, "a", {1}), to_double_tensor(b, "b", {1}), ks_method(method));
        py::dict out;
        out["statistic"] = r.statistic;
        out["p_value"] = r.p_value;
        out["method"] = to_string(r.method);
        return out;
      },
      "a"_a, "b"_a, py::kw_only(), "method"_a = "auto",
      "Two-sample Kolmogorov-Smirnov test (statistic as scipy.stats.ks_2samp; method 'auto', 'exact' "
      "or 'asymp'): dict statistic, p_value, method.");
  m.def(
      "binned_chi_squared",
      [](const py::handle& a, const py::handle& b, int64_t bins, int64_t min_count) {
        const ot::ChiSquaredResult r =
            ot::binned_chi_squared(to_double_tensor(a, "a", {1}), to_double_tensor(b, "b", {1}),
                                   ot::ChiSquaredOptions().bins(bins).min_count(min_count));
        py::dict out;
        out["chi2"] = r.chi2;
        out["dof"] = r.dof;
        out["reduced_chi2"] = r.reduced_chi2;
        out["p_value"] = r.p_value;
        out["edges"] = to_numpy(r.edges);
        out["counts_a"] = to_numpy(r.counts_a);
        out["counts_b"] = to_numpy(r.counts_b);
        out["ratio"] = to_numpy(r.ratio);
        out["ratio_error"] = to_numpy(r.ratio_error);
        return out;
      },
      "a"_a, "b"_a, py::kw_only(), "bins"_a = 50, "min_count"_a = 5,
      "Binned chi-squared test of samples a and b (equal-width bins merged to >= min_count in each): dict "
      "chi2, dof, reduced_chi2, p_value, edges, counts_a, counts_b, ratio (a/b of unit-area histograms), "
      "ratio_error.");
  m.def(
      "frechet_distance",
      [](const py::handle& mean_a, const py::handle& covariance_a, const py::handle& mean_b,
         const py::handle& covariance_b) {
        return ot::frechet_distance(to_double_tensor(mean_a, "mean_a", {1}), to_double_tensor(covariance_a, "covariance_a", {2}),
                                    to_double_tensor(mean_b, "mean_b", {1}), to_double_tensor(covariance_b, "covariance_b", {2}));
      },
      "mean_a"_a, "covariance_a"_a, "mean_b"_a, "covariance_b"_a,
      "Frechet distance |mu_a - mu_b|^2 + Tr(C_a + C_b - 2 (C_a^1/2 C_b C_a^1/2)^1/2) between Gaussians, their "
      "squared W2, in the squared units of the features (means [D], covariances [D, D]).");
}

}  // namespace otae::python
