// Telling events (notify.hpp): the hook and sendmail as child processes with a time limit.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/integrator/notify.hpp"
#include "dli/util/child_process.hpp"
#include "dli/util/local_file.hpp"

namespace dli {

namespace {

constexpr double kDeliveryTimeoutSeconds = 30;

// `text` in a temporary file removed with this object: a child's standard input.
class InputFile {
 public:
  explicit InputFile(const std::string& text) {
    std::string pattern = (std::filesystem::temp_directory_path() / "dli-notify-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary file for a notification");
    ::close(fd);
    path_ = pattern;
    write_file_atomically(path_, text);
  }
  ~InputFile() { std::remove(path_.c_str()); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The environment of a hook or sendmail: nothing of the integrator's (which may hold a store password).
std::vector<std::string> plain_environment() {
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"};
  for (const char* name : {"HOME", "LANG", "TZ"}) {
    if (const char* value = std::getenv(name)) env.push_back(std::string(name) + "=" + value);
  }
  return env;
}

Status run_with_input(const std::vector<std::string>& argv, const std::string& input, const std::string& what) {
  InputFile stdin_file(input);
  InputFile output("");
  ChildOptions options;
  options.argv = argv;
  options.input_path = stdin_file.path();
  options.output_path = output.path();
  options.timeout_seconds = kDeliveryTimeoutSeconds;
  options.extra_env = plain_environment();
  options.scrub_env = true;
  const ChildOutcome outcome = run_child(options);
  if (outcome.kind == ChildOutcome::Kind::kExited && outcome.exit_code == 0) return {};
  const std::string tail = tail_of_file(output.path(), 5, 1024);
  switch (outcome.kind) {
    case ChildOutcome::Kind::kSpawnFailed:
      return Error{fmt::format("{}: cannot start {}: {}", what, argv.front(), outcome.error)};
    case ChildOutcome::Kind::kTimedOut:
      return Error{fmt::format("{}: {} did not finish within {:g} s", what, argv.front(), kDeliveryTimeoutSeconds)};
    case ChildOutcome::Kind::kSignaled:
      return Error{fmt::format("{}: {} was killed by signal {}", what, argv.front(), outcome.signal)};
    case ChildOutcome::Kind::kExited:
      break;
  }
  return Error{fmt::format("{}: {} exited with {}{}", what, argv.front(), outcome.exit_code,
                           tail.empty() ? "" : ": " + tail)};
}

}  // namespace

Status deliver(const NotifyConfig& config, const NotifyEvent& event) {
  Status status;
  if (!config.hook.empty()) {
    status = run_with_input(config.hook,
                            event.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                            "the notification hook");
  }
  if (!config.mail_to.empty()) {
    // -t: recipients from the headers; -oi: a line of one dot does not end the message.
    Status mailed = run_with_input({config.sendmail, "-t", "-oi"}, mail_message(config, event), "sendmail");
    if (status && !mailed) status = mailed;
  }
  return status;
}

int notify(const NotifyConfig& config, HistoryDb* history, const std::vector<NotifyEvent>& events) {
  if (!config.enabled()) return 0;
  int told = 0;
  for (const auto& event : events) {
    if (!config.wants(event.kind)) continue;
    if (history != nullptr) {
      auto seen = history->notification_sent(event.key);
      if (!seen) {
        spdlog::warn("cannot tell whether {} was already told ({}); telling it", event.key, seen.error().message);
      } else if (seen.value()) {
        continue;
      }
    }
    if (auto delivered = deliver(config, event); !delivered) {
      spdlog::error("cannot tell {}: {}", event.key, delivered.error().message);
      continue;  // not recorded: the next collect of this run tries again
    }
    ++told;
    spdlog::info("told {}: {}", event.key, event.summary);
    if (history != nullptr) {
      if (auto recorded = history->record_notification(event.key); !recorded) {
        spdlog::warn("told {}, but cannot remember it: {}", event.key, recorded.error().message);
      }
    }
  }
  return told;
}

}  // namespace dli
