#pragma once
// Waits between retries: exponential backoff with "full jitter". Before retry n (1 for the first) the wait is drawn
// uniformly from [0, min(cap, base * 2^n)]: on average base, 2 base, 4 base, ... as plain doubling would be, but
// spread over the whole range, so that clients that failed together (a server restart, a full connection table
// answering 421) come back one by one instead of in lockstep.
#include <chrono>
#include <random>

namespace dli {

// The upper end of the wait before retry `retry` (1-based): min(cap, base * 2^retry).
std::chrono::milliseconds backoff_ceiling(std::chrono::milliseconds base, int retry, std::chrono::milliseconds cap);

// A wait before retry `retry`, uniform in [0, backoff_ceiling(base, retry, cap)].
std::chrono::milliseconds backoff_delay(std::chrono::milliseconds base, int retry, std::chrono::milliseconds cap,
                                        std::mt19937_64& random);

}  // namespace dli
