// The real scheduler: Slurm's sbatch, squeue, sacct and scancel run as child processes (docs/slurm.md).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "dli/remote/job_scheduler.hpp"
#include "dli/remote/slurm_text.hpp"
#include "dli/util/child_process.hpp"

extern char** environ;

namespace dli {

namespace {

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout
  std::string errors;  // stderr
};

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string first_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  const std::size_t last = text.rfind('\n');
  return last == std::string::npos ? text : text.substr(last + 1);  // Slurm's last line says what went wrong
}

// A private temporary file holding `content`; empty path when it cannot be made.
std::string temp_file(const std::string& content) {
  char path[] = "/tmp/dli-slurm-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) return {};
  const bool written = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  if (!written) {
    ::unlink(path);
    return {};
  }
  return path;
}

class SlurmScheduler : public JobScheduler {
 public:
  explicit SlurmScheduler(SlurmCommands commands) : commands_(std::move(commands)) {}

  Result<std::string> submit(const JobRequest& request) override {
    std::vector<std::string> argv = {program("sbatch")};
    for (auto& arg : sbatch_arguments(request)) argv.push_back(std::move(arg));
    auto ran = run(argv, request.script);
    if (!ran) return ran.error();
    if (ran.value().exit_code != 0) {
      return Error{"sbatch refused the job: " + first_line(ran.value().errors + ran.value().output)};
    }
    return parse_sbatch_output(ran.value().output);
  }

  Result<std::map<std::string, JobRecord>> states(const std::vector<std::string>& ids) override {
    std::map<std::string, JobRecord> records;
    if (ids.empty()) return records;
    std::vector<std::string> argv = {program("squeue")};
    for (auto& arg : squeue_arguments(ids)) argv.push_back(std::move(arg));
    auto queued = run(argv, "");
    if (!queued) return queued.error();
    // squeue refuses a list of only forgotten ids ("Invalid job id specified"): sacct may still know them.
    if (queued.value().exit_code == 0) records = parse_squeue(queued.value().output);
    std::vector<std::string> forgotten;
    for (const auto& id : ids) {
      if (records.count(id) == 0) forgotten.push_back(id);
    }
    if (forgotten.empty()) return records;
    std::vector<std::string> accounting = {program("sacct")};
    for (auto& arg : sacct_arguments(forgotten)) accounting.push_back(std::move(arg));
    auto accounted = run(accounting, "");
    if (accounted && accounted.value().exit_code == 0) {
      for (auto& [id, record] : parse_sacct(accounted.value().output)) records.emplace(id, std::move(record));
    } else if (queued.value().exit_code != 0) {
      return Error{"squeue: " + first_line(queued.value().errors), true, ErrorKind::kUnreachable};
    }
    return records;
  }

  Status cancel(const std::vector<std::string>& ids) override {
    if (ids.empty()) return {};
    std::vector<std::string> argv = {program("scancel")};
    argv.insert(argv.end(), ids.begin(), ids.end());
    auto ran = run(argv, "");
    if (!ran) return ran.error();
    // scancel says so, and exits non-zero, for a job already over: what was asked is true either way.
    const std::string said = ran.value().errors + ran.value().output;
    if (ran.value().exit_code != 0 && said.find("already completing or completed") == std::string::npos &&
        said.find("Invalid job id") == std::string::npos) {
      return Error{"scancel: " + first_line(said)};
    }
    return {};
  }

 private:
  std::string program(const std::string& name) const {
    return commands_.bin_dir.empty() ? name : commands_.bin_dir + "/" + name;
  }

  // Runs a Slurm command with `input` on its stdin. The store's credentials stay out of its environment: sbatch
  // hands its environment to the job.
  Result<CommandRun> run(const std::vector<std::string>& argv, const std::string& input) const {
    ChildOptions options;
    options.argv = argv;
    options.timeout_seconds = commands_.timeout_seconds;
    options.scrub_env = true;
    for (char** variable = environ; *variable != nullptr; ++variable) {
      const std::string entry = *variable;
      const std::string name = entry.substr(0, entry.find('='));
      if (name == "DLI_STORE_USER" || name == "DLI_STORE_PASSWORD" || name == "DLI_CREDENTIALS_FILE") continue;
      options.extra_env.push_back(entry);
    }
    options.input_path = temp_file(input);
    options.output_path = temp_file("");
    options.error_path = temp_file("");
    if (options.input_path.empty() || options.output_path.empty() || options.error_path.empty()) {
      for (const auto& path : {options.input_path, options.output_path, options.error_path}) {
        if (!path.empty()) ::unlink(path.c_str());
      }
      return Error{std::string("cannot make a temporary file: ") + std::strerror(errno)};
    }
    spdlog::debug("slurm: {}", fmt::join(argv, " "));
    const ChildOutcome outcome = run_child(options);
    CommandRun result;
    result.output = read_whole(options.output_path);
    result.errors = read_whole(options.error_path);
    for (const auto& path : {options.input_path, options.output_path, options.error_path}) ::unlink(path.c_str());
    switch (outcome.kind) {
      case ChildOutcome::Kind::kExited: result.exit_code = outcome.exit_code; return result;
      case ChildOutcome::Kind::kSpawnFailed:
        return Error{fmt::format("cannot run {} ({}): is slurm-client installed?", argv.front(), outcome.error),
                     false, ErrorKind::kUnreachable};
      case ChildOutcome::Kind::kTimedOut:
        return Error{fmt::format("{} did not answer within {} s", argv.front(), commands_.timeout_seconds), true,
                     ErrorKind::kUnreachable};
      case ChildOutcome::Kind::kSignaled: break;
    }
    return Error{fmt::format("{} killed by signal {}", argv.front(), outcome.signal), true, ErrorKind::kUnreachable};
  }

  SlurmCommands commands_;
};

}  // namespace

std::unique_ptr<JobScheduler> make_slurm_scheduler(const SlurmCommands& commands) {
  return std::make_unique<SlurmScheduler>(commands);
}

}  // namespace dli
