// `otae report RUN`: the figures (PNG and PDF) and the index page of a run folder, drawn by the
// python/otae_report package under /usr/bin/python3 from the JSON and CSV files otae wrote. The
// numbers all come from the C++ library; this face only starts the drawing and forwards its status.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "otae/base/error.hpp"

extern char** environ;

namespace otae::cli {
namespace {

/// Debian's interpreter, the one whose python3-matplotlib, -numpy and -scipy the report needs.
constexpr const char* kPython = "/usr/bin/python3";

/// The folder holding otae_report: $OTAE_PYTHON_DIR; else ../share/otae/python beside an installed
/// program (cmake --install); else the source tree this binary was built from.
std::string python_dir() {
  if (const char* dir = std::getenv("OTAE_PYTHON_DIR"); dir != nullptr && *dir != '\0') return dir;
  std::error_code error;
  const std::filesystem::path program = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const std::filesystem::path installed = program.parent_path().parent_path() / "share" / "otae" / "python";
    if (std::filesystem::is_directory(installed / "otae_report", error)) return installed.string();
  }
  return OTAE_PYTHON_DIR;
}

/// This process's environment with `python_path` put in front of PYTHONPATH.
std::vector<std::string> environment_with_python_path(const std::string& python_path) {
  std::string pythonpath = "PYTHONPATH=" + python_path;
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "PYTHONPATH=", 11) == 0) {
      if ((*entry)[11] != '\0') pythonpath += std::string(":") + (*entry + 11);
    } else {
      entries.emplace_back(*entry);
    }
  }
  entries.push_back(pythonpath);
  return entries;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

/// Runs `kPython args…` and waits; its exit status, or 128 + the signal that killed it.
int run_python(std::vector<std::string> args, const std::string& python_path) {
  args.insert(args.begin(), kPython);
  std::vector<std::string> environment = environment_with_python_path(python_path);
  std::vector<char*> argv = c_strings(args), envp = c_strings(environment);
  std::fflush(nullptr);  // so that our lines come before the child's
  pid_t pid = 0;
  if (const int failure = posix_spawn(&pid, kPython, nullptr, nullptr, argv.data(), envp.data()); failure != 0)
    throw IoError(std::string("cannot start ") + kPython + ": " + std::strerror(failure));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw IoError(std::string("lost the report process: ") + std::strerror(errno));
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

struct ReportArguments {
  std::string run, out, analysis;
};

}  // namespace

int draw_report(const std::string& run_dir, const std::string& out_dir, const std::string& analysis_dir) {
  if (access(kPython, X_OK) != 0)
    throw IoError(std::string("otae report draws with ") + kPython +
                  ", which is missing: install Debian's python3 and python3-matplotlib");
  const std::string package = python_dir();
  if (!std::filesystem::exists(std::filesystem::path(package) / "otae_report" / "__main__.py"))
    throw IoError("the report package otae_report is not in " + package +
                  ": set OTAE_PYTHON_DIR to the python/ folder of the otae sources");
  std::vector<std::string> args{"-m", "otae_report", run_dir};
  if (!out_dir.empty()) args.insert(args.end(), {"--out", out_dir});
  if (!analysis_dir.empty()) args.insert(args.end(), {"--analysis", analysis_dir});
  return run_python(args, package);
}

void add_report_command(CLI::App& app) {
  auto a = std::make_shared<ReportArguments>();
  CLI::App* report = app.add_subcommand(
      "report", "Figures (PNG + PDF) and an index.html of a VAE or OTUS run folder, from its JSON and CSV files");
  report->add_option("RUN", a->run, "run folder (otae vae train + otae vae analyze, or otae otus train)")
      ->required()
      ->check(CLI::ExistingDirectory);
  report->add_option("--out", a->out, "folder for the figures and index.html (default: RUN/report)");
  report->add_option("--analysis", a->analysis, "analysis folder of otae vae analyze (default: RUN/analysis)");
  report->callback([a] {
    // A non-zero status ends otae with the same status; the report has already said why.
    if (const int status = draw_report(a->run, a->out, a->analysis); status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace otae::cli
