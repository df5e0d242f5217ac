// Exponential backoff with full jitter (include/dli/util/backoff.hpp).
#include "dli/util/backoff.hpp"

#include <algorithm>

namespace dli {

std::chrono::milliseconds backoff_ceiling(std::chrono::milliseconds base, int retry, std::chrono::milliseconds cap) {
  std::chrono::milliseconds ceiling = std::max(base, std::chrono::milliseconds(0));
  // Doubling stops at the cap, so large retry numbers cannot overflow.
  for (int n = 0; n < retry && ceiling < cap; ++n) ceiling *= 2;
  return std::min(ceiling, cap);
}

std::chrono::milliseconds backoff_delay(std::chrono::milliseconds base, int retry, std::chrono::milliseconds cap,
                                        std::mt19937_64& random) {
  std::uniform_int_distribution<std::chrono::milliseconds::rep> wait(0, backoff_ceiling(base, retry, cap).count());
  return std::chrono::milliseconds(wait(random));
}

}  // namespace dli
