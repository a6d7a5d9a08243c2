// Setting up a process to train on CPU with Debian's LibTorch, whose defaults cost a factor of a
// few: one intra-op thread, OpenBLAS threads on every core whatever LibTorch is told, and every
// freed tensor buffer handed back to the system and faulted in again at the next step.
#pragma once

#include <cstdint>

namespace otae::train {

/// Sets LibTorch's intra-op threads to `threads` (0: every core) and, when OpenBLAS is the BLAS,
/// OpenBLAS's threads too, so the two do not fight for cores. With glibc, also keeps freed
/// memory in the process (mmap threshold 32 MiB, no trimming below 1 GiB): on the quick
/// configuration that cut a training step from ~53 ms to ~16 ms, mostly page faults. The
/// process's resident memory then stays at its peak. Safe to call more than once.
void configure_cpu_compute(int64_t threads);

}  // namespace otae::train
