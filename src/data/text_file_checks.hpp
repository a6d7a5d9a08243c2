// Checks shared by the readers of text event files (HepMC, LHE, CSV): the file is there, and
// it was written to the end (generators close it with a known line).
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "otae/base/error.hpp"

namespace otae::data::detail {

/// Throws IoError naming `path` when it is missing, a folder, or unreadable.
inline void require_readable_file(const std::string& path) {
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) throw IoError(path + ": no such file");
  if (std::filesystem::is_directory(path, ignored)) throw IoError(path + ": is a directory, not a file");
  if (!std::ifstream(path)) throw IoError(path + ": cannot be opened for reading");
}

/// True when the last 64 KiB of `path` contain `marker` (e.g. "</LesHouchesEvents>"); writers
/// may add lines after it (POWHEG appends its random-number state).
inline bool tail_contains(const std::string& path, const std::string& marker) {
  constexpr std::streamoff kTail = 1 << 16;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::streamoff size = in.tellg();
  const std::streamoff tail = std::min(size, kTail);
  std::string text(static_cast<std::size_t>(tail), '\0');
  in.seekg(size - tail);
  in.read(text.data(), tail);
  return text.find(marker) != std::string::npos;
}

}  // namespace otae::data::detail
