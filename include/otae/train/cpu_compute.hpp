// Setting up a process to compute on CPU with Debian's LibTorch, whose defaults cost a factor of
// a few: one intra-op thread, OpenBLAS threads on every core whatever LibTorch is told, and every
// freed tensor buffer handed back to the system and faulted in again at the next step.
#pragma once

#include <cstdint>
#include <string>

namespace otae::train {

/// Sets LibTorch's intra-op threads to `threads` (0: every core) and, when OpenBLAS is the BLAS,
/// OpenBLAS's threads too, so the two do not fight for cores. Safe to call more than once.
void configure_cpu_compute(int64_t threads);

/// The BLAS kernels this process runs, e.g. "OpenBLAS Haswell", or "not OpenBLAS". OpenBLAS
/// chooses them when it loads, from the CPU or from OPENBLAS_CORETYPE; they decide float32
/// results to the last bit, so runs record them.
std::string blas_kernels();

/// With glibc, keeps freed memory in the process (mmap threshold 32 MiB, no trimming below
/// 1 GiB), so that the large buffers of a training step are not faulted in again at every step;
/// the resident memory then stays at its peak. The allocator is the whole process's: the library
/// never calls this, a program's main() decides (the otae command line and the benchmarks do).
void keep_freed_memory();

}  // namespace otae::train
