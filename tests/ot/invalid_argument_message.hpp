// Shared by the ot tests: the message of the InvalidArgument a call throws, so a test can check
// that errors name the bad value.
#pragma once

#include <string>

#include "otae/base/error.hpp"

namespace otae::ot::testing {

/// The what() of the InvalidArgument `call` throws, or "(no InvalidArgument thrown)".
template <typename F>
std::string message_of(F&& call) {
  try {
    call();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "(no InvalidArgument thrown)";
}

}  // namespace otae::ot::testing
