#pragma once
// How the agent waits for a store that is down or crowded (docs/protocol.md 6): a transient failure is retried
// with backoff (1 s doubling to 30 s) within `patience_seconds`; anything else is returned at once. Private to the
// agent component: its task list, result listing and model downloads use it.
#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "dli/store/store.hpp"
#include "dli/util/result.hpp"

namespace dli {

template <class T, class Operation>
Result<T> patiently(Store& store, double patience_seconds, const std::string& what, Operation operation) {
  using Clock = std::chrono::steady_clock;
  const auto after = [](double seconds) {
    return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  };
  const auto give_up = after(patience_seconds);
  double wait = 1;
  for (;;) {
    Result<T> outcome = operation();
    if (outcome || !outcome.error().transient || after(wait) > give_up) return outcome;
    spdlog::warn("cannot {}: {}; again in {:.0f} s", what, outcome.error().message, wait);
    store.disconnect();  // a broken connection is not worth keeping
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    wait = std::min(30.0, wait * 2);
  }
}

}  // namespace dli
