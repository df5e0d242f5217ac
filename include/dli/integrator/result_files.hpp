#pragma once
// Reading many results of a run from the store: fetched and decoded on every core, since decoding JSON is most of
// the time a collect of a large run takes (docs/benchmarks.md, "Collect").
#include <optional>
#include <string>
#include <vector>

#include "dli/protocol/test_result.hpp"
#include "dli/store/store.hpp"

namespace dli {

// Fetches and decodes the results at `keys`: the i-th slot holds the i-th key's result, or nothing when it cannot be
// read or decoded (reported in `problems`, in the order of `keys`, as reading them one by one would report them) or,
// with `missing_ok`, does not exist (silently). With `spread`, fetches run in parallel where the store allows it
// (Store::concurrent_gets), one after the other otherwise, and decoding runs in parallel either way; without it,
// everything runs on the calling thread (a caller that spreads whole hosts over the cores).
std::vector<std::optional<TestResult>> read_result_files(Store& store, const std::vector<std::string>& keys,
                                                         bool missing_ok, bool spread,
                                                         std::vector<std::string>& problems);

}  // namespace dli
