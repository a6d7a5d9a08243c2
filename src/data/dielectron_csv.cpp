#include "otae/data/dielectron_csv.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>

#include "otae/base/error.hpp"
#include "otae/physics/kinematics.hpp"
#include "text_file_checks.hpp"

namespace otae::data {
namespace {

// The columns read for each electron, with their suffix 1 or 2.
constexpr std::array<const char*, 4> kElectronColumns = {"pt", "eta", "phi", "Q"};

// The fields of line `number`, blanks around each trimmed. The format is strict (see
// dielectron_csv.hpp): a quote is refused rather than guessed at, since a quoted comma would
// otherwise shift every later field into the wrong column. `header` names the fields of data
// lines (empty while the header itself is read).
std::vector<std::string> split_fields(const std::string& line, const std::string& path, int64_t number,
                                      const std::vector<std::string>& header) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, ',')) {
    field.erase(0, field.find_first_not_of(" \t"));
    field.erase(field.find_last_not_of(" \t\r") + 1);
    if (field.find('"') != std::string::npos) {
      const std::size_t k = fields.size();
      throw IoError(path + ": line " + std::to_string(number) + ", field " + std::to_string(k + 1) +
                    (k < header.size() ? " ('" + header[k] + "')" : "") + ": " + field +
                    " is quoted; the reader takes plain comma-separated values without quotes (as CMS Open "
                    "Data's Zee_Run2011A.csv): remove the quotes");
    }
    fields.push_back(field);
  }
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

// Where each needed column sits in a row: [electron][pt, eta, phi, Q].
using ColumnIndex = std::array<std::array<std::size_t, 4>, 2>;

ColumnIndex locate_columns(const std::vector<std::string>& header, const std::string& path) {
  ColumnIndex index{};
  for (int electron = 0; electron < 2; ++electron)
    for (std::size_t k = 0; k < kElectronColumns.size(); ++k) {
      const std::string name = kElectronColumns[k] + std::to_string(electron + 1);
      const auto found = std::find(header.begin(), header.end(), name);
      if (found == header.end())
        throw IoError(path + ": line 1: no column '" + name + "' in the header; expected pt1, eta1, phi1, Q1, "
                      "pt2, eta2, phi2, Q2 (as in CMS Open Data's Zee_Run2011A.csv)");
      index[electron][k] = static_cast<std::size_t>(found - header.begin());
    }
  return index;
}

double parse_value(const std::string& text, const std::string& path, int64_t line, const std::string& column) {
  std::size_t used = 0;
  double value = NAN;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(value))
    throw IoError(path + ": line " + std::to_string(line) + ", column '" + column + "': '" + text +
                  "' is not a finite number");
  return value;
}

struct Electron {
  physics::FourMomentum p;
  double charge;
};

Electron parse_electron(const std::vector<std::string>& fields, const std::array<std::size_t, 4>& at_column,
                        int number, const std::string& path, int64_t line) {
  std::array<double, 4> v{};
  for (std::size_t k = 0; k < v.size(); ++k)
    v[k] = parse_value(fields[at_column[k]], path, line, kElectronColumns[k] + std::to_string(number));
  if (v[0] <= 0.0)
    throw IoError(path + ": line " + std::to_string(line) + ", column 'pt" + std::to_string(number) + "': pT " +
                  fields[at_column[0]] + " GeV is not positive");
  if (std::abs(v[3]) != 1.0)
    throw IoError(path + ": line " + std::to_string(line) + ", column 'Q" + std::to_string(number) + "': charge " +
                  fields[at_column[3]] + " is not +1 or -1");
  return {physics::from_pt_eta_phi_m(v[0], v[1], v[2], 0.0), v[3]};
}

void append(std::vector<float>& rows, const physics::FourMomentum& p) {
  rows.insert(rows.end(), {float(p.px), float(p.py), float(p.pz), float(p.e)});
}

}  // namespace

EventTable read_dielectron_csv(const std::string& path) {
  detail::require_readable_file(path);
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) throw IoError(path + ": the file is empty; expected a CSV header line");
  const std::vector<std::string> header = split_fields(line, path, 1, {});
  const ColumnIndex columns = locate_columns(header, path);
  EventTable table;
  table.objects = {"e-", "e+"};
  std::vector<float> rows;
  for (int64_t number = 2; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::vector<std::string> fields = split_fields(line, path, number, header);
    if (fields.size() != header.size())
      throw IoError(path + ": line " + std::to_string(number) + " has " + std::to_string(fields.size()) +
                    " fields, the header " + std::to_string(header.size()) + "; is the file truncated?");
    ++table.events_read;
    const Electron first = parse_electron(fields, columns[0], 1, path, number);
    const Electron second = parse_electron(fields, columns[1], 2, path, number);
    if (first.charge == second.charge) {
      ++table.events_skipped;
      continue;
    }
    append(rows, first.charge < 0 ? first.p : second.p);
    append(rows, first.charge < 0 ? second.p : first.p);
  }
  table.events = at::tensor(rows, at::kFloat).reshape({table.events_read - table.events_skipped, 8});
  return table;
}

}  // namespace otae::data
