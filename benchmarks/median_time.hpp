// Shared by the benchmarks: the median wall time of a repeated call, after one warm-up call.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

/// Median milliseconds of `repeats` calls of `run`, after one untimed warm-up call.
inline double median_ms(const std::function<void()>& run, int repeats) {
  run();
  std::vector<double> ms;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    run();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}
