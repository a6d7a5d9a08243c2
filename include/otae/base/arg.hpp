// Builder-style options, as in LibTorch: `SinkhornOptions().eps_end(1e-3).iterations_per_step(20)`.
#pragma once

#include <utility>

/// Declares a member `name_` with its default, a chainable setter `name(value)` and a getter `name()`.
#define OTAE_ARG(T, name, default_value)                  \
 public:                                                   \
  auto name(const T& new_value)->decltype(*this) {         \
    this->name##_ = new_value;                             \
    return *this;                                          \
  }                                                        \
  const T& name() const noexcept { return this->name##_; } \
                                                           \
 private:                                                  \
  T name##_ = default_value

#define OTAE_ARG_PUBLIC public:
