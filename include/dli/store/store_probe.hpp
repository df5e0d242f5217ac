#pragma once
// Proves a host can use the store with its own credentials: write, read back and delete one object.
#include <string>

#include "dli/store/store.hpp"

namespace dli {

// Key "probes/<name>-<token>.txt". Error naming the step that failed (write, read, compare, delete).
Status probe_store(Store& store, const std::string& name, const std::string& token);

}  // namespace dli
