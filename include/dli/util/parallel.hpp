#pragma once
// Work spread over threads: for CPU-bound steps over many independent items (a run's result files to decode).
#include <cstddef>
#include <functional>

namespace dli {

// Calls work(i) for every i in [0, count), on up to `threads` threads (0: hardware_concurrency), each taking the
// next index in turn; returns when all are done. The first exception thrown by `work` is rethrown here (the other
// items still run). `work` must be safe to call concurrently for different indexes.
void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& work);

}  // namespace dli
