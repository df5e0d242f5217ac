#pragma once
// The agent's spool (docs/protocol.md 6): every finished test's result and log are kept on the host's disk until
// the store has them, and flushed to stable storage whenever the store does not take them at once. Nothing
// measured is lost while the host lives, whatever the store does; an agent started again on the same run
// publishes what an earlier one left here.
#include <string>
#include <vector>

#include "dli/protocol/test_result.hpp"

namespace dli {

class Spool {
 public:
  explicit Spool(std::string folder);  // created if needed; throws std::runtime_error when it cannot be
  // Keeps a finished test: its log is moved in from `log_path` (same file system), then its result is written
  // (whole: a temporary renamed into place). The result's presence is what marks an entry complete. Not yet on
  // stable storage: make_durable() when the store does not take it at once. Throws std::runtime_error (the
  // host's own disk is full or failing).
  void keep(const TestResult& result, const std::string& log_path);
  // Flushes an entry's files and the folder to stable storage (fsync); an entry released meanwhile is skipped.
  // Throws std::runtime_error.
  void make_durable(const std::string& id) const;
  std::vector<std::string> waiting() const;  // test ids with a kept result, sorted
  std::string result_path(const std::string& id) const;
  std::string log_path(const std::string& id) const;  // may be absent (a log that could not be kept)
  void release(const std::string& id);  // once the store has both; the result goes first
  const std::string& folder() const { return folder_; }

 private:
  std::string folder_;
};

}  // namespace dli
