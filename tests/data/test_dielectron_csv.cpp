// The two-electron CSV reader on CMS Open Data's Zee_Run2011A.csv, and on broken copies of it.
#include "otae/data/dielectron_csv.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "io_test_support.hpp"
#include "otae/physics/kinematics.hpp"

namespace otae::data {
namespace {

using testing::expect_io_error;
using testing::ScratchFolder;
using testing::shared_data;

const std::string kZee = shared_data("external/Zee_Run2011A.csv");
const std::string kHeader = "Run,Event,pt1,eta1,phi1,Q1,pt2,eta2,phi2,Q2";

physics::FourMomentum object(const at::Tensor& row, int64_t k) {
  return {row[4 * k].item<double>(), row[4 * k + 1].item<double>(), row[4 * k + 2].item<double>(),
          row[4 * k + 3].item<double>()};
}

std::string write_csv(const ScratchFolder& folder, const std::string& text) {
  const std::string path = folder.file("events.csv");
  std::ofstream(path) << text;
  return path;
}

TEST(DielectronCsv, ReadsTheCmsFile) {
  const EventTable table = read_dielectron_csv(kZee);
  EXPECT_EQ(table.events_read, 18885);
  EXPECT_EQ(table.events_skipped, 4337);  // same-sign pairs
  ASSERT_EQ(table.events.sizes(), (std::vector<int64_t>{14548, 8}));
  EXPECT_EQ(table.objects, (std::vector<std::string>{"e-", "e+"}));
  // Row 1: electron 1 has Q = −1, so it is the e⁻: pT 37.5667, η 2.28918, φ 2.0526.
  const physics::FourMomentum electron = object(table.events[0], 0), positron = object(table.events[0], 1);
  EXPECT_NEAR(physics::pt(electron), 37.5667, 1e-4);
  EXPECT_NEAR(physics::eta(electron), 2.28918, 1e-5);
  EXPECT_NEAR(physics::phi(positron), -1.16305, 1e-5);
  // Row 2: electron 1 has Q = +1, so the e⁻ is electron 2 (pT 60.5754).
  EXPECT_NEAR(physics::pt(object(table.events[1], 0)), 60.5754, 1e-4);
  EXPECT_NEAR(physics::pt(object(table.events[1], 1)), 36.2901, 1e-4);
}

TEST(DielectronCsv, ElectronsAreMasslessAndPeakAtTheZ) {
  const at::Tensor events = read_dielectron_csv(kZee).events.to(at::kDouble);
  const at::Tensor blocks = events.reshape({-1, 2, 4});
  const at::Tensor p2 = blocks.narrow(2, 0, 3).square().sum(2);
  const at::Tensor e2 = blocks.select(2, 3).square();
  EXPECT_LT(((e2 - p2).abs() / e2).max().item<double>(), 1e-5);
  const at::Tensor pair = blocks.sum(1);
  const at::Tensor mass = (pair.select(1, 3).square() - pair.narrow(1, 0, 3).square().sum(1)).clamp_min(0).sqrt();
  EXPECT_NEAR(mass.median().item<double>(), 91.0, 2.0);
}

TEST(DielectronCsv, BadRowsAreNamedByLineAndColumn) {
  const ScratchFolder folder;
  std::string path = write_csv(folder, "Run,Event,pt1,eta1,phi1,Q1,pt2,eta2,phi2\n1,2,30,0,0,-1,40,0,1\n");
  expect_io_error([&] { read_dielectron_csv(path); }, {path, "line 1", "no column 'Q2'"});
  path = write_csv(folder, kHeader + "\n1,2,30,0,0,-1,40,0,1,1\n1,3,30,x,0,-1,40,0,1,1\n");
  expect_io_error([&] { read_dielectron_csv(path); }, {path, "line 3", "column 'eta1'", "'x' is not a finite number"});
  path = write_csv(folder, kHeader + "\n1,2,30,0,0,-1,40,0,1,1\n1,3,30,0,0\n");
  expect_io_error([&] { read_dielectron_csv(path); }, {path, "line 3 has 5 fields"});
  path = write_csv(folder, kHeader + "\n1,2,30,0,0,0,40,0,1,1\n");
  expect_io_error([&] { read_dielectron_csv(path); }, {path, "line 2", "'Q1'", "not +1 or -1"});
  path = write_csv(folder, kHeader + "\n1,2,30,0,0,-1,nan,0,1,1\n");
  expect_io_error([&] { read_dielectron_csv(path); }, {path, "line 2", "'pt2'", "not a finite number"});
  path = write_csv(folder, kHeader + "\n1,2,-30,0,0,-1,40,0,1,1\n");
  expect_io_error([&] { read_dielectron_csv(path); }, {path, "line 2", "'pt1'", "not positive"});
  path = write_csv(folder, "");
  expect_io_error([&] { read_dielectron_csv(path); }, {path, "empty"});
  expect_io_error([&] { read_dielectron_csv(folder.file("none.csv")); }, {"none.csv", "no such file"});
}

// The format is strict: a quote is refused by file, line and field, never split around.
TEST(DielectronCsv, QuotedFieldsAreRefusedByLineAndField) {
  const ScratchFolder folder;
  std::string path = write_csv(folder, kHeader + "\n1,2,30,0,0,-1,40,0,1,1\n1,3,\"30\",0,0,-1,40,0,1,1\n");
  expect_io_error([&] { read_dielectron_csv(path); }, {path, "line 3", "field 3 ('pt1')", "quoted"});
  path = write_csv(folder, "Run,\"Event\",pt1,eta1,phi1,Q1,pt2,eta2,phi2,Q2\n");
  expect_io_error([&] { read_dielectron_csv(path); }, {path, "line 1", "field 2", "quoted"});
}

}  // namespace
}  // namespace otae::data
