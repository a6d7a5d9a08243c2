// Atomic writes and whole-file reads; see files.hpp.
#include "otae/base/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "otae/base/error.hpp"

namespace otae {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& problem) { throw IoError(path + ": " + problem); }

std::filesystem::path folder_of(const std::string& path) {
  const std::filesystem::path target(path);
  return target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
}

// Creates a new, empty hidden file beside `path` (O_EXCL, so that no other writer, in this
// process or another, gets the same name) and returns its name.
std::string reserve_temporary_beside(const std::string& path) {
  const std::filesystem::path folder = folder_of(path);
  std::error_code ignored;
  if (!std::filesystem::is_directory(folder, ignored))
    fail(path, "cannot be written: folder '" + folder.string() + "' does not exist");
  const std::string stem = "." + std::filesystem::path(path).filename().string() + "." + std::to_string(::getpid());
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string name = (folder / (stem + "." + std::to_string(attempt) + ".tmp")).string();
    const int descriptor = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (descriptor >= 0) {
      ::close(descriptor);
      return name;
    }
    if (errno != EEXIST)
      fail(path, "cannot be written in '" + folder.string() + "' (" + std::strerror(errno) + ")");
  }
  fail(path, "cannot be written: no free temporary name in '" + folder.string() + "'");
}

// fsync of a file or folder by name; false with errno set when it cannot be done.
bool sync_to_disk(const std::string& name, int flags) {
  const int descriptor = ::open(name.c_str(), flags | O_CLOEXEC);
  if (descriptor < 0) return false;
  const bool synced = ::fsync(descriptor) == 0;
  const int error = errno;
  ::close(descriptor);
  errno = error;
  return synced;
}

}  // namespace

void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  const std::string temporary = reserve_temporary_beside(path);
  try {
    write(temporary);
    // Without the flush, the rename could reach the disk before the data, and a crash would
    // publish an empty or partial file under the final name.
    if (!sync_to_disk(temporary, O_RDONLY)) fail(path, std::string("cannot be flushed to disk: ") + std::strerror(errno));
    if (std::rename(temporary.c_str(), path.c_str()) != 0)
      fail(path, std::string("cannot replace the file: ") + std::strerror(errno));
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
  // The rename itself lives in the folder; some file systems refuse fsync on a folder, and the
  // data is safe by now, so a failure here is not an error.
  sync_to_disk(folder_of(path).string(), O_RDONLY | O_DIRECTORY);
}

void write_text_file(const std::string& path, const std::string& text) {
  write_atomically(path, [&](const std::string& temporary) {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) fail(path, "cannot be written");
  });
}

void write_json_file(const std::string& path, const nlohmann::json& value) { write_text_file(path, value.dump(2) + "\n"); }

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json read_json_file(const std::string& path) {
  try {
    return nlohmann::json::parse(read_text_file(path));
  } catch (const nlohmann::json::parse_error& e) {
    throw IoError(path + " is not valid JSON: " + e.what());
  }
}

void create_folder(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) throw IoError("cannot create folder " + path + ": " + error.message());
}

}  // namespace otae
