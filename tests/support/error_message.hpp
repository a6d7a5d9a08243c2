// The message of the otae error a call throws, so that a test can check that an error names the
// bad value, the file or the key.
#pragma once

#include <functional>
#include <string>

#include "otae/base/error.hpp"

namespace otae::testing {

/// The what() of the `ErrorType` that `call` throws, or "(no such error thrown)" when it returns
/// normally; any other exception propagates (and fails the test).
template <typename ErrorType = Error>
std::string message_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const ErrorType& e) {
    return e.what();
  }
  return "(no such error thrown)";
}

}  // namespace otae::testing
