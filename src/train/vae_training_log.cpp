#include "otae/train/vae_training_log.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "otae/base/decimal.hpp"
#include "otae/base/error.hpp"
#include "otae/base/files.hpp"

namespace otae::train {

namespace {


void append_line(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << line << '\n';
  out.flush();
  if (!out) throw IoError("cannot append to " + path);
}

/// The complete lines of a file (a last line without its newline was torn by a kill).
std::vector<std::string> complete_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> lines;
  std::string content = text.str(), line;
  size_t start = 0;
  for (size_t end; (end = content.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(content.substr(start, end - start));
  return lines;
}

/// The step of an epochs.csv row, or −1 when the row cannot be read.
int64_t csv_step(const std::string& row) {
  try {
    size_t used = 0;
    const int64_t step = std::stoll(row, &used);
    return used < row.size() && row[used] == ',' ? step : -1;
  } catch (const std::exception&) {
    return -1;
  }
}

int64_t json_step(const std::string& line) {
  const auto object = nlohmann::json::parse(line, nullptr, false);
  return object.is_object() && object.contains("step") && object["step"].is_number_integer()
             ? object["step"].get<int64_t>()
             : -1;
}

}  // namespace

std::string epoch_log_header() {
  return "step,attempt,phase,beta_hat,beta_GeV,epoch,learning_rate,loss,distortion,kl,val_loss,val_distortion,val_kl,"
         "seconds";
}

std::string epoch_log_row(const EpochRecord& r) {
  std::ostringstream row;
  row << r.step << ',' << r.attempt << ',' << to_string(r.phase) << ',' << shortest_decimal(r.beta_hat) << ','
      << shortest_decimal(r.beta) << ',' << r.epoch << ',' << shortest_decimal(r.learning_rate) << ','
      << shortest_decimal(r.loss) << ',' << shortest_decimal(r.distortion) << ',' << shortest_decimal(r.kl) << ','
      << shortest_decimal(r.validation_loss) << ',' << shortest_decimal(r.validation_distortion) << ','
      << shortest_decimal(r.validation_kl) << ',' << shortest_decimal(r.seconds);
  return row.str();
}

std::string step_log_line(const BetaStepRecord& r) {
  nlohmann::ordered_json object;
  object["step"] = r.step;
  object["phase"] = to_string(r.phase);
  object["beta_hat"] = r.beta_hat;
  object["beta_GeV"] = r.beta;
  object["epochs"] = r.epochs;
  object["stopped_by"] = r.stopped_early ? "early_stopping" : "epoch_cap";
  object["attempts"] = r.attempts;
  object["learning_rate"] = r.learning_rate;
  object["val_loss"] = r.validation_loss;
  object["val_distortion"] = r.validation_distortion;
  object["val_kl"] = r.validation_kl;
  object["kl_per_dim"] = r.kl_per_dim;
  if (!r.binary_kl_per_dim.empty()) object["binary_kl_per_dim"] = r.binary_kl_per_dim;
  if (!r.circular_kl_per_dim.empty()) object["circular_kl_per_dim"] = r.circular_kl_per_dim;
  object["seconds"] = r.seconds;
  return object.dump();
}

void append_epoch(const VaeRunFolder& folder, const EpochRecord& record) {
  if (!std::filesystem::exists(folder.epoch_log())) append_line(folder.epoch_log(), epoch_log_header());
  append_line(folder.epoch_log(), epoch_log_row(record));
}

void append_step(const VaeRunFolder& folder, const BetaStepRecord& record) {
  append_line(folder.step_log(), step_log_line(record));
}

void truncate_logs(const VaeRunFolder& folder, int64_t completed_steps) {
  auto keep = [&](int64_t step) { return step >= 0 && step < completed_steps; };
  std::string epochs = epoch_log_header() + "\n";
  for (const auto& row : complete_lines(folder.epoch_log()))
    if (keep(csv_step(row))) epochs += row + "\n";
  write_text_file(folder.epoch_log(), epochs);
  std::string steps;
  for (const auto& line : complete_lines(folder.step_log()))
    if (keep(json_step(line))) steps += line + "\n";
  write_text_file(folder.step_log(), steps);
}

}  // namespace otae::train
