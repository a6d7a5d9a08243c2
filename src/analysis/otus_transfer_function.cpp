// The binned transfer function, true against learnt; see otus_transfer_function.hpp.
#include "otae/analysis/otus_transfer_function.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>

#include "otae/base/error.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::analysis {

namespace {

const std::array<double, 5> kQuantileLevels = {0.025, 0.16, 0.5, 0.84, 0.975};
const char* const kQuantileNames[] = {"q025", "q16", "q50", "q84", "q975"};

struct Variable {
  const char* name;
  bool response;  // x/z; otherwise x − z
  const char* units;
};
const Variable kVariables[] = {{"E", true, ""}, {"pT", true, ""}, {"eta", false, ""}, {"phi", false, "rad"}};

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

/// E, pT, η, φ of object `j` of events [N, 4k]: [N] float64 each, in the order of kVariables.
std::array<at::Tensor, 4> kinematics(const at::Tensor& events, int64_t j) {
  const at::Tensor p = events.narrow(1, 4 * j, 4).to(at::kDouble);
  const at::Tensor px = p.select(1, 0), py = p.select(1, 1), pz = p.select(1, 2);
  const at::Tensor pt = (px.pow(2) + py.pow(2)).sqrt();
  return {p.select(1, 3), pt, at::asinh(pz / pt.clamp_min(1e-12)), at::atan2(py, px)};
}

/// x compared with z: the response x/z, or x − z with Δφ wrapped into [−π, π).
at::Tensor compared(const Variable& v, const at::Tensor& x, const at::Tensor& z) {
  if (v.response) return x / z;
  const at::Tensor d = x - z;
  if (std::string(v.name) != "phi") return d;
  return physics::wrap_phi(d);
}

/// Mean, robust width and quantiles of one bin's values [n] float64, with bootstrap errors.
nlohmann::json summarise(const at::Tensor& values, int64_t resamples, at::Generator& generator) {
  const int64_t n = values.numel();
  nlohmann::json out = {{"count", n}};
  if (n < 2) {
    for (const char* key : {"mean", "mean_error", "width", "width_error"}) out[key] = nullptr;
    for (const char* key : kQuantileNames) out[key] = nullptr;
    return out;
  }
  const at::Tensor levels = at::tensor(std::vector<double>(kQuantileLevels.begin(), kQuantileLevels.end()), at::kDouble);
  const at::Tensor q = at::quantile(values, levels);
  out["mean"] = number_or_null(values.mean().item<double>());
  out["width"] = number_or_null(0.5 * (q[3] - q[1]).item<double>());
  for (size_t k = 0; k < kQuantileLevels.size(); ++k) out[kQuantileNames[k]] = number_or_null(q[k].item<double>());
  const at::Tensor draws = values.index_select(0, at::randint(n, {resamples * n}, generator, at::kLong)).view({resamples, n});
  const at::Tensor spread = at::quantile(draws, at::tensor({0.16, 0.84}, at::kDouble), 1);  // [2, R]
  out["mean_error"] = number_or_null(draws.mean(1).std().item<double>());
  out["width_error"] = number_or_null((0.5 * (spread[1] - spread[0])).std().item<double>());
  return out;
}

bool agrees(const nlohmann::json& learnt, const nlohmann::json& truth, const char* key, double tolerance) {
  if (!learnt[key].is_number() || !truth[key].is_number() || !truth["width"].is_number()) return false;
  const double allowed = tolerance * truth["width"].get<double>() + kTransferResolutionFloor;
  return std::abs(learnt[key].get<double>() - truth[key].get<double>()) <= allowed;
}

nlohmann::json curve(const Variable& v, const std::string& object, const at::Tensor& zv, const at::Tensor& truth,
                     const at::Tensor& learnt, const at::Tensor& accepted, int64_t bins, int64_t resamples,
                     at::Generator& generator) {
  const at::Tensor edges = at::quantile(zv, at::linspace(0.0, 1.0, bins + 1, at::kDouble));
  nlohmann::json centres = nlohmann::json::array(), trues = nlohmann::json::array(), learnts = nlohmann::json::array();
  nlohmann::json width_ok = nlohmann::json::array(), mean_ok = nlohmann::json::array(), ok = nlohmann::json::array();
  for (int64_t b = 0; b < bins; ++b) {
    const double lo = edges[b].item<double>(), hi = edges[b + 1].item<double>();
    const at::Tensor in_bin = (zv >= lo) & (b + 1 == bins ? zv <= hi : zv < hi);
    const nlohmann::json t = summarise(truth.masked_select(in_bin), resamples, generator);
    const nlohmann::json l = summarise(learnt.masked_select(in_bin & accepted), resamples, generator);
    const bool w = agrees(l, t, "width", kTransferWidthTolerance), m = agrees(l, t, "mean", kTransferMeanTolerance);
    centres.push_back(0.5 * (lo + hi));
    trues.push_back(t);
    learnts.push_back(l);
    width_ok.push_back(w);
    mean_ok.push_back(m);
    ok.push_back(w && m);
  }
  std::vector<double> edge_values(static_cast<size_t>(bins + 1));
  for (int64_t b = 0; b <= bins; ++b) edge_values[static_cast<size_t>(b)] = edges[b].item<double>();
  return {{"object", object},
          {"variable", v.name},
          {"quantity", v.response ? "x/z" : "x - z"},
          {"units", v.units},
          {"z_bin_edges", edge_values},
          {"z_bin_centres", centres},
          {"true", trues},
          {"learnt", learnts},
          {"width_agrees", width_ok},
          {"mean_agrees", mean_ok},
          {"agrees", ok}};
}

int64_t count_true(const nlohmann::json& flags) {
  return std::count_if(flags.begin(), flags.end(), [](const nlohmann::json& f) { return f.get<bool>(); });
}

nlohmann::json tally(const std::vector<const nlohmann::json*>& curves) {
  int64_t bins = 0, width = 0, mean = 0, both = 0;
  for (const auto* c : curves) {
    bins += static_cast<int64_t>((*c)["agrees"].size());
    width += count_true((*c)["width_agrees"]);
    mean += count_true((*c)["mean_agrees"]);
    both += count_true((*c)["agrees"]);
  }
  return {{"bins", bins}, {"width_agrees", width}, {"mean_agrees", mean}, {"agrees", both},
          {"fraction_agrees", bins ? static_cast<double>(both) / static_cast<double>(bins) : 0.0}};
}

}  // namespace

nlohmann::json transfer_function(const at::Tensor& z, const at::Tensor& x, const at::Tensor& learnt,
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
  nlohmann::json curves = nlohmann::json::array();
  for (int64_t i = 0; i < k_z; ++i) {
    const auto j = std::find(x_objects.begin(), x_objects.end(), z_objects[static_cast<size_t>(i)]) - x_objects.begin();
    if (j == k_x) continue;
    const auto zk = kinematics(z, i), xk = kinematics(x, j), lk = kinematics(learnt, j);
    for (size_t v = 0; v < 4; ++v)
      curves.push_back(curve(kVariables[v], z_objects[static_cast<size_t>(i)], zk[v], compared(kVariables[v], xk[v], zk[v]),
                             compared(kVariables[v], lk[v], zk[v]), mask, options.bins(), options.resamples(), generator));
  }
  std::vector<const nlohmann::json*> all;
  std::map<std::string, std::vector<const nlohmann::json*>> by_variable;
  for (const auto& c : curves) {
    all.push_back(&c);
    by_variable[c["variable"].get<std::string>()].push_back(&c);
  }
  nlohmann::json summary = tally(all);
  for (const auto& [name, list] : by_variable) summary["by_variable"][name] = tally(list);
  std::ostringstream rule;
  rule << "per object and variable (E, pT: response x/z; eta, phi: x - z [rad]) in " << options.bins()
       << " quantile bins of z: mean, width = half the 16-84 % interval, quantiles 2.5/16/50/84/97.5 %, errors from "
       << options.resamples() << " bootstrap resamples; a bin agrees when |w_learnt - w_true| <= "
       << kTransferWidthTolerance << " w_true + " << kTransferResolutionFloor << " and |m_learnt - m_true| <= "
       << kTransferMeanTolerance << " w_true + " << kTransferResolutionFloor;
  return {{"rule", rule.str()}, {"curves", curves}, {"summary", summary}};
}

std::string format_transfer_summary(const nlohmann::json& transfer) {
  std::ostringstream out;
  auto line = [&](const std::string& name, const nlohmann::json& t) {
    char text[160];
    std::snprintf(text, sizeof text, "%-28s %5ld / %-5ld bins agree (%3.0f %%); width %ld, mean %ld\n", name.c_str(),
                  static_cast<long>(t["agrees"].get<int64_t>()), static_cast<long>(t["bins"].get<int64_t>()),
                  100.0 * t["fraction_agrees"].get<double>(), static_cast<long>(t["width_agrees"].get<int64_t>()),
                  static_cast<long>(t["mean_agrees"].get<int64_t>()));
    out << text;
  };
  const auto& summary = transfer["summary"];
  if (summary.contains("by_variable"))
    for (const auto& [name, t] : summary["by_variable"].items()) line("transfer " + name, t);
  line("transfer, all variables", summary);
  return out.str();
}

}  // namespace otae::analysis
