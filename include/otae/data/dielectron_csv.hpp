// Two-electron events from CSV files in the layout of CMS Open Data's Zee_Run2011A.csv
// (columns pt1, eta1, phi1, Q1, pt2, eta2, phi2, Q2 among others), as detector-level event
// vectors (the `x` layout) with objects (e-, e+).
//
// The format is strict, as those files are: a header line of column names, then one event per
// line, fields separated by commas with optional blanks around them, no quoting (a field with a
// '"' is an error naming the file, the line and the field), blank lines ignored.
#pragma once

#include <string>

#include "otae/data/layouts.hpp"

namespace otae::data {

/// Reads every row, orders the two electrons by charge into (e⁻, e⁺) and builds massless
/// four-vectors (px, py, pz, E) [GeV] from (pT [GeV], η, φ). Rows with two electrons of the
/// same charge are skipped and counted in `events_skipped`. Columns are found by their header
/// names, in any order; other columns are ignored. Result: events [N, 8] float32.
/// Throws IoError naming the file, the line and the column when the file is missing, a column
/// is absent, a row has the wrong number of fields, a field is quoted, a value is not a finite
/// number, a pT is not positive or a charge is not ±1.
EventTable read_dielectron_csv(const std::string& path);

}  // namespace otae::data
