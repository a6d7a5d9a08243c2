// The epoch log: header once, rows appended on resume, and no rows appended under a header of
// other columns (a log of another version), which would misalign them.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../support/error_message.hpp"
#include "otae/base/csv_log.hpp"
#include "otae/base/error.hpp"

namespace otae {
namespace {

std::string text_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CsvLog, AppendsUnderItsOwnHeaderAndRefusesAnother) {
  const std::string path = (std::filesystem::temp_directory_path() / "otae_test_csv_log.csv").string();
  std::filesystem::remove(path);
  { CsvLog(path, {"epoch", "loss"}, false).write_row({0, 1.5}); }
  { CsvLog(path, {"epoch", "loss"}, true).write_row({1, std::nan("")}); }
  EXPECT_EQ(text_of(path), "epoch,loss\n0,1.5\n1,\n");
  const std::string message =
      testing::message_of<IoError>([&] { CsvLog(path, {"epoch", "loss", "transport"}, true); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("'epoch,loss'"), std::string::npos) << message;
  EXPECT_EQ(text_of(path), "epoch,loss\n0,1.5\n1,\n");  // untouched
  { CsvLog(path, {"epoch", "loss", "transport"}, false); }  // a new run replaces it
  EXPECT_EQ(text_of(path), "epoch,loss,transport\n");
}

}  // namespace
}  // namespace otae
