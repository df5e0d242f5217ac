#pragma once
// How the requests in flight share a test's threads (docs/methodology.md, "Threads and requests in flight"): `threads`
// is the total; each of the R requests in flight gets threads / R, and R must divide it. Pure.
#include <optional>
#include <string>

#include "dli/protocol/test_spec.hpp"

namespace dli {

// R: `requests` in the modes that keep several requests in flight (uses_streams), 1 otherwise.
int requests_in_flight(Mode mode, int requests);

// Why `threads` cannot be divided among `in_flight` requests ("threads 3 do not divide among 2 requests in flight:
// ..."), or nothing when it can. Both must be at least 1.
std::optional<std::string> why_share_impossible(int threads, int in_flight);

// The threads each request in flight gets: threads / in_flight. Throws std::invalid_argument when
// why_share_impossible says why not.
int thread_share(int threads, int in_flight);

// thread_share of a test's threads among its requests in flight.
int thread_share(const TestSpec& spec);

}  // namespace dli
