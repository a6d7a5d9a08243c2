// `otae emd` as a user runs it: inputs are never overwritten, counts are checked, units are read
// from the files, the symmetric Sinkhorn matrix computes each pair once, --centre centres.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "otae/data/hdf5.hpp"
#include "../support/run_otae.hpp"
#include "../support/temporary_folder.hpp"

namespace {

namespace fs = std::filesystem;
using otae::testing::CommandTest;
using otae::testing::Outcome;
using otae::testing::run_otae;

const std::string kJets = std::string(OTAE_SOURCE_DIR) + "/samples/wjets_small.h5";

class EmdCommand : public CommandTest {
 protected:
  EmdCommand() : CommandTest("emd_command") {}
  void SetUp() override {
    CommandTest::SetUp();
    if (IsSkipped()) return;
    fs::copy_file(kJets, jets_);
  }
  /// The first `rows` jets of the sample, pT as the columns attribute says, (η, φ) shifted.
  std::string jets_file(const std::string& name, at::Tensor particles, const std::string& pt_column) const {
    const std::string path = folder_ / name;
    otae::data::write_arrays(path, {{"particles", particles, {}, {{"columns", {pt_column, "eta", "phi"}}}}});
    return path;
  }
  static at::Tensor first_jets(int64_t rows) {
    return otae::data::read_array(kJets, "particles").narrow(0, 0, rows).clone();
  }

  std::string jets_ = folder_ / "jets.h5";
};

TEST_F(EmdCommand, RefusesToWriteOverAnInputAlsoThroughALink) {
  const auto size = fs::file_size(jets_);
  const Outcome same = run_otae("emd " + jets_ + " " + jets_ + " --max-jets 5 --out " + jets_, folder_.path());
  EXPECT_EQ(same.status, 1);
  EXPECT_EQ(same.diagnostics, "otae: error: --out " + jets_ + " is the input " + jets_ +
                                  " (the same file): writing it would replace the input; choose another output path\n");
  const std::string link = folder_ / "link.h5";
  fs::create_symlink(jets_, link);
  const Outcome linked = run_otae("emd " + jets_ + " " + jets_ + " --max-jets 5 --out " + link, folder_.path());
  EXPECT_EQ(linked.status, 1) << linked.output;
  EXPECT_NE(linked.diagnostics.find("would replace the input"), std::string::npos) << linked.output;
  EXPECT_EQ(fs::file_size(jets_), size);
  EXPECT_EQ(otae::data::read_array(jets_, "particles").size(0), 4000);
}

TEST_F(EmdCommand, NegativeOrZeroValuesAreUsageErrors) {
  for (const std::string bad : {"--max-jets -5", "--threads -1", "--R 0", "--beta -1"}) {
    const Outcome outcome = run_otae("emd " + jets_ + " " + jets_ + " " + bad + " --out " + (folder_ / "d.h5"), folder_.path());
    EXPECT_EQ(outcome.status, 2) << bad << ": " << outcome.output;
    EXPECT_EQ(outcome.diagnostics.rfind("otae: error: " + bad.substr(0, bad.find(' ')), 0), 0u) << outcome.diagnostics;
    EXPECT_EQ(std::count(outcome.diagnostics.begin(), outcome.diagnostics.end(), '\n'), 1) << outcome.diagnostics;
    EXPECT_FALSE(fs::exists(folder_ / "d.h5"));
  }
}

TEST_F(EmdCommand, RefusesMixedUnitsAndLabelsTheResult) {
  at::Tensor fractions = first_jets(6);
  fractions.select(2, 0).div_(fractions.select(2, 0).sum(1, true));
  const std::string decoded = jets_file("decoded.h5", fractions, "pt_over_ht");
  const std::string out = folder_ / "d.h5";
  const Outcome mixed = run_otae("emd " + decoded + " " + jets_ + " --max-jets 6 --out " + out, folder_.path());
  EXPECT_EQ(mixed.status, 1);
  EXPECT_NE(mixed.diagnostics.find("pT/HT"), std::string::npos) << mixed.output;
  EXPECT_NE(mixed.diagnostics.find("--norm"), std::string::npos) << mixed.output;
  EXPECT_FALSE(fs::exists(out));

  ASSERT_EQ(run_otae("emd " + decoded + " " + jets_ + " --max-jets 6 --norm --out " + out, folder_.path()).status, 0);
  EXPECT_EQ(otae::data::read_attributes(out, "distances").at("units"), "Delta R / R (pT normalised to 1 per jet)");
  ASSERT_EQ(run_otae("emd " + decoded + " " + decoded + " --out " + out, folder_.path()).status, 0);
  EXPECT_EQ(otae::data::read_attributes(out, "distances").at("units"), "HT (pT/HT-weighted Delta R / R)");
  ASSERT_EQ(run_otae("emd " + jets_ + " " + jets_ + " --max-jets 6 --out " + out, folder_.path()).status, 0);
  EXPECT_EQ(otae::data::read_attributes(out, "distances").at("units"), "GeV (pT-weighted Delta R / R)");
}

TEST_F(EmdCommand, SymmetricSinkhornComputesEachPairOnceAndMirrors) {
  const std::string out = folder_ / "s.h5";
  const Outcome outcome =
      run_otae("emd " + jets_ + " " + jets_ + " --method sinkhorn --max-jets 30 --out " + out, folder_.path());
  ASSERT_EQ(outcome.status, 0) << outcome.output;
  EXPECT_NE(outcome.diagnostics.find("435/435 pairs"), std::string::npos) << outcome.diagnostics;  // 30·29/2
  EXPECT_NE(outcome.results.find("otae emd: 435 pairs"), std::string::npos) << outcome.results;
  const at::Tensor d = otae::data::read_array(out, "distances");
  ASSERT_EQ(d.sizes(), (std::vector<int64_t>{30, 30}));
  EXPECT_TRUE(at::equal(d, d.t()));
  EXPECT_EQ(d.diagonal().abs().max().item<double>(), 0.0);
  EXPECT_GT(d.min().item<double>() + d.max().item<double>(), 0.0);

  // the upper triangle is what the matrix of A against a copy of A computes pair by pair
  const std::string copy = folder_ / "copy.h5", full = folder_ / "full.h5";
  fs::copy_file(jets_, copy);
  ASSERT_EQ(run_otae("emd " + jets_ + " " + copy + " --method sinkhorn --max-jets 30 --out " + full, folder_.path()).status, 0);
  const at::Tensor upper = at::ones({30, 30}, at::kBool).triu(1);
  EXPECT_TRUE(at::allclose(d.masked_select(upper), otae::data::read_array(full, "distances").masked_select(upper), 1e-12, 0));
}

TEST_F(EmdCommand, CentreRemovesEachJetsPosition) {
  at::Tensor moved = first_jets(20);
  const at::Tensor real = moved.select(2, 0) > 0;
  moved.select(2, 1).add_(0.4 * real);
  at::Tensor phi = moved.select(2, 2);
  phi.copy_(at::atan2(at::sin(phi + 0.3), at::cos(phi + 0.3)) * real);  // rotated, wrapped into [-pi, pi]
  const std::string shifted = jets_file("shifted.h5", moved, "pt_GeV");
  const std::string plain = folder_ / "plain.h5", centred = folder_ / "centred.h5";
  const std::string pairs = " --paired --max-jets 20 --out ";
  ASSERT_EQ(run_otae("emd " + jets_ + " " + shifted + pairs + plain, folder_.path()).status, 0);
  ASSERT_EQ(run_otae("emd " + jets_ + " " + shifted + " --centre" + pairs + centred, folder_.path()).status, 0);
  EXPECT_GT(otae::data::read_array(plain, "distances").min().item<double>(), 50.0);  // 500 GeV moved by 0.5
  EXPECT_LT(otae::data::read_array(centred, "distances").max().item<double>(), 1e-2);
  EXPECT_EQ(otae::data::read_attributes(centred).at("centre"), "true");
}

TEST_F(EmdCommand, HelpSaysWhatTheDefaultsDo) {
  const Outcome help = run_otae("emd --help", folder_.path());
  EXPECT_EQ(help.status, 0);
  for (const std::string said : {"--centre", "not centred", "periodic_phi=False", "EnergyFlow", "Exit status"})
    EXPECT_NE(help.results.find(said), std::string::npos) << said << " in\n" << help.results;
}

}  // namespace
