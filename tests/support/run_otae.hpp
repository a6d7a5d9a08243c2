// Runs the built `otae` executable as a user would, for the tests of the command line.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "temporary_folder.hpp"

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

/// A fixture for tests of the command line: a scratch folder of its own, and `otae` run in it;
/// skipped when the executable is not built.
class CommandTest : public ::testing::Test {
 protected:
  explicit CommandTest(const std::string& folder_name) : folder_(folder_name) {}
  void SetUp() override {
    if (!std::filesystem::exists(OTAE_BINARY)) GTEST_SKIP() << OTAE_BINARY << " is not built";
    std::filesystem::create_directories(folder_.path());
  }
  Outcome otae(const std::string& arguments) const { return run_otae(arguments, folder_.path()); }

  TemporaryFolder folder_;
};

}  // namespace otae::testing
