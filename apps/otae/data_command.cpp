// `otae data …`: converts generator and public files into otae's HDF5 layouts, inspects and
// splits them. Parsing and printing only; the work is in the data layer.
#include <c10/util/StringUtil.h>

#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "otae/base/error.hpp"
#include "otae/base/progress.hpp"
#include "otae/data/dielectron_csv.hpp"
#include "otae/data/distance_shards.hpp"
#include "otae/data/external_jets.hpp"
#include "otae/data/file_mix.hpp"
#include "otae/data/file_split.hpp"
#include "otae/data/hdf5.hpp"
#include "otae/data/inspect.hpp"
#include "otae/data/jet_pipeline.hpp"
#include "otae/data/layouts.hpp"
#include "otae/data/lhe.hpp"

namespace otae::cli {
namespace {

using data::Attributes;

Attributes provenance(const std::string& source, const std::string& format, const std::string& generator) {
  Attributes attributes = cli::provenance();
  attributes.insert({{"source", source},
                     {"source_format", format},
                     {"generator", generator.empty() ? "unknown (not stated in the file; pass --generator)" : generator}});
  return attributes;
}

// --generator wins over what the file states.
std::string generator_name(const std::string& option, const std::string& from_file) {
  return option.empty() ? from_file : option;
}

/// Refuses an output without rows, which a selection that matched nothing gives, unless asked for.
void require_rows(int64_t rows, const std::string& input, const std::string& what, const std::string& hint,
                  bool allow_empty) {
  if (rows > 0 || allow_empty) return;
  throw IoError(input + ": no " + what + " selected, so nothing was written; " + hint +
                " (or pass --allow-empty to write a file without rows)");
}

void add_allow_empty(CLI::App* command, bool& allow_empty) {
  command->add_flag("--allow-empty", allow_empty, "write the file even when no row is selected (default: an error)");
}

struct HepMCArguments {
  std::string input, output, preset = "none", generator;
  double particle_abs_eta_max = 4.9;
  int64_t max_events = 0;
  bool allow_empty = false;
  // Cut values given explicitly; they override the preset's.
  double pt_min = 0, pt_max = 0, abs_eta_max = 0, mass_min = 0, mass_max = 0;
  double jet_radius = 1.0, subjet_radius = 0.07, jet_pt_threshold = 20.0;
  int64_t max_particles = 50;
};

data::JetPipelineOptions resolve_options(const HepMCArguments& a, const CLI::App& command) {
  data::JetPipelineOptions options = data::JetPipelineOptions::preset(a.preset);
  const auto given = [&](const char* flag) { return command.get_option(flag)->count() > 0; };
  if (given("--pt-min")) options.pt_min(a.pt_min);
  if (given("--pt-max")) options.pt_max(a.pt_max);
  if (given("--abs-eta-max")) options.abs_eta_max(a.abs_eta_max);
  if (given("--mass-min")) options.mass_min(a.mass_min);
  if (given("--mass-max")) options.mass_max(a.mass_max);
  return options.jet_radius(a.jet_radius)
      .subjet_radius(a.subjet_radius)
      .jet_pt_threshold(a.jet_pt_threshold)
      .max_particles(a.max_particles);
}

void run_from_hepmc(const HepMCArguments& a, const CLI::App& command) {
  const data::JetPipelineOptions options = resolve_options(a, command);
  refuse_input_as_output(a.output, {a.input});
  ProgressMeter progress("otae data from-hepmc", "events", a.max_events > 0 ? a.max_events : ProgressMeter::kUnknownTotal);
  const auto kept = [](const data::JetPipelineCounts& counts) {
    return [&counts] { return std::to_string(counts.kept) + " jets kept"; };
  };
  const data::HepMCJets result = data::jets_from_hepmc(
      a.input, data::VisibleParticleOptions().abs_eta_max(a.particle_abs_eta_max), options,
      a.max_events > 0 ? a.max_events : -1,
      [&](const data::JetPipelineCounts& counts) { progress.update(counts.events, kept(counts)); });
  progress.finish(result.counts.events, kept(result.counts));
  const data::JetPipelineCounts& c = result.counts;
  require_rows(c.kept, a.input, "jet",
               "of " + std::to_string(c.events) + " events, " + std::to_string(c.no_jet) + " had no jet and " +
                   std::to_string(c.failed_pt + c.failed_eta + c.failed_mass) +
                   " failed the cuts (" + options.description() + "): loosen --preset or the cuts",
               a.allow_empty);
  Attributes attributes = provenance(a.input, data::to_string(result.format), generator_name(a.generator, result.generator));
  attributes["cuts"] = options.description();
  attributes["preset"] = a.preset;
  attributes["visible_particles"] = "status 1, no neutrinos (12, 14, 16), |eta|<" + c10::str(a.particle_abs_eta_max);
  attributes["events_read"] = std::to_string(c.events);
  attributes["rows"] = std::to_string(c.kept);
  data::write_arrays(a.output, data::jet_arrays(result.jets), attributes);
  std::cout << "wrote " << a.output << ": " << c.kept << " jets from " << c.events << " events (no jet " << c.no_jet
            << ", outside pT " << c.failed_pt << ", |eta| " << c.failed_eta << ", mass " << c.failed_mass << ")\n";
}

void add_from_hepmc(CLI::App& data_app) {
  auto a = std::make_shared<HepMCArguments>();
  CLI::App* command = data_app.add_subcommand(
      "from-hepmc", "HepMC3 or HepMC2 ASCII events -> jets (particles [N, M, 3], jet [N, 5]) with the EMD-VAE "
                    "pipeline: visible final-state particles, anti-kt jets, the leading one, optional cuts, its "
                    "constituents reclustered into subjets");
  command->add_option("input", a->input, "HepMC ASCII file (v3 or v2, detected from the header)")->required();
  command->add_option("--out", a->output, "HDF5 file to write (replaced atomically)")->required();
  command->add_option("--preset", a->preset, "cut preset: none (no cuts) or collins-w (500<pT<600 GeV, |eta|<2, "
                                             "75<m<110 GeV); the options below override it")->capture_default_str();
  command->add_option("--pt-min", a->pt_min, "leading-jet pT minimum [GeV] (default: the preset's; none: 0)")
      ->check(non_negative());
  command->add_option("--pt-max", a->pt_max, "leading-jet pT maximum [GeV] (default: the preset's; none: no limit)")
      ->check(positive());
  command->add_option("--abs-eta-max", a->abs_eta_max, "leading-jet |eta| maximum (default: the preset's; none: no limit)")
      ->check(positive());
  command->add_option("--mass-min", a->mass_min, "leading-jet mass minimum [GeV] (default: the preset's; none: 0)")
      ->check(non_negative());
  command->add_option("--mass-max", a->mass_max, "leading-jet mass maximum [GeV] (default: the preset's; none: no limit)")
      ->check(positive());
  command->add_option("--jet-R", a->jet_radius, "anti-kt radius of the jets")->check(positive())->capture_default_str();
  command->add_option("--jet-pt-threshold", a->jet_pt_threshold, "jets below this pT [GeV] are ignored")
      ->check(non_negative())->capture_default_str();
  command->add_option("--subjet-R", a->subjet_radius, "anti-kt radius of the reclustering")
      ->check(positive())->capture_default_str();
  command->add_option("--max-particles", a->max_particles, "hardest subjets kept per jet (zero-padded)")
      ->check(positive())->capture_default_str();
  command->add_option("--particle-abs-eta-max", a->particle_abs_eta_max, "|eta| acceptance of visible particles")
      ->check(positive())->capture_default_str();
  command->add_option("--max-events", a->max_events, "read at most this many events (0: all)")
      ->check(non_negative())->capture_default_str();
  add_allow_empty(command, a->allow_empty);
  command->add_option("--generator", a->generator, "generator to record (default: what the file states)");
  command->callback([a, command] { run_from_hepmc(*a, *command); });
}

void write_events(const std::string& output, const std::string& dataset, const data::EventTable& table,
                  Attributes attributes) {
  attributes["events_read"] = std::to_string(table.events_read);
  attributes["events_skipped"] = std::to_string(table.events_skipped);
  attributes["rows"] = std::to_string(table.events.size(0));
  std::vector<data::NamedArray> arrays{data::event_array(dataset, table)};
  if (table.weights.defined()) {
    arrays.push_back({"weight", table.weights,
                      {{"description", "generator weight of each event (LHE XWGTUP) as the file states it"},
                       {"units", "the file's (pb for LHE weighting strategies IDWTUP = +-3, +-4)"}}});
    attributes["weighting_strategy"] = std::to_string(table.weighting_strategy);
  }
  data::write_arrays(output, arrays, attributes);
}

void add_from_lhe(CLI::App& data_app) {
  struct Arguments {
    std::string input, output, dataset = "z", generator;
    std::vector<int> objects;
    bool intermediate = false, allow_empty = false;
  };
  auto a = std::make_shared<Arguments>();
  CLI::App* command = data_app.add_subcommand(
      "from-lhe", "LHE events -> event vectors [N, 4k] of (px, py, pz, E) [GeV] per chosen outgoing particle");
  command->add_option("input", a->input, "Les Houches Event file")->required();
  command->add_option("--out", a->output, "HDF5 file to write (replaced atomically)")->required();
  command->add_option("--objects", a->objects, "PDG ids of the outgoing (status +1) particles, in order, e.g. "
                                               "--objects 11,-11 for (e-, e+); repeated ids take the next hardest; "
                                               "events lacking one are skipped and counted")
      ->required()
      ->delimiter(',');
  command->add_flag("--intermediate", a->intermediate,
                    "also select intermediate resonances (status 2), e.g. --objects 6,-6 --intermediate for the "
                    "tops of a ttbar file, which LHE files list as intermediate");
  add_allow_empty(command, a->allow_empty);
  command->add_option("--dataset", a->dataset, "dataset name")->capture_default_str();
  command->add_option("--generator", a->generator, "generator to record (default: the file's <generator> tags)");
  command->callback([a] {
    refuse_input_as_output(a->output, {a->input});
    const data::EventTable table =
        data::read_lhe_objects(a->input, a->objects, data::LheSelection().intermediate(a->intermediate));
    require_rows(table.events.size(0), a->input, "event",
                 "none of its " + std::to_string(table.events_read) + " events has every object of --objects" +
                     (a->intermediate ? std::string() : "; tops, W and Z bosons of a decay chain are intermediate "
                                                        "(status 2) in LHE files: add --intermediate to select them"),
                 a->allow_empty);
    const std::string stated = data::LheReader(a->input).generator();
    write_events(a->output, a->dataset, table, provenance(a->input, "LHE", generator_name(a->generator, stated)));
    std::cout << "wrote " << a->output << ": " << table.events.size(0) << " events of " << table.events_read
              << " (skipped " << table.events_skipped << " lacking an object)\n";
  });
}

void add_from_csv(CLI::App& data_app) {
  struct Arguments {
    std::string input, output, dataset = "x", generator;
    bool allow_empty = false;
  };
  auto a = std::make_shared<Arguments>();
  CLI::App* command = data_app.add_subcommand(
      "from-csv", "two-electron CSV (CMS Open Data Zee layout: pt1, eta1, phi1, Q1, pt2, …) -> event vectors "
                  "[N, 8] of massless (e-, e+) four-vectors (px, py, pz, E) [GeV]");
  command->add_option("input", a->input, "CSV file with a header line")->required();
  command->add_option("--out", a->output, "HDF5 file to write (replaced atomically)")->required();
  command->add_option("--dataset", a->dataset, "dataset name")->capture_default_str();
  command->add_option("--generator", a->generator, "generator or experiment to record, e.g. 'CMS 2011 data'");
  add_allow_empty(command, a->allow_empty);
  command->callback([a] {
    refuse_input_as_output(a->output, {a->input});
    const data::EventTable table = data::read_dielectron_csv(a->input);
    require_rows(table.events.size(0), a->input, "event", "no event has an e- and an e+", a->allow_empty);
    write_events(a->output, a->dataset, table, provenance(a->input, "CSV (two electrons)", a->generator));
    std::cout << "wrote " << a->output << ": " << table.events.size(0) << " events of " << table.events_read
              << " (skipped " << table.events_skipped << " with same-sign electrons)\n";
  });
}

void write_jets(const std::string& output, const data::JetTable& jets, Attributes attributes) {
  attributes["rows"] = std::to_string(jets.jet.size(0));
  data::write_arrays(output, data::jet_arrays(jets), attributes);
  std::cout << "wrote " << output << ": " << jets.jet.size(0) << " jets of up to " << jets.particles.size(1)
            << " particles\n";
}

void add_from_npz(CLI::App& data_app) {
  struct Arguments {
    std::string input, output, array = "X", generator;
    std::vector<std::string> features;
  };
  auto a = std::make_shared<Arguments>();
  CLI::App* command = data_app.add_subcommand(
      "from-npz", "EnergyFlow .npz jets [N, M, F] -> otae jets (particles [N, M, 3], jet [N, 5] from the summed "
                  "four-momenta)");
  command->add_option("input", a->input, ".npz archive")->required();
  command->add_option("--out", a->output, "HDF5 file to write (replaced atomically)")->required();
  command->add_option("--particle-features", a->features,
                      "the F per-particle features in stored order, e.g. pt,y,phi,pid for EnergyFlow's datasets; "
                      "names: pt [GeV], ptrel, eta, etarel, y, phi, phirel, pid, mass [GeV], mask, - (ignored)")
      ->required()
      ->delimiter(',')
      ->allow_extra_args(false);
  command->add_option("--array", a->array, "array of the archive holding the particles")->capture_default_str();
  command->add_option("--generator", a->generator, "generator to record");
  command->callback([a] {
    refuse_input_as_output(a->output, {a->input});
    const data::JetTable jets = data::read_energyflow_npz(a->input, a->features, a->array);
    Attributes attributes = provenance(a->input, "EnergyFlow npz", a->generator);
    attributes["particle_features"] = c10::Join(",", a->features);
    write_jets(a->output, jets, attributes);
  });
}

void add_from_jetnet(CLI::App& data_app) {
  struct Arguments {
    std::string input, output, generator;
    std::vector<std::string> particle_features, jet_features;
  };
  auto a = std::make_shared<Arguments>();
  CLI::App* command = data_app.add_subcommand(
      "from-jetnet", "JetNet HDF5 (particle_features relative to the jet, jet_features) -> otae jets; JetNet "
                     "stores no jet phi, so jets sit at phi = 0");
  command->add_option("input", a->input, "JetNet HDF5 file")->required();
  command->add_option("--out", a->output, "HDF5 file to write (replaced atomically)")->required();
  command->add_option("--particle-features", a->particle_features,
                      "per-particle features in stored order, e.g. etarel,phirel,ptrel,mask")
      ->required()
      ->delimiter(',')
      ->allow_extra_args(false);
  command->add_option("--jet-features", a->jet_features,
                      "per-jet features in stored order, e.g. pt,eta,mass,num_particles for JetNet's files "
                      "(type,pt,eta,mass,num_particles for arrays saved from its loader); "
                      "names: pt [GeV], eta, phi, mass [GeV], num_particles, type and - (ignored)")
      ->required()
      ->delimiter(',')
      ->allow_extra_args(false);
  command->add_option("--generator", a->generator, "generator to record");
  command->callback([a] {
    refuse_input_as_output(a->output, {a->input});
    const data::JetTable jets = data::read_jetnet_hdf5(a->input, a->particle_features, a->jet_features);
    Attributes attributes = provenance(a->input, "JetNet HDF5", a->generator);
    attributes["particle_features"] = c10::Join(",", a->particle_features);
    attributes["jet_features"] = c10::Join(",", a->jet_features);
    write_jets(a->output, jets, attributes);
  });
}

// The generator the otae file states, carried into the provenance of what is written from it.
std::string stated_generator(const std::string& path) {
  const Attributes stated = data::read_attributes(path);
  const auto found = stated.find("generator");
  return found == stated.end() ? std::string() : found->second;
}

void add_to_npz(CLI::App& data_app) {
  struct Arguments {
    std::string input, output;
  };
  auto a = std::make_shared<Arguments>();
  CLI::App* command = data_app.add_subcommand(
      "to-npz", "otae jets -> EnergyFlow .npz: X [N, M, 3] float64 of (pt, y = eta, phi) per particle, zero-padded, "
                "each phi within pi of its jet's, and y from the file's 'label' dataset when it has one; "
                "from-npz --particle-features pt,eta,phi reads it back (the jet row then from the particles' sum)");
  command->add_option("input", a->input, "HDF5 jets: particles [N, M, 3] and jet [N, 5] (without jet: the "
                                         "particles' sum)")->required();
  command->add_option("--out", a->output, ".npz archive to write (replaced atomically)")->required();
  command->callback([a] {
    refuse_input_as_output(a->output, {a->input});
    const data::JetTable jets = data::read_jet_table(a->input);
    const bool labelled = data::has_dataset(a->input, "label");
    data::write_energyflow_npz(a->output, jets, labelled ? data::read_array(a->input, "label") : at::Tensor());
    std::cout << "wrote " << a->output << ": X with " << jets.jet.size(0) << " jets of up to " << jets.particles.size(1)
              << " particles" << (labelled ? ", y from 'label'" : "") << "\n";
  });
}

void add_to_jetnet(CLI::App& data_app) {
  struct Arguments {
    std::string input, output, generator;
  };
  auto a = std::make_shared<Arguments>();
  CLI::App* command = data_app.add_subcommand(
      "to-jetnet", "otae jets -> JetNet HDF5: particle_features (etarel, phirel, ptrel, mask) and jet_features (pt, "
                   "eta, mass, num_particles), as JetNet's files hold them (jetnet.datasets.JetNet itself loads only "
                   "its own downloads, checked by MD5). JetNet stores no jet phi: from-jetnet reads the jets back "
                   "at phi = 0");
  command->add_option("input", a->input, "HDF5 jets: particles [N, M, 3] and jet [N, 5] (without jet: the "
                                         "particles' sum)")->required();
  command->add_option("--out", a->output, "HDF5 file to write (replaced atomically)")->required();
  command->add_option("--generator", a->generator, "generator to record (default: the input's 'generator' attribute)");
  command->callback([a] {
    refuse_input_as_output(a->output, {a->input});
    const data::JetTable jets = data::read_jet_table(a->input);
    Attributes attributes =
        provenance(a->input, "otae jets", generator_name(a->generator, stated_generator(a->input)));
    attributes["rows"] = std::to_string(jets.jet.size(0));
    data::write_jetnet_hdf5(a->output, jets, attributes);
    std::cout << "wrote " << a->output << ": " << jets.jet.size(0) << " jets of up to " << jets.particles.size(1)
              << " particles\n";
  });
}

void print_attributes(const Attributes& attributes, const std::string& indent) {
  for (const auto& [key, value] : attributes) std::cout << indent << key << " = " << value << "\n";
}

void print_dataset(const data::DatasetSummary& d) {
  std::cout << "\n" << d.name << ": " << d.dtype << " " << c10::str(at::IntArrayRef(d.shape)) << ", " << d.rows
            << " rows, padding " << std::fixed << std::setprecision(1) << 100.0 * d.padding_fraction << "%, "
            << d.non_finite << " NaN/inf\n"
            << std::defaultfloat;
  print_attributes(d.attributes, "  @");
  std::cout << "  " << std::left << std::setw(24) << "column";
  for (const double q : data::kSummaryQuantiles) std::cout << std::right << std::setw(13) << ("q" + c10::str(q));
  std::cout << "\n";
  for (const data::ColumnSummary& column : d.columns) {
    std::cout << "  " << std::left << std::setw(24) << column.name << std::right;
    for (const double value : column.quantiles) std::cout << std::setw(13) << std::setprecision(5) << value;
    if (column.quantiles.empty()) std::cout << "  (no finite values)";
    std::cout << "\n";
  }
}

void add_inspect(CLI::App& data_app) {
  auto path = std::make_shared<std::string>();
  CLI::App* command = data_app.add_subcommand(
      "inspect", "datasets, shapes, dtypes, rows, per-column quantiles (padding left out), padding fraction, "
                 "NaN/inf count and attributes of an HDF5 file");
  command->add_option("file", *path, "HDF5 file")->required();
  command->callback([path] {
    const data::FileSummary summary = data::inspect_file(*path);
    std::cout << summary.path << " (" << summary.datasets.size() << " datasets)\n";
    print_attributes(summary.attributes, "  @");
    for (const data::DatasetSummary& dataset : summary.datasets) print_dataset(dataset);
  });
}

void add_split(CLI::App& data_app) {
  struct Arguments {
    std::string input, out_prefix;
    std::vector<double> fractions = {0.8, 0.1, 0.1};
    uint64_t seed = 0;
  };
  auto a = std::make_shared<Arguments>();
  CLI::App* command = data_app.add_subcommand(
      "split", "cut every dataset of an HDF5 file at the same seeded random rows into FILE.train.h5, "
               "FILE.validation.h5 and FILE.test.h5 (a part with fraction 0 is not written)");
  command->add_option("file", a->input, "HDF5 file whose datasets have one row per event")->required();
  command->add_option("--fractions", a->fractions, "train,validation,test fractions (sum at most 1)")
      ->delimiter(',')
      ->expected(3)
      ->check(fraction())
      ->capture_default_str();
  command->add_option("--seed", a->seed, "seed of the split: the same seed gives the same rows")
      ->check(non_negative())->capture_default_str();
  command->add_option("--out-prefix", a->out_prefix, "write PREFIX.train.h5 … instead (default: FILE without .h5)");
  command->callback([a] {
    const data::SplitOptions options =
        data::SplitOptions().train(a->fractions[0]).validation(a->fractions[1]).test(a->fractions[2]).seed(a->seed);
    for (const data::SplitPart& part : data::split_file(a->input, options, a->out_prefix, cli::provenance()))
      std::cout << "wrote " << part.path << ": " << part.rows << " rows (" << part.name << ")\n";
  });
}

void add_mix(CLI::App& data_app) {
  struct Arguments {
    std::string first, second, output;
    int64_t rows_per_file = 0;
    uint64_t seed = 0;
  };
  auto a = std::make_shared<Arguments>();
  CLI::App* command = data_app.add_subcommand(
      "mix", "two jet files -> one shuffled sample (particles, jet, truth) with a 'label' dataset: 0 for jets of the first "
             "file, 1 for the second (for evaluating unsupervised classification; never a training input)");
  command->add_option("first", a->first, "HDF5 jets, label 0")->required()->check(CLI::ExistingFile);
  command->add_option("second", a->second, "HDF5 jets, label 1")->required()->check(CLI::ExistingFile);
  command->add_option("--out", a->output, "HDF5 file to write (replaced atomically)")->required();
  command->add_option("--rows-per-file", a->rows_per_file, "jets taken from the start of each file (0: all)")
      ->check(non_negative())->capture_default_str();
  command->add_option("--seed", a->seed, "seed of the shuffle")->check(non_negative())->capture_default_str();
  command->callback([a] {
    refuse_input_as_output(a->output, {a->first, a->second});
    const data::MixedSample mixed = data::mix_jet_files(
        a->first, a->second, a->output, data::MixOptions().rows_per_file(a->rows_per_file).seed(a->seed),
        cli::provenance());
    std::cout << "wrote " << a->output << ": " << mixed.first_rows + mixed.second_rows << " jets (" << mixed.first_rows
              << " with label 0, " << mixed.second_rows << " with label 1)\n";
  });
}

void add_merge(CLI::App& data_app) {
  struct Arguments {
    std::vector<std::string> parts;
    std::string output;
  };
  auto a = std::make_shared<Arguments>();
  CLI::App* command = data_app.add_subcommand(
      "merge", "the partial files of otae emd --shard K/N -> the file one otae emd writes (checks that they are "
               "the N shards of one computation: same inputs and options, each shard once)");
  command->add_option("parts", a->parts, "the N partial HDF5 files, in any order")->required()->check(CLI::ExistingFile);
  command->add_option("--out", a->output, "HDF5 file to write (replaced atomically)")->required();
  command->callback([a] {
    for (const std::string& part : a->parts) refuse_input_as_output(a->output, {part});
    data::merge_distance_shards(a->parts, a->output, cli::provenance());
    std::cout << "wrote " << a->output << ": " << a->parts.size() << " shards merged\n";
  });
}

}  // namespace

void add_data_command(CLI::App& app) {
  CLI::App* data_app = app.add_subcommand("data", "convert, inspect, split, mix and merge event, jet and distance files");
  data_app->require_subcommand(1);
  add_from_hepmc(*data_app);
  add_from_lhe(*data_app);
  add_from_csv(*data_app);
  add_from_npz(*data_app);
  add_from_jetnet(*data_app);
  add_to_npz(*data_app);
  add_to_jetnet(*data_app);
  add_inspect(*data_app);
  add_split(*data_app);
  add_mix(*data_app);
  add_merge(*data_app);
}

}  // namespace otae::cli
