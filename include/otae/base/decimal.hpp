// Numbers as text, one way everywhere (run-folder CSV and YAML, HDF5 attributes, error
// messages): the shortest decimal that reads back as the very same double, so that a resumed
// run, or a program reading otae's files, gets exactly the numbers otae had.
#pragma once

#include <charconv>
#include <string>
#include <system_error>

namespace otae {

/// The shortest "%.Ng"-style rendering of `value` (N = 1 … 17 significant digits, fixed or
/// scientific notation as printf's %g chooses) that parses back to `value` exactly; "nan",
/// "inf" and "-inf" for the non-finite values.
inline std::string shortest_decimal(double value) {
  char text[32];
  for (int digits = 1;; ++digits) {
    char* end = std::to_chars(text, text + sizeof text, value, std::chars_format::general, digits).ptr;
    double parsed = 0.0;
    const std::from_chars_result read = std::from_chars(text, end, parsed);
    if (digits == 17 || (read.ec == std::errc() && parsed == value)) return std::string(text, end);
  }
}

}  // namespace otae
