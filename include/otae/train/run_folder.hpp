// A run folder holds everything a run needs to be reproduced, resumed and reported: the resolved
// configuration, checkpoints, per-epoch CSV logs and per-phase JSON. Every file is written
// atomically (temporary file beside it, then rename), so a killed run never leaves half a file.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace otae::train {

/// Creates `path` (and its parents) when missing. Throws IoError naming the folder on failure.
void make_run_folder(const std::string& path);

/// Calls write(temporary) with a path beside `path`, then renames the temporary onto `path`.
/// If write throws or the rename fails, the temporary is removed and `path` is left as it was.
/// Throws IoError naming `path` when the rename fails; rethrows what `write` throws.
void write_atomically(const std::string& path, const std::function<void(const std::string& temporary)>& write);

/// Writes `text` to `path` atomically. Throws IoError naming the file.
void write_text_file(const std::string& path, const std::string& text);

/// Writes `value` as indented JSON to `path` atomically. Throws IoError naming the file.
void write_json_file(const std::string& path, const nlohmann::json& value);

/// Reads a whole text file. Throws IoError naming the file when it cannot be read.
std::string read_text_file(const std::string& path);

/// One CSV row per epoch: a header line, then rows appended and flushed one at a time, so that a
/// notebook can read the log of a running job.
class CsvLog {
 public:
  /// Opens `path`; `append` keeps its rows (a resumed run) and writes the header only to a new
  /// or empty file. Throws IoError naming the file.
  CsvLog(const std::string& path, std::vector<std::string> columns, bool append);
  ~CsvLog();
  CsvLog(const CsvLog&) = delete;
  CsvLog& operator=(const CsvLog&) = delete;

  /// Writes one row; values are printed with 8 significant digits, NaN as an empty cell.
  /// Throws InvalidArgument unless there is one value per column.
  void write_row(const std::vector<double>& values);

 private:
  std::string path_;
  std::vector<std::string> columns_;
  std::FILE* file_ = nullptr;
};

}  // namespace otae::train
