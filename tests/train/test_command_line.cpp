// The conventions every otae command keeps: one error line "otae: error: …" with exit status 2
// for usage errors and 1 for bad input; --help on stdout; results on stdout and progress on
// stderr; configuration overrides as KEY=VALUE or --set KEY=VALUE; `--resume RUN` for both
// trainers; progress totals that are the work done.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../support/run_otae.hpp"
#include "../support/temporary_folder.hpp"

namespace {

namespace fs = std::filesystem;
using otae::testing::file_text;
using otae::testing::CommandTest;
using otae::testing::Outcome;

const std::string kSamples = std::string(OTAE_SOURCE_DIR) + "/samples/";
const std::string kToy = "'toy:gaussian:2,1,0.5?n=2000&seed=4'";
const std::string kShortVae =
    " train.threads=1 train.steps_per_epoch=5 train.max_epochs=2 schedule.grid.log10_first=-1"
    " schedule.grid.points=2 schedule.zigzag.legs=0 schedule.priming.enabled=false";
const std::string kShortOtus = " --config " + std::string(OTAE_SOURCE_DIR) + "/configs/otus/zee_quick.yaml --data " +
                               kSamples + "zee_small.h5";

int64_t lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

class CommandLine : public CommandTest {
 protected:
  CommandLine() : CommandTest("command_line") {}
};

TEST_F(CommandLine, UsageErrorsAreOneLineWithStatus2) {
  for (const std::string bad : {"", "nonsense", "emd", "emd --bogus", "vae train --max-rows 3", "data split",
                                "otus train --max-epochs -1", "vae baseline --seed -5 x --out y"}) {
    const Outcome outcome = otae(bad);
    EXPECT_EQ(outcome.status, 2) << "otae " << bad << ": " << outcome.output;
    EXPECT_EQ(outcome.diagnostics.rfind("otae: error: ", 0), 0u) << outcome.diagnostics;
    EXPECT_EQ(lines(outcome.diagnostics), 1) << outcome.diagnostics;
    EXPECT_NE(outcome.diagnostics.find("--help"), std::string::npos) << outcome.diagnostics;
    EXPECT_EQ(outcome.results, "");
  }
}

TEST_F(CommandLine, BadInputIsOneLineWithStatus1) {
  const std::string text = folder_ / "notes.txt";
  std::ofstream(text) << "not HDF5\n";
  const Outcome outcome = otae("data inspect " + text);
  EXPECT_EQ(outcome.status, 1);
  EXPECT_EQ(outcome.diagnostics.rfind("otae: error: " + text, 0), 0u) << outcome.diagnostics;
  EXPECT_EQ(lines(outcome.diagnostics), 1) << outcome.diagnostics;
}

TEST_F(CommandLine, HelpGoesToStdoutAndListsTheExitStatuses) {
  for (const std::string command : {"--help", "vae train --help", "otus train --help"}) {
    const Outcome help = otae(command);
    EXPECT_EQ(help.status, 0);
    EXPECT_EQ(help.diagnostics, "");
    EXPECT_NE(help.results.find("Exit status: 0 done; 1 bad input"), std::string::npos) << help.results;
  }
  const Outcome train = otae("otus train --help");
  EXPECT_NE(train.results.find("--set"), std::string::npos);
  EXPECT_NE(train.results.find("KEY=VALUE"), std::string::npos);
}

TEST_F(CommandLine, ResultsOnStdoutProgressOnStderr) {
  const Outcome emd = otae("emd " + kSamples + "qcdjets_small.h5 " + kSamples + "qcdjets_small.h5 --max-jets 10 --out " +
                           (folder_ / "d.h5"));
  ASSERT_EQ(emd.status, 0) << emd.output;
  EXPECT_EQ(emd.results.rfind("otae emd: 45 pairs", 0), 0u) << emd.results;
  EXPECT_NE(emd.diagnostics.find("45/45 pairs"), std::string::npos) << emd.diagnostics;
  EXPECT_EQ(emd.diagnostics.find("->"), std::string::npos) << emd.diagnostics;
}

TEST_F(CommandLine, VaeOverridesTakeBothFormsAndStepsCountFromZero) {
  const std::string run = folder_ / "vae";
  const Outcome trained = otae("vae train --data " + kToy + " --out " + run + kShortVae + " --set model.latent_dim=3");
  ASSERT_EQ(trained.status, 0) << trained.output;
  EXPECT_NE(file_text(fs::path(run) / "config.yaml").find("latent_dim: 3"), std::string::npos);
  // β steps 0 and 1, as in beta_schedule.csv and the checkpoint names; losses with their units
  EXPECT_NE(trained.results.find("step 0 (1 of 2) production"), std::string::npos) << trained.results;
  EXPECT_NE(trained.results.find("step 1 (2 of 2) production"), std::string::npos) << trained.results;
  EXPECT_NE(trained.results.find("validation loss"), std::string::npos);
  EXPECT_NE(trained.results.find(" nats, D "), std::string::npos) << trained.results;
  EXPECT_TRUE(fs::exists(fs::path(run) / "checkpoints/production/step_001_beta_hat_1.778279e-01.pt"))
      << "the console's step 1 is the checkpoint's step_001";
}

/// Training steps in one epoch of an OTUS run, as its run.json records them.
int64_t steps_per_epoch(const std::string& run) {
  std::ifstream in(fs::path(run) / "run.json");
  return nlohmann::json::parse(in).at("steps_per_epoch").get<int64_t>();
}

TEST_F(CommandLine, OtusOverridesResumeAndProgressTotals) {
  const std::string run = folder_ / "otus";
  const std::string small = " phases.0.epochs=1 phases.1.epochs=1 loss.slices=20 training.threads=1";
  const Outcome first = otae("otus train" + kShortOtus + " --out " + run + " --max-epochs 1" + small);
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_NE(file_text(fs::path(run) / "config.yaml").find("slices: 20"), std::string::npos);
  EXPECT_NE(first.results.find("continue with --resume " + run), std::string::npos) << first.results;
  // the one epoch this call may run, not the run's two: the total is the work done
  const std::string one_epoch = "otae otus train: " + std::to_string(steps_per_epoch(run)) + "/" +
                                std::to_string(steps_per_epoch(run)) + " steps";
  EXPECT_NE(first.diagnostics.find(one_epoch), std::string::npos) << first.diagnostics;

  const Outcome refused = otae("otus train --resume " + run + kShortOtus);
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.diagnostics.find("drop --config"), std::string::npos) << refused.output;

  const Outcome resumed = otae("otus train --resume " + run);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.results.find(run + " trained"), std::string::npos) << resumed.results;
  EXPECT_NE(resumed.diagnostics.find(one_epoch), std::string::npos) << resumed.diagnostics;
  EXPECT_EQ(lines(file_text(fs::path(run) / "log.csv")), 3);  // header and one row per epoch
}

}  // namespace
