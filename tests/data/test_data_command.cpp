// `otae data` as a user runs it: nothing written over an input, no silently empty output, LHE
// resonances and weights, mixed and split files that keep what their sources said.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "otae/data/hdf5.hpp"
#include "io_test_support.hpp"
#include "../support/run_otae.hpp"
#include "../support/temporary_folder.hpp"

namespace {

namespace fs = std::filesystem;
using otae::testing::CommandTest;
using otae::testing::Outcome;

const std::string kSamples = std::string(OTAE_SOURCE_DIR) + "/samples/";
const std::string kTtbarLhe = otae::data::testing::shared_data("external/pylhe-testfile-pythia-6.413-ttbar.lhe");

class DataCommand : public CommandTest {
 protected:
  DataCommand() : CommandTest("data_command") {}
};

TEST_F(DataCommand, LheSelectionThatMatchesNothingIsAnErrorUnlessAskedFor) {
  const std::string out = folder_ / "tops.h5";
  const Outcome outgoing = otae("data from-lhe " + kTtbarLhe + " --objects 6,-6 --out " + out);
  EXPECT_EQ(outgoing.status, 1);
  EXPECT_NE(outgoing.diagnostics.find("--intermediate"), std::string::npos) << outgoing.output;
  EXPECT_FALSE(fs::exists(out));

  ASSERT_EQ(otae("data from-lhe " + kTtbarLhe + " --objects 6,-6 --allow-empty --out " + out).status, 0);
  EXPECT_EQ(otae::data::read_array(out, "z").size(0), 0);

  const Outcome tops = otae("data from-lhe " + kTtbarLhe + " --objects 6,-6 --intermediate --out " + out);
  ASSERT_EQ(tops.status, 0) << tops.output;
  EXPECT_EQ(otae::data::read_array(out, "z").sizes(), (std::vector<int64_t>{100, 8}));
  const at::Tensor weights = otae::data::read_array(out, "weight");
  EXPECT_EQ(weights.sizes(), (std::vector<int64_t>{100}));
  EXPECT_EQ(weights.scalar_type(), at::kDouble);
  EXPECT_EQ(otae::data::read_attributes(out).at("weighting_strategy"), "3");
}

TEST_F(DataCommand, EveryConverterRefusesToWriteOverItsInput) {
  const std::string lhe = folder_ / "events.lhe";
  fs::copy_file(kTtbarLhe, lhe);
  const auto size = fs::file_size(lhe);
  for (const std::string command : {"from-lhe " + lhe + " --objects 5,-5", "from-hepmc " + lhe, "from-csv " + lhe}) {
    const Outcome outcome = otae("data " + command + " --out " + lhe);
    EXPECT_EQ(outcome.status, 1) << command;
    EXPECT_NE(outcome.diagnostics.find("would replace the input"), std::string::npos) << outcome.output;
  }
  EXPECT_EQ(fs::file_size(lhe), size);

  const std::string jets = folder_ / "x.train.h5";
  fs::copy_file(kSamples + "qcdjets_small.h5", jets);
  const Outcome split = otae("data split " + jets + " --out-prefix " + (folder_ / "x"));
  EXPECT_EQ(split.status, 1);
  EXPECT_NE(split.diagnostics.find("would replace the input"), std::string::npos) << split.output;
  EXPECT_EQ(otae::data::read_array(jets, "particles").size(0), 2000);
  const Outcome mix = otae("data mix " + jets + " " + kSamples + "topjets_small.h5 --out " + jets);
  EXPECT_EQ(mix.status, 1);
  EXPECT_EQ(otae::data::read_array(jets, "particles").size(0), 2000);
}

TEST_F(DataCommand, OutOfRangeValuesAreOneLineUsageErrors) {
  const std::string jets = kSamples + "qcdjets_small.h5";
  for (const std::string bad : {"split " + jets + " --fractions 0.8,-0.1,0.3", "split " + jets + " --seed -5",
                                "mix " + jets + " " + jets + " --rows-per-file -3 --out m.h5",
                                std::string("from-hepmc in.hepmc --max-events -5 --out j.h5")}) {
    const Outcome outcome = otae("data " + bad);
    EXPECT_EQ(outcome.status, 2) << bad << ": " << outcome.output;
    EXPECT_EQ(outcome.diagnostics.rfind("otae: error: --", 0), 0u) << outcome.diagnostics;
    EXPECT_EQ(std::count(outcome.diagnostics.begin(), outcome.diagnostics.end(), '\n'), 1) << outcome.diagnostics;
  }
}

TEST_F(DataCommand, MixKeepsColumnListsAndTruth) {
  const std::string out = folder_ / "mixed.h5";
  const Outcome mix = otae("data mix " + kSamples + "topjets_small.h5 " + kSamples + "qcdjets_small.h5 --rows-per-file 50 --seed 3 --out " + out);
  ASSERT_EQ(mix.status, 0) << mix.output;
  EXPECT_EQ(otae::data::read_list_attributes(out, "particles").at("columns"),
            (std::vector<std::string>{"pt_GeV", "eta", "phi"}));
  EXPECT_EQ(otae::data::read_list_attributes(out, "jet").at("columns").front(), "pt_GeV");
  // top and QCD truth name different partons: their column names are kept per label
  const at::Tensor truth = otae::data::read_array(out, "truth"), label = otae::data::read_array(out, "label");
  ASSERT_EQ(truth.sizes(), (std::vector<int64_t>{100, 9}));
  const auto truth_lists = otae::data::read_list_attributes(out, "truth");
  EXPECT_EQ(truth_lists.at("columns_label_0").front(), "top_pt_GeV");
  EXPECT_EQ(truth_lists.at("columns_label_1").front(), "parton_pt_GeV");
  // each truth row stays with its jet: label-0 rows are the first 50 (jet, truth) rows of the top file
  auto sorted_rows = [](const at::Tensor& rows) { return rows.index_select(0, std::get<1>(rows.select(1, 0).sort())); };
  const at::Tensor tops = (label == 0).nonzero().squeeze(1);
  const at::Tensor mixed_rows = at::cat({otae::data::read_array(out, "jet"), truth}, 1).index_select(0, tops);
  const std::string top_file = kSamples + "topjets_small.h5";
  const at::Tensor source_rows =
      at::cat({otae::data::read_array(top_file, "jet"), otae::data::read_array(top_file, "truth")}, 1).narrow(0, 0, 50);
  EXPECT_TRUE(at::equal(sorted_rows(mixed_rows), sorted_rows(source_rows)));
}

TEST_F(DataCommand, SplitPartsCarryTheirOwnProvenance) {
  const std::string jets = folder_ / "w.h5";
  fs::copy_file(kSamples + "wjets_small.h5", jets);
  ASSERT_EQ(otae("data split " + jets + " --fractions 0.5,0.25,0.25 --seed 1").status, 0);
  const auto attributes = otae::data::read_attributes(folder_ / "w.train.h5");
  EXPECT_EQ(attributes.count("made_by"), 0u);
  EXPECT_EQ(attributes.at("source_made_by"), "scripts/make_embedded_sample.py");
  EXPECT_EQ(attributes.at("command_line").rfind("otae data split ", 0), 0u) << attributes.at("command_line");
  EXPECT_EQ(attributes.at("rows"), "2000");
}

}  // namespace
