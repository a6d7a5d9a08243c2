#include "otae/train/vae_run_folder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace otae::train {

namespace {

const char* const kPhases[] = {"priming", "zigzag", "production"};

/// Reads "step_<NNN>_beta_hat_<β̂>.pt"; false for any other name.
bool parse_step_file_name(const std::string& name, int64_t& step, double& beta_hat) {
  long parsed_step = -1;
  int consumed = 0;
  if (std::sscanf(name.c_str(), "step_%ld_beta_hat_%lf.pt%n", &parsed_step, &beta_hat, &consumed) != 2) return false;
  if (consumed != static_cast<int>(name.size()) || parsed_step < 0 || !(beta_hat > 0)) return false;
  step = parsed_step;
  return true;
}

/// Runs trained by otae 0.1 before every step was kept name their production checkpoints
/// "beta_hat_<β̂>.pt"; the step is the production row of beta_schedule.csv with that β̂ (the
/// name keeps 7 digits). False when the name is another or the schedule has no such row.
bool parse_legacy_production_name(const std::string& name, const std::string& schedule_file, int64_t& step,
                                  double& beta_hat) {
  int consumed = 0;
  if (std::sscanf(name.c_str(), "beta_hat_%lf.pt%n", &beta_hat, &consumed) != 1 ||
      consumed != static_cast<int>(name.size()) || !(beta_hat > 0))
    return false;
  std::ifstream schedule(schedule_file);
  std::string line;
  std::getline(schedule, line);  // header: step,phase,beta_hat,beta_GeV,learning_rate
  while (std::getline(schedule, line)) {
    long row_step = -1;
    char phase[32] = {};
    double row_beta_hat = 0;
    if (std::sscanf(line.c_str(), "%ld,%31[^,],%lf", &row_step, phase, &row_beta_hat) == 3 &&
        std::string(phase) == "production" && std::abs(row_beta_hat - beta_hat) <= 1e-6 * beta_hat) {
      step = row_step;
      beta_hat = row_beta_hat;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string VaeRunFolder::step_checkpoint(int64_t step, const std::string& phase, double beta_hat) const {
  char name[96];
  std::snprintf(name, sizeof name, "step_%03ld_beta_hat_%.6e.pt", static_cast<long>(step), beta_hat);
  return path("checkpoints/" + phase + "/" + name);
}

std::vector<StepCheckpoint> VaeRunFolder::step_checkpoints() const {
  namespace fs = std::filesystem;
  std::vector<StepCheckpoint> found;
  for (const char* phase : kPhases) {
    const fs::path folder = path(std::string("checkpoints/") + phase);
    if (!fs::is_directory(folder)) continue;
    for (const auto& entry : fs::directory_iterator(folder)) {
      StepCheckpoint checkpoint{0, phase, 0.0, entry.path().string()};
      const std::string name = entry.path().filename().string();
      if (parse_step_file_name(name, checkpoint.step, checkpoint.beta_hat) ||
          (std::string(phase) == "production" &&
           parse_legacy_production_name(name, schedule_file(), checkpoint.step, checkpoint.beta_hat)))
        found.push_back(checkpoint);
    }
  }
  std::sort(found.begin(), found.end(),
            [](const StepCheckpoint& a, const StepCheckpoint& b) { return a.step < b.step; });
  return found;
}

std::vector<std::pair<double, std::string>> VaeRunFolder::production_checkpoints() const {
  std::vector<std::pair<double, std::string>> found;
  for (const StepCheckpoint& checkpoint : step_checkpoints())
    if (checkpoint.phase == "production") found.emplace_back(checkpoint.beta_hat, checkpoint.path);
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace otae::train
