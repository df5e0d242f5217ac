#pragma once
// gtest shows an ErrorKind by its name ("auth-failed") in a failed expectation, not as raw bytes.
#include <ostream>

#include "dli/util/result.hpp"

namespace dli {

inline void PrintTo(ErrorKind kind, std::ostream* out) { *out << to_string(kind); }

}  // namespace dli
