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

/// The command line as typed ("otae emd a.h5 b.h5 --out d.h5"), arguments with spaces or shell
/// characters single-quoted so that it can be pasted back into a shell.
const std::string& invocation();
void set_invocation(int argc, char** argv);

/// The attributes every file otae writes carries: `otae_version` and `command_line`.
std::map<std::string, std::string> provenance();

}  // namespace otae::cli
