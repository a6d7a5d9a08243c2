// How the analysis results store and write a statistic that may be missing: NaN in the structs,
// null in the JSON files (JSON has no NaN or infinity).
#pragma once

#include <cmath>

#include <nlohmann/json.hpp>

namespace otae::analysis {

/// v, or NaN where v is not finite (an infinite statistic is as missing as an undefined one).
inline double finite_or_nan(double v) { return std::isfinite(v) ? v : std::nan(""); }

/// v as a JSON number, or null where v is not finite.
inline nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace otae::analysis
