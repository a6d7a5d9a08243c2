// otae otus evaluate and sweep as library calls; see otus_runs.hpp for the files they write.
#include "otae/analysis/otus_runs.hpp"

#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "otae/analysis/otus_observables.hpp"
#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/data/layouts.hpp"
#include "otae/data/split.hpp"
#include "otae/train/device.hpp"
#include "otae/train/otus_loss.hpp"

namespace otae::analysis {

namespace {

std::string path_in(const std::string& folder, const std::string& name) {
  return (std::filesystem::path(folder) / name).string();
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code error;
  return std::filesystem::equivalent(a, b, error);
}

/// The held-out rows: the run's test split when the files are the ones it trained on (or when
/// asked for), else all rows.
at::Tensor held_out_rows(const train::OtusModel& model, const std::string& data, const OtusRunEvaluationOptions& options,
                         int64_t n_rows) {
  const std::string& x_data = options.x_data();
  const bool training_files = same_file(data, model.run.data) &&
                              (x_data.empty() ? model.run.x_data.empty() : same_file(x_data, model.run.x_data));
  const HeldOutRows rows = options.rows();
  if (rows == HeldOutRows::kAll || (rows == HeldOutRows::kAuto && !training_files)) return at::arange(n_rows, at::kLong);
  if (!training_files && options.notice())
    options.notice()("warning: " + data + " is not the training file; its rows are split as the run's");
  return data::split_rows(n_rows, model.config.split).test;
}

data::EventPairs events_to_evaluate(const train::OtusModel& model, const std::string& data,
                                    const OtusRunEvaluationOptions& options) {
  if (options.x_data().empty()) return data::load_event_pairs(data);
  data::UnpairedSamples samples = data::load_unpaired_events(data, options.x_data(), model.config.seed);
  if (options.notice())
    options.notice()("unpaired samples: " + std::to_string(samples.z_in_file) + " parton events (" + data + "), " +
                     std::to_string(samples.x_in_file) + " detector events (" + options.x_data() + "); using " +
                     std::to_string(samples.events.size()) + " of each");
  return std::move(samples.events);
}

data::NamedArray event_array(const std::string& name, const at::Tensor& values, const std::string& what,
                             const std::vector<std::string>& objects) {
  return {name, values,
          {{"units", "GeV"}, {"layout", "(px, py, pz, E) per object"}, {"description", what}},
          {{"objects", objects}}};
}

data::NamedArray acceptance_mask(const std::string& name, const at::Tensor& events,
                                 const std::vector<train::ObjectCut>& cuts, const std::string& what) {
  return {name, train::event_acceptance(events, cuts).to(at::kInt),
          {{"description", what + " passes the run's acceptance S (1) or not (0)"}}};
}

/// Per-event observables of a sample the transport plots pair row by row.
data::NamedArray observable_array(const std::string& name, const at::Tensor& events,
                                  const std::vector<std::string>& objects) {
  std::vector<at::Tensor> columns;
  std::vector<std::string> names;
  for (const auto& o : event_observables(objects)) {
    columns.push_back(o.compute(events).to(at::kFloat));
    names.push_back(o.name);
  }
  return {name + "_observables", at::stack(columns, 1),
          {{"description", "observables of " + name + " (columns named in 'names'), GeV"}},
          {{"names", names}}};
}

/// A sweep value's folder name: the key's last part and the value, e.g. latent_0.1.
std::string sweep_run_name(const std::string& parameter, const std::string& value) {
  std::string name = parameter.substr(parameter.find_last_of('.') + 1) + "_" + value;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  return name;
}

double sweep_value(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size())
    throw ConfigError("otus sweep: values must be numbers, received '" + text + "'");
  return value;
}

}  // namespace

void write_otus_samples(const std::string& path, const OtusEvaluation& e, const train::OtusModel& model,
                        const std::vector<std::string>& z_objects, const std::vector<std::string>& x_objects,
                        bool paired, const data::Attributes& attributes) {
  const auto& cuts = model.config.loss.acceptance();
  // decoded events are stored before the acceptance, with its mask
  data::write_arrays(
      path,
      {event_array("z", e.z_b, "held-out parton events, half B (reference of the unfolding)", z_objects),
       event_array("x", e.x_b, "held-out detector events, half B (reference of simulation and reconstruction)",
                   x_objects),
       event_array("z_tilde", e.unfolded, "E(x_a): unfolded half A", z_objects),
       event_array("x_tilde", e.reconstructed, "D(E(x_a)): reconstructed half A", x_objects),
       event_array("x_tilde_prime", e.simulated, "D(z_a): simulated half A", x_objects),
       event_array("z_a", e.z_a, "parton events of half A (input of the simulation)", z_objects),
       event_array("x_a", e.x_a,
                   paired ? "detector events of half A, the truth paired row by row with z_a"
                          : "detector events of half A, NOT paired with z_a (unpaired samples)",
                   x_objects),
       acceptance_mask("x_tilde_accepted", e.reconstructed, cuts, "x_tilde"),
       acceptance_mask("x_tilde_prime_accepted", e.simulated, cuts, "x_tilde_prime"),
       observable_array("z_a", e.z_a, z_objects), observable_array("x_a", e.x_a, x_objects),
       observable_array("z_tilde", e.unfolded, z_objects), observable_array("x_tilde_prime", e.simulated, x_objects)},
      attributes);
}

OtusRunEvaluation evaluate_otus_run(const std::string& run_folder, const std::string& data,
                                    const OtusRunEvaluationOptions& options) {
  const std::string folder = options.folder().empty() ? path_in(run_folder, "evaluation") : options.folder();
  const std::string samples = path_in(folder, "samples.h5");
  for (const std::string& input : {data, options.x_data()})
    if (!input.empty() && same_file(samples, input))
      throw InvalidArgument("otus evaluation: " + samples + " is the input " + input +
                            " (the same file): writing it would replace the input; choose another folder");
  train::OtusModel model = train::load_otus_model(run_folder, options.checkpoint(), options.device());
  const data::EventPairs events = events_to_evaluate(model, data, options);
  const at::Tensor rows = held_out_rows(model, data, options, events.size());
  const bool paired = options.x_data().empty();
  const std::vector<std::string> z_objects = data::event_object_names(data, "z"),
                                 x_objects = data::event_object_names(paired ? data : options.x_data(), "x");
  OtusEvaluation evaluation = evaluate_otus(model, events, rows, z_objects, x_objects,
                                            OtusEvaluationOptions(options.evaluation()).paired(paired));
  const OtusRunEvaluation written{evaluation.metrics,
                                  run_folder,
                                  data,
                                  options.checkpoint() == train::OtusCheckpoint::kBest ? "best" : "final",
                                  options.provenance(),
                                  folder};
  create_folder(folder);
  data::Attributes attributes = options.provenance();
  attributes["run"] = model.run.data;
  write_otus_samples(samples, evaluation, model, z_objects, x_objects, paired, attributes);
  write_json_file(path_in(folder, "metrics.json"), to_json(written));
  return written;
}

nlohmann::json to_json(const OtusRunEvaluation& evaluation) {
  nlohmann::json out = to_json(evaluation.metrics);
  out["run"] = evaluation.run;
  out["data"] = evaluation.data;
  out["checkpoint"] = evaluation.checkpoint;
  out["provenance"] = evaluation.provenance;
  return out;
}

nlohmann::json otus_sweep(const std::string& sweep_folder, const train::OtusRunFiles& base,
                          const OtusSweepOptions& options) {
  if (options.parameters().empty() || options.values().empty())
    throw ConfigError("otus sweep: needs at least one parameter and one value");
  std::vector<double> values;
  for (const std::string& text : options.values()) values.push_back(sweep_value(text));
  const std::string& parameter = options.parameters().front();
  create_folder(sweep_folder);
  nlohmann::json sweep = {{"parameter", parameter},
                          {"parameters", options.parameters()},
                          {"label", options.label().empty() ? parameter : options.label()},
                          {"config", std::filesystem::absolute(base.config).string()},
                          {"data", std::filesystem::absolute(base.data).string()},
                          {"runs", nlohmann::json::array()}};
  for (size_t v = 0; v < values.size(); ++v) {
    train::OtusRunFiles run = base;
    const std::string name = sweep_run_name(parameter, options.values()[v]);
    run.folder = path_in(sweep_folder, name);
    for (const std::string& key : options.parameters()) run.overrides.push_back(key + "=" + options.values()[v]);
    const train::OtusModel trained = train::train_otus_run(run, options.training());
    const OtusRunEvaluation evaluation = evaluate_otus_run(
        run.folder, run.data,
        OtusRunEvaluationOptions()
            .device(train::resolve_device(trained.config.device, "training.device"))
            .x_data(run.x_data)
            .evaluation(OtusEvaluationOptions().slices(options.slices()))
            .provenance(options.provenance())
            .notice(options.training().notice()));
    if (options.on_run()) options.on_run()(evaluation);
    sweep["runs"].push_back({{"value", values[v]}, {"run", name}});
    write_json_file(path_in(sweep_folder, "sweep.json"), sweep);
  }
  return sweep;
}

}  // namespace otae::analysis
