// Helpers shared by the file-format tests: a scratch folder per test and an assertion that an
// IoError names what it should.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <unistd.h>

#include "otae/base/error.hpp"

namespace otae::data::testing {

inline std::string shared_data(const std::string& relative) { return std::string(OTAE_SHARED_DATA) + "/" + relative; }

/// A fresh empty folder, removed with everything in it when the object goes out of scope.
class ScratchFolder {
 public:
  ScratchFolder() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("otae-data-" + std::to_string(getpid()) + "-" + test->test_suite_name() + "-" + test->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchFolder() { std::filesystem::remove_all(path_); }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// Names of the files in the folder, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::filesystem::path path_;
};

/// Copies the first `bytes` bytes of `source` to `destination` (a truncated download).
inline void copy_prefix(const std::string& source, const std::string& destination, std::size_t bytes) {
  std::ifstream in(source, std::ios::binary);
  std::vector<char> buffer(bytes);
  in.read(buffer.data(), static_cast<std::streamsize>(bytes));
  std::ofstream(destination, std::ios::binary).write(buffer.data(), in.gcount());
}

/// Runs `action`, expects an IoError, and checks that its message contains every fragment.
inline void expect_io_error(const std::function<void()>& action, const std::vector<std::string>& fragments) {
  try {
    action();
    ADD_FAILURE() << "expected otae::IoError, nothing was thrown";
  } catch (const IoError& error) {
    const std::string message = error.what();
    for (const std::string& fragment : fragments)
      EXPECT_NE(message.find(fragment), std::string::npos) << "'" << fragment << "' missing from: " << message;
  }
}

}  // namespace otae::data::testing
