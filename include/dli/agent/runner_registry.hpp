#pragma once
// The runners installed on this host (docs/runners.md, section 1): found by name along a search path, asked once
// what they can do, and consulted before each test so that what the host cannot run is recorded `unsupported`
// without starting anything.
#include <optional>
#include <string>
#include <vector>

#include "dli/protocol/runner_protocol.hpp"
#include "dli/protocol/test_spec.hpp"

namespace dli {

struct InstalledRunner {
  std::string framework;
  std::string path;  // the executable; empty when not found
  RunnerDescription description;  // available == false with the reason when missing or broken
};

// Folders searched in order: $DLI_RUNNER_PATH's entries, the agent's own folder, <agent folder>/../lib/dli/runners.
std::vector<std::string> runner_search_path(const std::string& agent_exe, const std::string& runner_path_env);
// The first executable file called `name` in those folders; empty when there is none.
std::string find_executable(const std::vector<std::string>& search_path, const std::string& name);

class RunnerRegistry {
 public:
  // Looks for the runners of `frameworks` (every runner of the catalogue when empty) and runs `describe` on each
  // one found (10 s limit each).
  static RunnerRegistry discover(const std::vector<std::string>& search_path,
                                 const std::vector<std::string>& frameworks = {});
  // For tests: a registry of given runners.
  explicit RunnerRegistry(std::vector<InstalledRunner> runners) : runners_(std::move(runners)) {}

  const std::vector<InstalledRunner>& runners() const { return runners_; }
  const InstalledRunner* find(const std::string& framework) const;
  // Why this host cannot run the test (runner missing or unavailable, device or format not offered), or nullopt.
  std::optional<std::string> why_unsupported(const TestSpec& spec) const;

 private:
  std::vector<InstalledRunner> runners_;
};

// The environment a runner gets (docs/runners.md 3): the allowed variables of `environment` ("NAME=value"
// entries) and DLI_RUNNER_PROTOCOL; nothing else, so no store credentials or paths to them.
std::vector<std::string> runner_environment(const std::vector<std::string>& environment);
std::vector<std::string> process_environment();  // this process's "NAME=value" entries

}  // namespace dli
