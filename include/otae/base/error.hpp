// The exceptions otae throws. Every error a user can cause derives from otae::Error, so a
// caller (the CLI's main, the Python module) catches one type and prints one line.
#pragma once

#include <stdexcept>
#include <string>

namespace otae {

/// Base of every otae exception. The message says what is wrong, with which object, and a hint.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A file cannot be read or written, or its content is malformed. Messages name the file and
/// the dataset or line.
class IoError : public Error {
 public:
  using Error::Error;
};

/// An argument or configuration value is out of its domain (wrong shape, negative weight, NaN).
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

/// A configuration file or command-line option is malformed or names an unknown key.
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// A numerical procedure failed (no convergence, singular system, NaN in a loss).
class NumericalError : public Error {
 public:
  using Error::Error;
};

}  // namespace otae
