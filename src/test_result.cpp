#include "dli/test_result.hpp"

#include <stdexcept>

namespace dli {

std::string to_string(TestStatus status) {
  switch (status) {
    case TestStatus::kOk: return "ok";
    case TestStatus::kFailed: return "failed";
    case TestStatus::kCrashed: return "crashed";
    case TestStatus::kTimeout: return "timeout";
  }
  return "failed";  // unreachable with a valid enum value
}

TestStatus test_status_from_string(const std::string& text) {
  for (TestStatus status : {TestStatus::kOk, TestStatus::kFailed, TestStatus::kCrashed, TestStatus::kTimeout}) {
    if (to_string(status) == text) return status;
  }
  throw std::invalid_argument("unknown test status '" + text + "' (expected ok, failed, crashed or timeout)");
}

}  // namespace dli
