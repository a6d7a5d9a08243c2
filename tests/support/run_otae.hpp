// Runs the built `otae` executable as a user would, for the tests of the command line.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace otae::testing {

/// What one command printed (stdout and stderr together) and its exit status.
struct Outcome {
  int status = -1;
  std::string output;
};

/// Runs `otae <arguments>` through the shell, its output captured in folder/output.txt.
inline Outcome run_otae(const std::string& arguments, const std::filesystem::path& folder) {
  const std::filesystem::path log = folder / "output.txt";
  const int status = std::system((std::string(OTAE_BINARY) + " " + arguments + " > " + log.string() + " 2>&1").c_str());
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

}  // namespace otae::testing
