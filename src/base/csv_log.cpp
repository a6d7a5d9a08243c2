// Epoch logs; see csv_log.hpp.
#include "otae/base/csv_log.hpp"

#include <cmath>
#include <fstream>

#include "otae/base/error.hpp"

namespace otae {

namespace {

std::string header_of(const std::vector<std::string>& columns) {
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i) line += (i ? "," : "") + columns[i];
  return line;
}

/// The first line of an existing, non-empty file; "" otherwise.
std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

CsvLog::CsvLog(const std::string& path, std::vector<std::string> columns, bool append)
    : path_(path), columns_(std::move(columns)) {
  if (append) {
    const std::string found = first_line(path);
    if (!found.empty() && found != header_of(columns_))
      throw IoError("cannot append to log " + path + ": its columns are '" + found + "', this version of otae writes '" +
                    header_of(columns_) + "'; move the old log aside to continue the run");
  }
  file_ = std::fopen(path.c_str(), append ? "a" : "w");
  if (!file_) throw IoError("cannot open log " + path);
  std::fseek(file_, 0, SEEK_END);
  if (std::ftell(file_) == 0) {
    std::fprintf(file_, "%s\n", header_of(columns_).c_str());
    std::fflush(file_);
  }
}

CsvLog::~CsvLog() {
  if (file_) std::fclose(file_);
}

void CsvLog::write_row(const std::vector<double>& values) {
  if (values.size() != columns_.size())
    throw InvalidArgument("CsvLog " + path_ + ": " + std::to_string(values.size()) + " values for " +
                          std::to_string(columns_.size()) + " columns");
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) std::fputc(',', file_);
    if (!std::isnan(values[i])) std::fprintf(file_, "%.8g", values[i]);
  }
  std::fputc('\n', file_);
  if (std::fflush(file_) != 0) throw IoError("cannot write log " + path_);
}

}  // namespace otae
