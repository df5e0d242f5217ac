// Finding and describing the runners of this host (docs/runners.md, sections 1 and 2).
#include "dli/agent/runner_registry.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <future>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/protocol/runner_catalogue.hpp"
#include "dli/util/captured_child.hpp"

extern char** environ;

namespace dli {
namespace fs = std::filesystem;

namespace {

constexpr double kDescribeTimeoutSeconds = 10;

const char* const kPassedVariables[] = {"PATH",   "HOME",          "USER",       "LANG",
                                        "LC_ALL", "TZ",            "TMPDIR",     "LD_LIBRARY_PATH",
                                        "CUDA_VISIBLE_DEVICES",    "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                        "DLI_RUNNER_PATH"};

RunnerDescription unavailable(const std::string& framework, std::string reason) {
  RunnerDescription description;
  description.framework = framework;
  description.available = false;
  description.reason = std::move(reason);
  return description;
}

// `<runner> describe`, with its standard output and error kept apart.
RunnerDescription describe_runner(const std::string& framework, const std::string& path) {
  ChildOptions child;
  child.argv = {path, "describe"};
  child.timeout_seconds = kDescribeTimeoutSeconds;
  child.scrub_env = true;
  child.extra_env = runner_environment(process_environment());
  const CapturedChild captured = run_captured(child);
  const std::string prefix = path + " describe: ";
  if (const std::string why = why_no_answer(captured, kDescribeTimeoutSeconds); !why.empty()) {
    return unavailable(framework, prefix + why);
  }
  const std::string& printed = captured.output;
  try {
    RunnerDescription description = runner_description_from_json(nlohmann::json::parse(printed));
    if (description.framework != framework) {
      return unavailable(framework, prefix + "serves " + description.framework + ", not " + framework);
    }
    return description;
  } catch (const std::exception& error) {
    return unavailable(framework, prefix + error.what());
  }
}

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : ", ") + word;
  return text.empty() ? "none" : text;
}

}  // namespace

std::string find_executable(const std::vector<std::string>& search_path, const std::string& name) {
  for (const auto& folder : search_path) {
    const fs::path candidate = fs::path(folder) / name;
    std::error_code error;
    if (fs::is_regular_file(candidate, error) && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

std::vector<std::string> runner_search_path(const std::string& agent_exe, const std::string& runner_path_env) {
  std::vector<std::string> folders;
  std::string entry;
  for (const char c : runner_path_env + ":") {
    if (c != ':') {
      entry += c;
    } else if (!entry.empty()) {
      folders.push_back(entry);
      entry.clear();
    }
  }
  const fs::path own = fs::path(agent_exe).parent_path();
  folders.push_back(own.string());
  folders.push_back((own.parent_path() / "lib" / "dli" / "runners").string());
  return folders;
}

RunnerRegistry RunnerRegistry::discover(const std::vector<std::string>& search_path,
                                        const std::vector<std::string>& frameworks) {
  // All at once: a script runner's describe loads its framework (seconds for torch), and they do not interact.
  std::vector<std::future<InstalledRunner>> pending;
  for (const auto& entry : runner_catalogue()) {
    if (!frameworks.empty() && std::find(frameworks.begin(), frameworks.end(), entry.framework) == frameworks.end()) {
      continue;
    }
    pending.push_back(std::async(std::launch::async, [&search_path, &entry] {
      InstalledRunner runner;
      runner.framework = entry.framework;
      runner.path = find_executable(search_path, entry.executable);
      runner.description = runner.path.empty()
                               ? unavailable(entry.framework, "no " + entry.executable + " runner on this host")
                               : describe_runner(entry.framework, runner.path);
      return runner;
    }));
  }
  std::vector<InstalledRunner> runners;
  for (auto& each : pending) {
    runners.push_back(each.get());
    const InstalledRunner& runner = runners.back();
    if (!runner.path.empty()) {
      spdlog::debug("runner {}: {} ({})", runner.framework, runner.path,
                    runner.description.available ? runner.description.version : runner.description.reason);
    }
  }
  return RunnerRegistry(std::move(runners));
}

const InstalledRunner* RunnerRegistry::find(const std::string& framework) const {
  for (const auto& runner : runners_) {
    if (runner.framework == framework) return &runner;
  }
  return nullptr;
}

std::optional<std::string> RunnerRegistry::why_unsupported(const TestSpec& spec) const {
  const InstalledRunner* runner = find(spec.framework);
  if (runner == nullptr) return "no runner for framework " + spec.framework + " on this host";
  const RunnerDescription& description = runner->description;
  if (!description.available) return description.reason;
  if (!offers_format(description, spec.model.format)) {
    return fmt::format("{} on this host does not load {} models (it loads {})", spec.framework, spec.model.format,
                       join(description.formats));
  }
  if (!offers_device(description, spec.device)) {
    return fmt::format("{} on this host has no device {} (devices: {})", spec.framework, spec.device,
                       join(description.devices));
  }
  return std::nullopt;
}

std::vector<std::string> process_environment() {
  std::vector<std::string> entries;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) entries.emplace_back(*entry);
  return entries;
}

std::vector<std::string> runner_environment(const std::vector<std::string>& environment) {
  std::vector<std::string> kept;
  for (const auto& entry : environment) {
    const std::string name = entry.substr(0, entry.find('='));
    if (std::find(std::begin(kPassedVariables), std::end(kPassedVariables), name) != std::end(kPassedVariables)) {
      kept.push_back(entry);
    }
  }
  kept.push_back("DLI_RUNNER_PROTOCOL=" + std::to_string(kRunnerProtocolVersion));
  return kept;
}

}  // namespace dli
