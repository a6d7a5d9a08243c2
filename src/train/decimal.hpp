// Numbers written into run folders (CSV, YAML, file names) in their shortest exact decimal form,
// so that reading a file back gives the very same double and resumed runs stay bit-identical.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace otae::train::detail {

/// The shortest "%.Ng" rendering of `value` that parses back to `value` exactly.
inline std::string shortest_decimal(double value) {
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

}  // namespace otae::train::detail
