// Each noun of the command line registers its subcommands on the root CLI11 app.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace otae::cli {

void add_emd_command(CLI::App& app);
void add_data_command(CLI::App& app);

/// The command line as typed ("otae emd a.h5 b.h5 --out d.h5"), recorded in written files'
/// provenance attributes.
const std::string& invocation();
void set_invocation(int argc, char** argv);

}  // namespace otae::cli
