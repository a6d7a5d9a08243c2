#include "otae/train/vae_run_folder.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace otae::train {

namespace {

const std::string kProductionPrefix = "beta_hat_";
const std::string kCheckpointSuffix = ".pt";

}  // namespace

std::string VaeRunFolder::production_checkpoint(double beta_hat) const {
  char name[64];
  std::snprintf(name, sizeof name, "%s%.6e%s", kProductionPrefix.c_str(), beta_hat, kCheckpointSuffix.c_str());
  return path("checkpoints/production/") + name;
}

std::vector<std::pair<double, std::string>> VaeRunFolder::production_checkpoints() const {
  namespace fs = std::filesystem;
  std::vector<std::pair<double, std::string>> found;
  const fs::path folder = path("checkpoints/production");
  if (!fs::is_directory(folder)) return found;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kProductionPrefix, 0) != 0 || entry.path().extension() != kCheckpointSuffix) continue;
    const std::string number =
        name.substr(kProductionPrefix.size(), name.size() - kProductionPrefix.size() - kCheckpointSuffix.size());
    char* end = nullptr;
    const double beta_hat = std::strtod(number.c_str(), &end);
    if (end && *end == '\0' && beta_hat > 0) found.emplace_back(beta_hat, entry.path().string());
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace otae::train
