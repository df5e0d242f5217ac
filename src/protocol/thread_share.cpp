#include "dli/protocol/thread_share.hpp"

#include <stdexcept>

namespace dli {

int requests_in_flight(Mode mode, int requests) { return uses_streams(mode) ? requests : 1; }

std::optional<std::string> why_share_impossible(int threads, int in_flight) {
  if (threads < 1 || in_flight < 1) return std::string("threads and requests must be at least 1");
  // No remainder rule: threads left over would go to some requests and not others, and the streams would then
  // measure different things under one label.
  if (threads % in_flight == 0) return std::nullopt;
  return "threads " + std::to_string(threads) + " do not divide among " + std::to_string(in_flight) +
         " requests in flight (each request gets threads / requests; choose threads a multiple of requests)";
}

int thread_share(int threads, int in_flight) {
  if (const auto why = why_share_impossible(threads, in_flight)) throw std::invalid_argument(*why);
  return threads / in_flight;
}

int thread_share(const TestSpec& spec) { return thread_share(spec.threads, requests_in_flight(spec.mode, spec.requests)); }

}  // namespace dli
