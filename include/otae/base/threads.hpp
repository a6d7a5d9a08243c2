// How many threads a "threads" option means: the options of otae take 0 for every core.
#pragma once

#include <algorithm>
#include <cstdint>
#include <thread>

namespace otae {

/// `requested` when positive, otherwise the number of cores (at least 1).
inline int64_t thread_count(int64_t requested) {
  return requested > 0 ? requested : static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace otae
