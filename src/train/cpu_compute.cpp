#include "otae/train/cpu_compute.hpp"

#include <ATen/Parallel.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "otae/base/threads.hpp"

// Defined only when OpenBLAS is loaded (a weak reference is null otherwise).
extern "C" void openblas_set_num_threads(int threads) __attribute__((weak));
extern "C" char* openblas_get_corename() __attribute__((weak));

namespace otae::train {

void configure_cpu_compute(int64_t threads) {
  const int count = static_cast<int>(thread_count(threads));
  at::set_num_threads(count);
  if (openblas_set_num_threads) openblas_set_num_threads(count);
}

std::string blas_kernels() {
  return openblas_get_corename ? std::string("OpenBLAS ") + openblas_get_corename() : "not OpenBLAS";
}

void keep_freed_memory() {
#if defined(__GLIBC__)
  // Above the default, adaptive threshold every large buffer is a fresh mmap whose pages fault in
  // again; 32 MiB is glibc's maximum and holds the paper's largest activation (5000 × 1024 floats).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

}  // namespace otae::train
