// Epoch logs; see csv_log.hpp.
#include "otae/base/csv_log.hpp"

#include <cmath>

#include "otae/base/error.hpp"

namespace otae {

CsvLog::CsvLog(const std::string& path, std::vector<std::string> columns, bool append)
    : path_(path), columns_(std::move(columns)) {
  file_ = std::fopen(path.c_str(), append ? "a" : "w");
  if (!file_) throw IoError("cannot open log " + path);
  std::fseek(file_, 0, SEEK_END);
  if (std::ftell(file_) == 0) {
    for (size_t i = 0; i < columns_.size(); ++i) std::fprintf(file_, "%s%s", i ? "," : "", columns_[i].c_str());
    std::fprintf(file_, "\n");
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
