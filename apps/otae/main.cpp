// otae: optimal-transport autoencoders for collider data. Every error ends in one line,
// "otae: error: …", on stderr; the exit status says what kind (kExitCodes in commands.hpp).
#include <iostream>

#include "commands.hpp"
#include "otae/base/error.hpp"
#include "otae/train/cpu_compute.hpp"
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

namespace {

/// "otae vae train": the root and the subcommands that were selected, for pointing at their --help.
std::string selected_command(const CLI::App& app) {
  std::string path = app.get_name();
  for (const CLI::App* command = &app; !command->get_subcommands().empty();) {
    command = command->get_subcommands().front();
    path += " " + command->get_name();
  }
  return path;
}

/// Prints the one error line; a message of several lines (LibTorch appends a backtrace) is cut to its first.
int fail(const std::string& message, int status) {
  std::cerr << "otae: error: " << message.substr(0, message.find('\n')) << "\n";
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  // Speed: glibc hands every large freed tensor buffer back to the system, and a training step
  // faults its pages in again; keeping freed memory cut a step of the quick VAE configuration
  // from ~53 ms to ~16 ms. The allocator is process-wide, so the program sets it, not the library.
  otae::train::keep_freed_memory();
  otae::cli::set_invocation(argc, argv);
  CLI::App app{"otae: optimal-transport autoencoders for collider data", "otae"};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string("otae ") + otae::kVersion + "\nBLAS kernels: " + otae::train::blas_kernels());
  app.footer(otae::cli::kExitCodes);
  otae::cli::add_emd_command(app);
  otae::cli::add_data_command(app);
  otae::cli::add_otus_command(app);
  otae::cli::add_vae_command(app);
  otae::cli::add_report_command(app);
  otae::cli::add_metrics_command(app);
  otae::cli::add_explore_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version: printed on stdout
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // the report's own status; it has said why
  } catch (const CLI::ParseError& e) {
    return fail(std::string(e.what()) + " (see '" + selected_command(app) + " --help')", otae::cli::kUsageError);
  } catch (const otae::Error& e) {
    return fail(e.what(), otae::cli::kBadInput);
  } catch (const std::exception& e) {
    return fail(std::string("internal error, please report it: ") + e.what(), otae::cli::kInternalError);
  }
  return 0;
}
