// dli-run-command: the runner of `framework: command` (docs/command-runner.md). It runs a lab's own command line
// (OpenVINO's benchmark_app behind a script, trtexec, a Python timing tool) with /bin/sh -c and checks the result
// the command wrote, so a framework dli does not link can be measured without rebuilding dli. The command does
// the measuring; this program speaks the runner protocol (docs/runners.md) and refuses results that break it.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "command_request.hpp"
#include "dli/protocol/runner_protocol.hpp"
#include "expand_command.hpp"
#include "result_check.hpp"

#ifndef DLI_VERSION_STRING
#define DLI_VERSION_STRING "0.1.0"
#endif

namespace dli::command_runner {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

using runner_exit::kOk;
using runner_exit::kUnsupported;
using runner_exit::kUsage;

std::string runner_version() { return std::string("dli-run-command ") + DLI_VERSION_STRING; }

void log(const std::string& line) { std::cerr << "[dli-run-command] " << line << std::endl; }

// ---- files ----

void write_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text << '\n';
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) {
    fs::remove(temporary, error);
    throw std::runtime_error("cannot write " + path);
  }
}

bool read_text(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream content;
  content << in.rdbuf();
  text = content.str();
  return true;
}

// The runner's own result (not the command's): status and reason, no figures; returns the status's exit code.
int finish(const std::string& result_path, RunnerStatus status, const std::string& reason) {
  RunnerResult result;
  result.status = status;
  result.reason = reason;
  result.framework_version = runner_version();
  log(to_string(status) + ": " + reason);
  try {
    write_atomically(result_path, to_json(result).dump(2));
  } catch (const std::exception& error) {
    log(error.what());
  }
  return exit_code_of(status);
}
int failed(const std::string& result_path, const std::string& reason) {
  return finish(result_path, RunnerStatus::kFailed, reason);
}

// ---- the command ----

struct CommandExit {
  bool started = false;
  std::string error;  // why it could not start
  bool signaled = false;
  int code = 0;  // exit code, or the signal
};

// `line` with /bin/sh -c, as a plain child in this process's group (the agent's timeout kills the whole group);
// its standard streams are this process's (the test's log).
CommandExit run_shell(const std::string& line) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  CommandExit outcome;
  const pid_t pid = ::fork();
  if (pid < 0) {
    outcome.error = std::string("fork: ") + std::strerror(errno);
    return outcome;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // the runner killed alone: the command does not run on unwatched
    if (::getppid() != parent) ::_exit(127);
    ::execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  outcome.started = true;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      outcome.started = false;
      outcome.error = std::string("waitpid: ") + std::strerror(errno);
      return outcome;
    }
  }
  if (WIFSIGNALED(status)) {
    outcome.signaled = true;
    outcome.code = WTERMSIG(status);
  } else {
    outcome.code = WEXITSTATUS(status);
  }
  return outcome;
}

std::string signal_text(int number) {
  const char* name = ::sigabbrev_np(number);
  return std::to_string(number) + (name != nullptr ? std::string(" (SIG") + name + ")" : std::string());
}

std::string exit_text(int code) {
  std::string text = "command exited with code " + std::to_string(code);
  if (code == 127) text += " (the shell found no such command)";
  if (code == 126) text += " (not executable)";
  return text;
}

// The command's result, when it wrote one that parses as a JSON object.
bool read_command_result(const std::string& path, OrderedJson& result, std::string& problem) {
  std::string text;
  if (!read_text(path, text)) {
    problem = "no result file";
    return false;
  }
  result = OrderedJson::parse(text, nullptr, false);
  if (result.is_discarded()) {
    problem = "not valid JSON";
    return false;
  }
  if (!result.is_object()) {
    problem = "not a JSON object";
    return false;
  }
  return true;
}

// After a non-zero exit the result is not decoded (the protocol's decoder takes complete results only): only its
// status and reason are looked at, to keep the words of a command that said why it failed.
std::string string_or_empty(const OrderedJson& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

int judge_failure(int code, const OrderedJson& result, const std::string& result_path) {
  const std::string status = string_or_empty(result, "status");
  const std::string reason = string_or_empty(result, "reason");
  if (code == kUnsupported) {
    if (status == "ok" || status == "failed") {
      return failed(result_path, "the command exited with code 3 but its result says " + status);
    }
    const bool own_reason = status == "unsupported" && !reason.empty();
    return finish(result_path, RunnerStatus::kUnsupported, own_reason ? reason : "the command exited with code 3");
  }
  const bool own_reason = status == "failed" && !reason.empty();
  return failed(result_path, exit_text(code) + (own_reason ? ": " + reason : ""));
}

int judge(const CommandExit& outcome, const CommandTest& test, const std::string& result_path) {
  if (!outcome.started) return failed(result_path, "cannot start the command: " + outcome.error);
  if (outcome.signaled) return failed(result_path, "the command was killed by signal " + signal_text(outcome.code));
  OrderedJson document;
  std::string problem;
  const bool readable = read_command_result(result_path, document, problem);
  if (outcome.code != 0) return judge_failure(outcome.code, readable ? document : OrderedJson::object(), result_path);
  if (!readable) {
    return failed(result_path, problem == "no result file"
                                   ? "the command exited with code 0 but wrote no result at " + result_path
                                   : "the command's result is malformed: " + problem);
  }
  // peak_rss_kb is the one figure a wrapper around another tool rarely knows; this runner does: the peak resident
  // memory of the largest process the command ran.
  rusage usage{};
  const bool filled =
      ::getrusage(RUSAGE_CHILDREN, &usage) == 0 && fill_peak_rss(document, static_cast<std::int64_t>(usage.ru_maxrss));
  RunnerResult result;
  problem = result_problem(Json(document), test.expected, result);
  if (!problem.empty()) return failed(result_path, "the command's result is malformed: " + problem);
  if (result.status != RunnerStatus::kOk) {
    const std::string said = to_string(result.status) + (result.reason.empty() ? "" : ": " + result.reason);
    return failed(result_path, "the command exited with code 0 but its result says " + said);
  }
  if (filled) {
    try {
      write_atomically(result_path, document.dump(2, ' ', false, Json::error_handler_t::replace));
    } catch (const std::exception& error) {
      return failed(result_path, error.what());
    }
  }
  if (result.accuracy) {
    log("ok: accuracy top-1 " + Json(result.accuracy->top1).dump());
  } else {
    const RawMeasurement& m = *result.measurement;
    std::int64_t count = 0;
    for (const auto each : m.stream_counts) count += each;
    log("ok: " + std::to_string(count) + " requests in " + Json(m.wall_seconds).dump() + " s");
  }
  return kOk;
}

// ---- subcommands ----

int describe() {
  RunnerDescription description;
  description.framework = "command";
  description.version = runner_version();
  description.formats = {"*"};
  description.devices = {"*"};
  std::cout << to_json(description).dump() << std::endl;
  return kOk;
}

int run(const std::string& request_arg, const std::string& result_arg) {
  std::error_code error;
  const std::string request_path = fs::absolute(request_arg, error).string();
  const std::string result_path = fs::absolute(result_arg, error).string();
  CommandTest test;
  try {
    std::string text;
    if (!read_text(request_path, text)) throw BadRequest("cannot read the request " + request_path);
    const Json request = Json::parse(text, nullptr, false);
    if (request.is_discarded()) throw BadRequest("the request " + request_path + " is not valid JSON");
    test = read_request(request, request_path, result_path);
  } catch (const NotOffered& refusal) {
    return finish(result_path, RunnerStatus::kUnsupported, refusal.what());
  } catch (const std::exception& bad) {
    return failed(result_path, bad.what());
  }
  std::string line;
  try {
    line = expand_command(test.pattern, test.values);
  } catch (const std::invalid_argument& bad) {
    return failed(result_path, std::string("parameter 'command': ") + bad.what());
  }
  fs::remove(result_path, error);  // only what this command writes counts
  log("running: " + line);
  return judge(run_shell(line), test, result_path);
}

int usage() {
  std::cerr << "usage: dli-run-command describe\n"
               "       dli-run-command run --request REQUEST.json --result RESULT.json\n"
               "(docs/command-runner.md)\n";
  return kUsage;
}

}  // namespace
}  // namespace dli::command_runner

int main(int argc, char** argv) {
  using namespace dli::command_runner;
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "describe") return describe();
  if (args.empty() || args[0] != "run") return usage();
  std::string request, result;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (i + 1 >= args.size()) return usage();
    if (args[i] == "--request") {
      request = args[++i];
    } else if (args[i] == "--result") {
      result = args[++i];
    } else {
      return usage();
    }
  }
  if (request.empty() || result.empty()) return usage();
  return run(request, result);
}
