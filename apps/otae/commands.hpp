// Each noun of the command line registers its subcommands on the root CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace otae::cli {

void add_emd_command(CLI::App& app);
void add_data_command(CLI::App& app);

}  // namespace otae::cli
