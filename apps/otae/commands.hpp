// Each noun of the command line registers its subcommands on the root CLI11 app.
#pragma once

#include <map>
#include <string>

#include <CLI/CLI.hpp>

namespace otae::cli {

void add_emd_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_otus_command(CLI::App& app);
void add_vae_command(CLI::App& app);
void add_report_command(CLI::App& app);

/// Draws the report of a run folder: runs `/usr/bin/python3 -m otae_report RUN [--out DIR]
/// [--analysis DIR]` with the otae_report package on PYTHONPATH ($OTAE_PYTHON_DIR, else the
/// python/ folder of the sources this binary was built from).
///   run_dir: a VAE run folder (config.yaml, run.json, beta_schedule.csv, beta_steps.jsonl and,
///   after `otae vae analyze`, analysis/) or an OTUS run folder (log.csv, run.json).
///   out_dir: where the PNG and PDF figures and index.html go; "" is run_dir/report.
///   analysis_dir: the analysis folder; "" is run_dir/analysis.
/// Returns the drawing's exit status (0: done; otherwise it printed one line saying why).
/// Throws IoError when /usr/bin/python3 or the otae_report package is missing.
int draw_report(const std::string& run_dir, const std::string& out_dir, const std::string& analysis_dir = "");

/// The command line as typed ("otae emd a.h5 b.h5 --out d.h5"), arguments with spaces or shell
/// characters single-quoted so that it can be pasted back into a shell.
const std::string& invocation();
void set_invocation(int argc, char** argv);

/// The attributes every file otae writes carries: `otae_version` and `command_line`.
std::map<std::string, std::string> provenance();

}  // namespace otae::cli
