// Independent random streams from one user seed: every consumer (splits, epoch orders, toys,
// reparameterisation noise, sliced-Wasserstein directions) derives its own generator seed from
// the user's seed and words naming the stream, so that adding a stream never shifts another.
#pragma once

#include <cstdint>
#include <initializer_list>

namespace otae {

/// SplitMix64's finaliser (Steele, Lea & Flood 2014), a bijection of 64-bit words that scatters
/// nearby inputs far apart.
inline uint64_t splitmix64(uint64_t word) {
  word += 0x9e3779b97f4a7c15ULL;
  word = (word ^ (word >> 30)) * 0xbf58476d1ce4e5b9ULL;
  word = (word ^ (word >> 27)) * 0x94d049bb133111ebULL;
  return word ^ (word >> 31);
}

/// The generator seed of the stream named by `stream` (purpose, epoch, step, …) of `seed`:
/// different streams of one seed are unrelated, the same stream is the same on every platform.
inline uint64_t derive_seed(uint64_t seed, std::initializer_list<uint64_t> stream) {
  uint64_t h = splitmix64(seed);
  for (uint64_t word : stream) h = splitmix64(h ^ splitmix64(word));
  return h;
}

}  // namespace otae
