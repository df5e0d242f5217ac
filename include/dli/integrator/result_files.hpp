#pragma once
// Reading many results of a run from the store: fetched and decoded on every core, since decoding JSON is most of
// the time a collect of a large run takes (docs/benchmarks.md, "Collect").
#include <map>
#include <string>
#include <vector>

#include "dli/protocol/test_result.hpp"
#include "dli/store/store.hpp"

namespace dli {

struct ResultFile {
  std::string task;  // task_key: the result's key in the returned map
  std::string key;   // its store key
};

// Fetches and decodes `files` into results by task. Fetches run in parallel where the store allows it
// (Store::concurrent_gets), one after the other otherwise; decoding runs in parallel either way. A file that cannot
// be read or decoded is left out and reported in `problems`, in the order of `files` (as reading them one by one
// would report them); with `missing_ok`, a file that does not exist is left out silently.
std::map<std::string, TestResult> read_result_files(Store& store, const std::vector<ResultFile>& files,
                                                    bool missing_ok, std::vector<std::string>& problems);

}  // namespace dli
