// `otae vae study` and `otae vae analyze` as a user runs them: a toy trained and analysed in one
// go, then analysed again into another folder, and the one-line error for a folder without a run.
// Skipped when the otae executable has not been built.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/run_otae.hpp"

namespace {

namespace fs = std::filesystem;

using otae::testing::Outcome;
using otae::testing::run_otae;

TEST(VaeAnalyzeCommand, StudyTrainsAndAnalysesThenAnalyzeRereads) {
  if (!fs::exists(OTAE_BINARY)) GTEST_SKIP() << OTAE_BINARY << " is not built";
  const fs::path folder = fs::temp_directory_path() / ("otae_vae_analyze_command_" + std::to_string(::getpid()));
  fs::remove_all(folder);
  fs::create_directories(folder);
  const std::string run = (folder / "run").string();
  const std::string config = OTAE_SOURCE_DIR "/configs/vae/quick.yaml";
  const Outcome study = run_otae(
      "vae study --config " + config + " --data 'toy:gaussian:2,1,0.5?n=1000&seed=4' --out " + run +
          " --dcorr-points 200 --threads 1 model.latent_dim=3 train.steps_per_epoch=5 train.max_epochs=2"
          " schedule.grid.points=2 schedule.priming.enabled=false",
      folder);
  ASSERT_EQ(study.status, 0) << study.output;
  EXPECT_NE(study.output.find("otae report: " + run + "/report/index.html"), std::string::npos) << study.output;
  EXPECT_TRUE(std::filesystem::exists(run + "/report/index.html"));
  const nlohmann::json summary = nlohmann::json::parse(std::ifstream(run + "/analysis/summary.json"));
  EXPECT_EQ(summary["checkpoints"].size(), 2u);
  EXPECT_EQ(summary["rows"], 100);  // the test split of the 1000 toy points
  EXPECT_EQ(summary["command_line"].get<std::string>().rfind("otae vae study", 0), 0u);

  const Outcome again = run_otae("vae analyze " + run + " --out " + (folder / "again").string() +
                                     " --dcorr-points 0 --traversal-directions 1 --threads 1",
                                 folder);
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_TRUE(fs::exists(folder / "again" / "kl_spectrum.csv"));
  EXPECT_FALSE(fs::exists(folder / "again" / "correlation_dimension.json"));

  const Outcome not_a_run = run_otae("vae analyze " + folder.string(), folder);
  EXPECT_NE(not_a_run.status, 0);
  EXPECT_NE(not_a_run.output.find(folder.string() + " is not a VAE run folder"), std::string::npos)
      << not_a_run.output;
  EXPECT_EQ(std::count(not_a_run.output.begin(), not_a_run.output.end(), '\n'), 1) << not_a_run.output;
  fs::remove_all(folder);
}

}  // namespace
