// Each noun of the command line registers its subcommands on the root CLI11 app.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace otae::cli {

/// Exit statuses of otae, printed under --help.
constexpr int kBadInput = 1;       ///< a file, dataset, configuration value or computation is wrong
constexpr int kUsageError = 2;     ///< the command line cannot be parsed or a value is out of range
constexpr int kInternalError = 4;  ///< a bug in otae
constexpr const char* kExitCodes =
    "Exit status: 0 done; 1 bad input (file, dataset, configuration, numerical failure); 2 usage error "
    "(unknown option, missing or out-of-range value); 3 a Python package that `otae report` needs is missing; "
    "4 internal error. Results go to stdout, progress and diagnostics to stderr; an error is one line "
    "'otae: error: ...'.";

void add_emd_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_otus_command(CLI::App& app);
void add_vae_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_metrics_command(CLI::App& app);
void add_explore_command(CLI::App& app);

/// Draws the report of a run folder: runs `/usr/bin/python3 -m otae_report RUN [--out DIR]
/// [--analysis DIR]` with the otae_report package on PYTHONPATH ($OTAE_PYTHON_DIR, else
/// ../share/otae/python beside an installed program, else the python/ folder of the sources this
/// binary was built from).
///   run_dir: a VAE run folder (config.yaml, run.json, beta_schedule.csv, beta_steps.jsonl and,
///   after `otae vae analyze`, analysis/) or an OTUS run folder (log.csv, run.json).
///   out_dir: where the PNG and PDF figures and index.html go; "" is run_dir/report.
///   analysis_dir: the analysis folder; "" is run_dir/analysis.
/// Returns the drawing's exit status (0: done; otherwise it printed one line saying why).
/// Throws IoError when /usr/bin/python3 or the otae_report package is missing.
int draw_report(const std::string& run_dir, const std::string& out_dir, const std::string& analysis_dir = "");

/// Refuses to write `output` when it is one of `inputs` (the same file, also through symbolic or
/// hard links), before any work is done: writing would replace the input. `option` names the
/// output on the command line ("--out"). Throws InvalidArgument naming both paths.
void refuse_input_as_output(const std::string& output, std::initializer_list<std::string> inputs,
                            const std::string& option = "--out");

/// Checks of a numeric option whose message states the bound and echoes the value given
/// ("--max-jets: must be >= 0, received -5"): >= 0, > 0, and a fraction in [0, 1].
CLI::Validator non_negative();
CLI::Validator positive();
CLI::Validator fraction();

/// Registers the configuration overrides of a command that reads a YAML configuration, in the one
/// form every such command takes: KEY=VALUE arguments after the options (`train.max_epochs=5`),
/// with `--set KEY=VALUE` as an alias (repeatable).
void add_config_overrides(CLI::App* command, std::vector<std::string>& overrides, const std::string& example);

/// The command line as typed ("otae emd a.h5 b.h5 --out d.h5"), arguments with spaces or shell
/// characters single-quoted so that it can be pasted back into a shell.
const std::string& invocation();
void set_invocation(int argc, char** argv);

/// The attributes every file otae writes carries: `otae_version` and `command_line`.
std::map<std::string, std::string> provenance();

}  // namespace otae::cli
