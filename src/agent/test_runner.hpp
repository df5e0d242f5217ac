#pragma once
// Runs one test of the task list in its framework's runner process (docs/runners.md) and turns whatever happens
// into a TestResult; private to the agent component. Never throws for the test's own failures.
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "dli/agent/agent.hpp"
#include "dli/agent/runner_registry.hpp"
#include "dli/protocol/test_result.hpp"
#include "environment_probe.hpp"
#include "model_cache.hpp"

namespace dli {

class TestRunner {
 public:
  // `store` serves model downloads only; `store_used` is told after them (the connection is the publisher's to
  // let go when idle).
  // `host`: this machine, repeated in each result's environment. `measuring(true)` is called right before the
  // test's process starts and `measuring(false)` when it has ended: the agent keeps quiet in between.
  TestRunner(Store& store, const AgentOptions& options, const RunnerRegistry& runners, const HostInfo& host,
             std::function<void()> store_used, std::function<void(bool)> measuring,
             std::function<Status()> store_ready = {});
  // `on_tick(elapsed seconds)` is called about twice per heartbeat interval while the runner runs; it must not
  // block. The test's log is left at log_path(task_key(spec)), closed by a line of the agent's.
  TestResult run(const TestSpec& spec, const std::function<void(double)>& on_tick);
  std::string log_path(const std::string& key) const;  // key: task_key of the test

  // The model cache's room (docs/protocol.md 7): the files this run uses are never removed to make it.
  void keep_files(std::set<std::string> sha256s) { cache_.set_needed(std::move(sha256s)); }
  int make_room(std::uintmax_t wanted) { return cache_.make_room(wanted); }

 private:
  Result<std::string> fetch(const std::string& sha256, const std::string& file_name);

  Store& store_;
  const AgentOptions& options_;
  const RunnerRegistry& runners_;
  ModelCache cache_;
  std::filesystem::path folder_;
  std::vector<std::string> environment_;
  EnvironmentProbe probe_;
  std::function<void()> store_used_;
  std::function<void(bool)> measuring_;
};

}  // namespace dli
