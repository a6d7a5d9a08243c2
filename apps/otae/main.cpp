// otae: optimal-transport autoencoders for collider data. Errors end in one line and exit 1.
#include <iostream>

#include "commands.hpp"
#include "otae/base/error.hpp"
#include "otae/version.hpp"

namespace otae::cli {
namespace {
std::string recorded_invocation;
}

const std::string& invocation() { return recorded_invocation; }

void set_invocation(int argc, char** argv) {
  auto quoted = [](std::string arg) {
    if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,:/@%") == std::string::npos)
      return arg;
    std::string out = "'";
    for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  };
  recorded_invocation = "otae";
  for (int i = 1; i < argc; ++i) recorded_invocation += " " + quoted(argv[i]);
}

std::map<std::string, std::string> provenance() {
  return {{"otae_version", kVersion}, {"command_line", invocation()}};
}

}  // namespace otae::cli

int main(int argc, char** argv) {
  otae::cli::set_invocation(argc, argv);
  CLI::App app{"otae: optimal-transport autoencoders for collider data"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("otae ") + otae::kVersion);
  otae::cli::add_emd_command(app);
  otae::cli::add_data_command(app);
  otae::cli::add_otus_command(app);
  otae::cli::add_vae_command(app);
  otae::cli::add_report_command(app);
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
