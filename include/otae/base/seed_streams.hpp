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

// Two older derivations, kept because trained runs depend on them: a run resumed with --resume
// must draw the same streams as when it started. Every new stream uses derive_seed.

/// Draw `index` (counted from 0) of the SplitMix64 generator seeded with `seed`, i.e. its state
/// advanced index + 1 golden-ratio steps and finalised. OTUS training seeds its steps and its
/// named streams this way (otae 0.1's runs).
inline uint64_t splitmix64_draw(uint64_t seed, uint64_t index) {
  return splitmix64(seed + 0x9e3779b97f4a7c15ULL * index);
}

/// seed · 1000003 + stream: distinct for the streams below 1000003 of one seed. `otae otus train
/// --x-data` cuts the larger of two unpaired samples with it (stream 1: partons, 2: detector).
inline uint64_t linear_stream_seed(uint64_t seed, uint64_t stream) { return seed * 1000003 + stream; }

}  // namespace otae
