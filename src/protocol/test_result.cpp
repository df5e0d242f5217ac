#include "dli/protocol/test_result.hpp"

#include <stdexcept>

namespace dli {

std::string to_string(TestStatus status) {
  switch (status) {
    case TestStatus::kOk: return "ok";
    case TestStatus::kFailed: return "failed";
    case TestStatus::kCrashed: return "crashed";
    case TestStatus::kTimeout: return "timeout";
    case TestStatus::kUnsupported: return "unsupported";
  }
  return "failed";  // unreachable with a valid enum value
}

TestStatus test_status_from_string(const std::string& text) {
  for (TestStatus status : {TestStatus::kOk, TestStatus::kFailed, TestStatus::kCrashed, TestStatus::kTimeout,
                            TestStatus::kUnsupported}) {
    if (to_string(status) == text) return status;
  }
  throw std::invalid_argument("unknown test status '" + text + "' (expected ok, failed, crashed, timeout or unsupported)");
}

bool is_failure(TestStatus status) { return status != TestStatus::kOk && status != TestStatus::kUnsupported; }

}  // namespace dli
