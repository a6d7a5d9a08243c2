// The one random-number source of the data layer: splits, epoch orders and toy datasets draw
// from it so that a seed means the same numbers on every platform and LibTorch version.
// std::mt19937_64's output is fixed by the standard; the distributions on top of it are written
// out here because std::uniform_int_distribution and std::normal_distribution are not.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

#include "otae/base/seed_streams.hpp"
#include "otae/physics/units.hpp"

namespace otae::data::detail {

class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}

  /// Uniform integer in [0, bound), bound ≥ 1, without modulo bias (Lemire's multiply–shift).
  uint64_t below(uint64_t bound) {
    unsigned __int128 product = static_cast<unsigned __int128>(engine_()) * bound;
    if (static_cast<uint64_t>(product) < bound) {
      const uint64_t threshold = (0 - bound) % bound;
      while (static_cast<uint64_t>(product) < threshold)
        product = static_cast<unsigned __int128>(engine_()) * bound;
    }
    return static_cast<uint64_t>(product >> 64);
  }

  /// Uniform in the open interval (0, 1), 53 random bits.
  double uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }

  /// Standard normal by Box–Muller; the second variate of each pair is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double radius = std::sqrt(-2.0 * std::log(uniform()));
    const double angle = physics::kTwoPi * uniform();
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace otae::data::detail
