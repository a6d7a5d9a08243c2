// A CSV log that grows one row per epoch while a job runs, so that a notebook can read it at any
// time; unlike the other files otae writes it is appended to, not replaced.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace otae {

/// A header line, then rows appended and flushed one at a time.
class CsvLog {
 public:
  /// Opens `path`; `append` keeps its rows (a resumed run) and writes the header only to a new
  /// or empty file. Throws IoError naming the file, also when `append` finds a header other than
  /// `columns` (a log written by another version), whose rows the new ones would misalign.
  CsvLog(const std::string& path, std::vector<std::string> columns, bool append);
  ~CsvLog();
  CsvLog(const CsvLog&) = delete;
  CsvLog& operator=(const CsvLog&) = delete;

  /// Writes one row; values are printed with 8 significant digits, NaN as an empty cell.
  /// Throws InvalidArgument unless there is one value per column, IoError when the write fails.
  void write_row(const std::vector<double>& values);

 private:
  std::string path_;
  std::vector<std::string> columns_;
  std::FILE* file_ = nullptr;
};

}  // namespace otae
