// Runs the built `otae` executable as a user would, for the tests of the command line.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace otae::testing {

/// What one command printed and its exit status.
struct Outcome {
  int status = -1;
  std::string output;  ///< stdout, then stderr
  std::string results;      ///< stdout alone
  std::string diagnostics;  ///< stderr alone
};

inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Runs `otae <arguments>` through the shell, its stdout and stderr captured in folder/stdout.txt
/// and folder/stderr.txt.
inline Outcome run_otae(const std::string& arguments, const std::filesystem::path& folder) {
  const std::filesystem::path out = folder / "stdout.txt", err = folder / "stderr.txt";
  const int status = std::system(
      (std::string(OTAE_BINARY) + " " + arguments + " > " + out.string() + " 2> " + err.string()).c_str());
  Outcome outcome{WIFEXITED(status) ? WEXITSTATUS(status) : -1, "", file_text(out), file_text(err)};
  outcome.output = outcome.results + outcome.diagnostics;
  return outcome;
}

}  // namespace otae::testing
