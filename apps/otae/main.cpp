// otae: optimal-transport autoencoders for collider data. Errors end in one line and exit 1.
#include <iostream>

#include "commands.hpp"
#include "otae/base/error.hpp"

namespace otae::cli {
namespace {
std::string recorded_invocation;
}

const std::string& invocation() { return recorded_invocation; }

void set_invocation(int argc, char** argv) {
  recorded_invocation = "otae";
  for (int i = 1; i < argc; ++i) recorded_invocation += std::string(" ") + argv[i];
}

}  // namespace otae::cli

int main(int argc, char** argv) {
  otae::cli::set_invocation(argc, argv);
  CLI::App app{"otae: optimal-transport autoencoders for collider data"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "otae 0.1.0");
  otae::cli::add_emd_command(app);
  otae::cli::add_data_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const otae::Error& e) {
    std::cerr << "otae: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "otae: internal error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
