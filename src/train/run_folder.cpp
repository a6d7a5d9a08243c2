// Run-folder files; see run_folder.hpp.
#include "otae/train/run_folder.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "otae/base/error.hpp"

namespace otae::train {

void make_run_folder(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) throw IoError("cannot create run folder " + path + ": " + error.message());
}

void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  try {
    write(temporary);
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw IoError("cannot write " + path + " (rename of the temporary file failed)");
  }
}

void write_text_file(const std::string& path, const std::string& text) {
  write_atomically(path, [&](const std::string& temporary) {
    std::ofstream out(temporary, std::ios::binary);
    out << text;
    out.close();
    if (!out) throw IoError("cannot write " + path);
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

}  // namespace otae::train
