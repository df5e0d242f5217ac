// dli_fleet_bench: how well one sweep fans out over a fleet (docs/benchmarks.md).
//
// The same sweep (K "null" tests of a fixed length per host) runs over 1, 2, 4 and 8 hosts, for each test length
// asked for. Every host is a network namespace with its own sshd; the store is a vsftpd in one more namespace; the
// real dli-integrator starts the real dli-agent on every host over SSH, as on a fleet. Since the hosts run in
// parallel, a sweep should last as long as its busiest host's own work plus a coordination cost that does not
// grow with the number of hosts. Figures per sweep:
//   ratio            = sweep wall time / longest host's own work (sum of its tests' elapsed_s); goal <= 1.10
//   FTP cmds / test  = commands the FTP server received during the sweep / tests in the sweep
//   coord ms / test  = (sweep wall - longest host's work) / tests per host
// then where wall - work goes (read from the agents' logs), the FTP traffic by client, and unit costs.
//
// Needs root (namespaces, sshd, a local FTP user), like the integration tests. Exit code 0 when every sweep
// measured every test (a missed goal is a figure, not a failure, unless --strict), 1 otherwise, 2 on bad usage.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "dli/store/credentials.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/ssh/ssh_session.hpp"
#include "dli/store/store.hpp"
#include "support/netns_sshd.hpp"
#include "support/netns_testbed.hpp"
#include "support/process.hpp"
#include "support/run_output.hpp"
#include "support/temp_dir.hpp"
#include "support/vsftpd_log.hpp"
#include "support/vsftpd_server.hpp"

namespace {

namespace fs = std::filesystem;
using dli::testing::CommandOutput;
using dli::testing::count_ftp;
using dli::testing::difference;
using dli::testing::FtpCounts;
using dli::testing::run_command;
using dli::testing::shell_quote;

constexpr int kMaxHosts = 8;
constexpr double kGoal = 1.10;

struct Settings {
  std::vector<int> host_counts = {1, 2, 4, 8};
  std::vector<int> test_ms = {200, 1000};  // simulated work per test: requests x sleep_ms
  int tests_per_host = 8;                   // K: batch sizes 1..K make K distinct tests
  int sleep_ms = 25;                        // per request of the null launcher
  std::string integrator = DLI_INTEGRATOR_EXE;  // --integrator, --agent: other builds, to compare a change
  std::string agent = DLI_AGENT_EXE;
  bool strict = false;                      // exit 1 when a sweep misses the goal
  bool verbose = false;                     // FTP commands by verb, integrator output, an agent's log
  std::string ftp_log;                      // --ftp-log: the server's protocol log is copied there at the end
  // --cold-models: every sweep's hosts start with an empty work dir (no model cached: a host's first run). By
  // default a host keeps its work dir from sweep to sweep, as on a fleet, and the warm-up sweep fills its cache.
  bool cold_models = false;
  // --repeat N: every row's sweep N times, the rows taken in turn (a drift of the machine's load spreads over all);
  // each row then shows its run of median ratio, and every ratio is listed.
  int repeat = 1;
};

// A test makes one untimed first request, then `iterations` timed ones (src/runner.cpp): together test_ms.
int iterations_for(const Settings& settings, int test_ms) { return std::max(1, test_ms / settings.sleep_ms - 1); }

void usage(std::ostream& out) {
  out << "usage: dli_fleet_bench [--hosts 1,2,4,8] [--test-ms 200,1000] [--tests K] [--sleep-ms S] [--strict] "
         "[--verbose]\n"
         "                       [--integrator PATH] [--agent PATH] [--ftp-log FILE] [--cold-models] [--repeat N]\n"
         "  Fans a sweep of K null tests per host (each test_ms of requests of S ms, plus its process's start)\n"
         "  out over namespace hosts through SSH and an FTP store, and compares the sweep's wall time with the\n"
         "  busiest host's own work. Needs root. Defaults: --hosts 1,2,4,8 --test-ms 200,1000 --tests 8\n"
         "  --sleep-ms 25, and the dli-integrator and dli-agent built with this program.\n";
}

int positive(const std::string& option, const std::string& text, int high) {
  std::size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < 1 || value > high) {
    throw std::invalid_argument(fmt::format("{}: expected an integer from 1 to {}, got '{}'", option, high, text));
  }
  return value;
}

std::vector<int> positive_list(const std::string& option, const std::string& text, int high) {
  std::vector<int> values;
  std::stringstream list(text);
  for (std::string item; std::getline(list, item, ',');) values.push_back(positive(option, item, high));
  if (values.empty()) throw std::invalid_argument(option + ": empty list");
  return values;
}

Settings parse_settings(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + ": missing value");
      return argv[++i];
    };
    if (arg == "--hosts") {
      settings.host_counts = positive_list(arg, value(), kMaxHosts);
    } else if (arg == "--test-ms") {
      settings.test_ms = positive_list(arg, value(), 600'000);
    } else if (arg == "--tests") {
      settings.tests_per_host = positive(arg, value(), 64);
    } else if (arg == "--sleep-ms") {
      settings.sleep_ms = positive(arg, value(), 60'000);
    } else if (arg == "--integrator") {
      settings.integrator = fs::absolute(value()).string();
    } else if (arg == "--agent") {
      settings.agent = fs::absolute(value()).string();
    } else if (arg == "--ftp-log") {
      settings.ftp_log = fs::absolute(value()).string();
    } else if (arg == "--strict") {
      settings.strict = true;
    } else if (arg == "--verbose") {
      settings.verbose = true;
    } else if (arg == "--cold-models") {
      settings.cold_models = true;
    } else if (arg == "--repeat") {
      settings.repeat = positive(arg, value(), 50);
    } else if (arg == "--help" || arg == "-h") {
      usage(std::cout);
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument '" + arg + "'");
    }
  }
  for (int test_ms : settings.test_ms) {
    if (test_ms < 2 * settings.sleep_ms) {
      throw std::invalid_argument(fmt::format("--test-ms {}: at least two requests of --sleep-ms {} per test",
                                              test_ms, settings.sleep_ms));
    }
  }
  return settings;
}

// ---- time stamps in logs ----------------------------------------------------------------------------------------

using WallClock = std::chrono::system_clock;

// "2026-11-21T19:30:00.123" at the start of a log line (UTC: the agent logs in UTC, and the integrator, which logs in
// local time, runs with TZ=UTC). nullopt when the line does not start with one.
std::optional<WallClock::time_point> line_time(const std::string& line) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  if (std::sscanf(line.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d", &year, &month, &day, &hour, &minute, &second,
                  &millis) != 7) {
    return std::nullopt;
  }
  std::tm fields{};
  fields.tm_year = year - 1900;
  fields.tm_mon = month - 1;
  fields.tm_mday = day;
  fields.tm_hour = hour;
  fields.tm_min = minute;
  fields.tm_sec = second;
  return WallClock::from_time_t(::timegm(&fields)) + std::chrono::milliseconds(millis);
}

double seconds(WallClock::duration span) { return std::chrono::duration<double>(span).count(); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// ---- the test bed -----------------------------------------------------------------------------------------------

std::string yaml_quoted(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

// Eight sshd hosts and one FTP host on one bridge, a client key and known_hosts, the store's credentials in a 0600
// netrc file named by DLI_CREDENTIALS_FILE (inherited by the integrator, which hands them to the agents over SSH).
// Members are destroyed in reverse order: the servers before the namespaces, the files last.
class Bed {
 public:
  explicit Bed(std::string agent_exe) : agent_exe_(std::move(agent_exe)), bed_(kMaxHosts + 1) {
    key_ = dli::testing::make_client_key(dir_.str(), "client_ed25519");
    known_hosts_ = dir_.write("known_hosts", "");
    for (int i = 0; i < kMaxHosts; ++i) {
      sshds_.push_back(std::make_unique<dli::testing::NetnsSshd>(bed_, i, key_));
      sshds_.back()->write_known_hosts(known_hosts_);
    }
    dli::testing::VsftpdOptions options;
    options.netns = bed_.host(kMaxHosts).netns;
    options.address = bed_.host(kMaxHosts).address;
    options.passive_ports = 64;  // nine clients transferring at once
    ftp_ = std::make_unique<dli::testing::VsftpdServer>(options);
    write_credentials();
  }
  ~Bed() {
    stop_agents(0);
    ftp_.reset();
    sshds_.clear();
    if (const std::string left = bed_.teardown(); !left.empty()) std::cerr << "test bed leftovers: " << left << "\n";
  }
  Bed(const Bed&) = delete;
  Bed& operator=(const Bed&) = delete;

  const dli::testing::TempDir& dir() const { return dir_; }
  const dli::testing::NetnsTestbed& net() const { return bed_; }
  dli::testing::NetnsSshd& sshd(int i) const { return *sshds_.at(static_cast<std::size_t>(i)); }
  const dli::testing::SshClientKey& key() const { return key_; }
  const std::string& known_hosts() const { return known_hosts_; }
  dli::testing::VsftpdServer& ftp() const { return *ftp_; }
  std::string store_url() const { return ftp_->url("dli"); }
  std::string store_folder() const { return ftp_->home() + "/dli"; }

  // dli-agent processes (agents and their tests) still alive in the host namespaces. The agents detach from SSH,
  // so no server's process tree holds them: they are found by namespace and executable.
  std::vector<pid_t> agents() const {
    std::vector<pid_t> found;
    const std::string agent = fs::weakly_canonical(agent_exe_).string();
    for (int i = 0; i < kMaxHosts; ++i) {
      std::istringstream pids(run_command("ip netns pids " + shell_quote(bed_.host(i).netns)).output);
      for (long pid = 0; pids >> pid;) {
        std::error_code error;
        const fs::path exe = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", error);
        if (!error && exe.string() == agent) found.push_back(static_cast<pid_t>(pid));
      }
    }
    return found;
  }

  // Waits up to `patience` seconds for the agents to end by themselves (the integrator may exit while an agent
  // still uploads its log), then kills what is left. Returns whether they had all ended by themselves.
  bool stop_agents(double patience) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(patience);
    for (;;) {
      const std::vector<pid_t> left = agents();
      if (left.empty()) return true;
      if (std::chrono::steady_clock::now() >= until) {
        for (pid_t pid : left) ::kill(pid, SIGKILL);
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  void write_credentials() {
    dli::Credentials credentials;
    credentials.user = ftp_->user();
    credentials.password = ftp_->password();
    const std::string text = dli::render_netrc(ftp_->address(), credentials);
    const std::string path = dir_.str("store.netrc");
    // Created 0600: the lookup refuses a credentials file others may read.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      if (fd >= 0) ::close(fd);
      throw std::runtime_error("cannot write " + path);
    }
    ::close(fd);
    ::setenv("DLI_CREDENTIALS_FILE", path.c_str(), 1);
  }

  std::string agent_exe_;
  dli::testing::TempDir dir_;
  dli::testing::NetnsTestbed bed_;
  dli::testing::SshClientKey key_;
  std::string known_hosts_;
  std::vector<std::unique_ptr<dli::testing::NetnsSshd>> sshds_;
  std::unique_ptr<dli::testing::VsftpdServer> ftp_;
};

// ---- one fan-out ------------------------------------------------------------------------------------------------

// What an agent's log says about its run (src/agent.cpp writes these lines, in this order):
//   "dli-agent <version> pid <pid>: ..."            first line, before the store is opened
//   "run <run> host <host>: <K> tests, store ..."    store opened, task list read, first heartbeat written
//   "[i/K] <label> (<id>): running"                 a test is about to start (model fetch and child follow)
//   "[i/K] <label>: ok in <s> s"                     its child ended; its log and result are published next
//   "run <run> host <host>: <n> ran, ..."            last line, after the final heartbeat
struct AgentTimeline {
  std::optional<WallClock::time_point> first, ready, last;
  std::vector<WallClock::time_point> running, ended;
};

struct HostFigures {
  std::string name;
  int results = 0;
  int ok = 0;
  double work_s = 0;  // sum of its tests' elapsed_s
  AgentTimeline agent;
  std::string log;  // its agent.log, kept with --verbose
  bool timeline_complete() const {
    return agent.first && agent.ready && agent.last && !agent.running.empty() &&
           agent.running.size() == agent.ended.size();
  }
};

// The sweep's wall time cut along the host whose agent ended last, each part in seconds.
struct Breakdown {
  double launch = 0;         // integrator start -> that agent's first log line (publish, SSH, agent exec)
  double agent_init = 0;     // -> its task list read and first heartbeat written (store login)
  double in_tests = 0;       // its tests' "running" -> "ok" spans, less their elapsed_s (model fetch, spawn)
  double between_tests = 0;  // "ok" -> next "running": log and result published, next one checked, heartbeat
  double agent_end = 0;      // last "ok" -> the agent's last line (publish, final heartbeat)
  double tail = 0;           // -> integrator exit (next status poll, collect, reports)
};

struct Round {
  int test_ms = 0;
  int hosts = 0;
  int tests = 0;  // planned: hosts * K
  double wall_s = 0;
  int exit_code = -1;
  std::string run_id;
  std::vector<HostFigures> per_host;
  FtpCounts ftp;
  std::optional<Breakdown> breakdown;  // when every agent's log could be read
  double ssh_s = -1;      // integrator start -> its last start command's return ("agent started over SSH")
  double collect_s = -1;  // `dli-integrator collect` of the same run, alone (part of the tail)
  std::string problem;    // why this round's figures cannot be trusted; empty when they can
  std::string output;     // the integrator's

  double longest_work_s() const {
    double longest = 0;
    for (const auto& host : per_host) longest = std::max(longest, host.work_s);
    return longest;
  }
  int measured() const {
    int ok = 0;
    for (const auto& host : per_host) ok += host.ok;
    return ok;
  }
};

std::string host_name(int i) { return "h" + std::to_string(i); }

void write_configs(const Bed& bed, const Settings& settings, const Round& round, const std::string& folder) {
  const int hosts = round.hosts;
  std::string fleet = "hosts:\n";
  for (int i = 0; i < hosts; ++i) {
    fleet += fmt::format(
        "  - name: {}\n"
        "    kind: ssh\n"
        "    address: {}\n"
        "    port: {}\n"
        "    user: {}\n"
        "    key_file: {}\n"
        "    known_hosts: {}\n"
        "    connect_timeout: 5\n"
        "    agent_path: {}\n"
        "    work_dir: {}\n",
        host_name(i), bed.net().host(i).address, bed.sshd(i).port(), yaml_quoted(bed.sshd(i).user()),
        yaml_quoted(bed.key().private_key), yaml_quoted(bed.known_hosts()), yaml_quoted(settings.agent),
        yaml_quoted(settings.cold_models ? folder + "/work/" + host_name(i) : bed.dir().str("work/" + host_name(i))));
  }
  bed.dir().write(fs::path(folder).filename().string() + "/fleet.yaml", fleet);

  std::string batches;
  for (int b = 1; b <= settings.tests_per_host; ++b) batches += (b > 1 ? ", " : "") + std::to_string(b);
  // The null launcher never reads the model: any small file will do, and it still travels through the store.
  bed.dir().write(fs::path(folder).filename().string() + "/blank.onnx", std::string(1024, 'x'));
  const std::string sweep = fmt::format(
      "name: {name}\n"
      "fleet: fleet.yaml\n"
      "hosts: all\n"
      "models:\n"
      "  - name: blank\n"
      "    file: blank.onnx\n"
      "    format: onnx\n"
      "    input_shape: [1]\n"
      "launchers:\n"
      "  - {{framework: \"null\", params: {{sleep_ms: {sleep}}}}}\n"
      "batch_sizes: [{batches}]\n"
      "modes: [sync]\n"
      "threads: [1]\n"
      "measure: {{iterations: {iterations}, min_seconds: 0, warmup_iterations: 0, warmup_seconds: 0, "
      "timeout_seconds: 60}}\n",
      fmt::arg("name", fs::path(folder).filename().string()), fmt::arg("sleep", settings.sleep_ms),
      fmt::arg("batches", batches), fmt::arg("iterations", iterations_for(settings, round.test_ms)));
  bed.dir().write(fs::path(folder).filename().string() + "/sweep.yaml", sweep);
}

void read_host(const std::string& host_folder, HostFigures& host) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(host_folder + "/results", error)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    const dli::TestResult result = dli::test_result_from_json(nlohmann::json::parse(in));
    ++host.results;
    if (result.status == dli::TestStatus::kOk) ++host.ok;
    host.work_s += result.elapsed_seconds;
  }
  AgentTimeline& agent = host.agent;
  for (const std::string& line : lines_of(dli::testing::read_file(host_folder + "/agent.log"))) {
    const auto at = line_time(line);
    if (!at) continue;
    if (!agent.first) agent.first = at;
    agent.last = at;
    if (line.find(" tests, store ") != std::string::npos) agent.ready = at;
    if (line.find("] ") == std::string::npos) continue;
    if (line.find("): running") != std::string::npos) agent.running.push_back(*at);
    if (line.find(": ok in ") != std::string::npos) agent.ended.push_back(*at);
  }
}

std::optional<Breakdown> breakdown_of(const Round& round, WallClock::time_point start, WallClock::time_point end) {
  const HostFigures* last = nullptr;
  for (const auto& host : round.per_host) {
    if (!host.timeline_complete()) return std::nullopt;
    if (last == nullptr || *host.agent.last > *last->agent.last) last = &host;
  }
  if (last == nullptr) return std::nullopt;
  const AgentTimeline& agent = last->agent;
  Breakdown parts;
  parts.launch = seconds(*agent.first - start);
  parts.agent_init = seconds(agent.running.front() - *agent.first);
  for (std::size_t i = 0; i < agent.running.size(); ++i) {
    parts.in_tests += seconds(agent.ended[i] - agent.running[i]);
    if (i + 1 < agent.running.size()) parts.between_tests += seconds(agent.running[i + 1] - agent.ended[i]);
  }
  parts.in_tests -= last->work_s;
  parts.agent_end = seconds(*agent.last - agent.ended.back());
  parts.tail = seconds(end - *agent.last);
  return parts;
}

Round run_round(const Bed& bed, const Settings& settings, int test_ms, int hosts) {
  Round round;
  round.test_ms = test_ms;
  round.hosts = hosts;
  round.tests = hosts * settings.tests_per_host;
  const std::string folder = bed.dir().str(fmt::format("fanout-{}ms-{}x{}", test_ms, hosts, settings.tests_per_host));
  write_configs(bed, settings, round, folder);

  const FtpCounts before = count_ftp(bed.ftp().log());
  // -v: the integrator's debug lines, for reading along with the agents' logs.
  const std::string command = shell_quote(settings.integrator) + (settings.verbose ? " -v" : "") + " run " +
                              shell_quote(folder + "/sweep.yaml") +
                              " --store " + shell_quote(bed.store_url()) + " --out " +
                              shell_quote(folder + "/out") + " --no-progress";
  const auto start = WallClock::now();
  const auto steady_start = std::chrono::steady_clock::now();
  const CommandOutput ran = run_command(command);
  round.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - steady_start).count();
  const auto end = WallClock::now();
  round.exit_code = ran.exit_code;
  round.output = ran.output;
  // Agents publish their own log after their last heartbeat, possibly after the integrator has collected: the
  // server's counts and the agent logs are complete only once every agent has ended.
  if (!bed.stop_agents(30)) round.problem = "agents still running 30 s after the integrator ended (killed)";
  round.ftp = difference(count_ftp(bed.ftp().log()), before);

  round.run_id = dli::testing::run_id_from(ran.output);
  if (round.run_id.empty()) {
    round.problem = "no run id in the integrator's output";
    return round;
  }
  for (int i = 0; i < hosts; ++i) {
    HostFigures host;
    host.name = host_name(i);
    const std::string host_folder = bed.store_folder() + "/runs/" + round.run_id + "/hosts/" + host.name;
    try {
      read_host(host_folder, host);
    } catch (const std::exception& error) {  // a result the protocol's reader refuses
      round.problem = fmt::format("{}: {}", host_folder, error.what());
    }
    if (settings.verbose) host.log = dli::testing::read_file(host_folder + "/agent.log");
    round.per_host.push_back(host);
  }
  if (ran.exit_code != 0 && round.problem.empty()) {
    round.problem = fmt::format("dli-integrator exited with {}", ran.exit_code);
  }
  if (round.measured() != round.tests && round.problem.empty()) {
    round.problem = fmt::format("{} of {} tests measured", round.measured(), round.tests);
  }

  round.breakdown = breakdown_of(round, start, end);
  // The moment each start command returned ("agent started over SSH"): the integrator says "host X: agent
  // started" only after publishing the run, which its agents no longer wait for.
  for (const char* said : {"agent started over SSH", ": agent started"}) {
    for (const std::string& line : lines_of(ran.output)) {
      if (line.find(said) == std::string::npos) continue;
      if (const auto at = line_time(line)) round.ssh_s = std::max(round.ssh_s, seconds(*at - start));
    }
    if (round.ssh_s >= 0) break;
  }
  // Collecting again, alone, tells how much of the tail is the collection itself rather than waiting for the
  // next status poll (after the FTP count: it is not part of the sweep).
  const auto collect_start = std::chrono::steady_clock::now();
  const CommandOutput collected =
      run_command(shell_quote(settings.integrator) + " collect " + shell_quote(round.run_id) + " --store " +
                  shell_quote(bed.store_url()) + " --out " + shell_quote(folder + "/collect"));
  if (collected.exit_code == 0) {
    round.collect_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - collect_start).count();
  }
  return round;
}

// ---- unit costs ---------------------------------------------------------------------------------------------

// What one step of the coordination costs alone, to explain the sweep's figures: medians of a few repetitions.
struct UnitCosts {
  double ssh_connect_ms = -1;  // TCP + SSH handshake + key authentication, to one host
  double ssh_exec_ms = -1;     // one short command over that connection
  double agent_exec_ms = -1;   // `dli-agent --version`: starting the agent binary (each test's child starts it)
  double login_ms = -1;  // opening the store and its first operation (FTP connection and login), as an agent does
  double put_ms = -1, get_ms = -1, exists_ms = -1;  // one store operation on a heartbeat-sized object
  double put_cmds = -1, get_cmds = -1, exists_cmds = -1;  // FTP commands each
};

// What the bed itself allows: a host's start costs this machine's CPUs the unit costs above (the SSH connection,
// the start command, the agent's exec, the agent's store login), and N hosts started at once share its CPUs; a
// fleet of N machines runs them side by side. A lower bound of each row's ratio that no coordination can beat
// here (the integrator's own start and everything after the first test come on top).
void print_start_floor(std::ostream& out, const UnitCosts& costs, const std::vector<Round>& rounds) {
  if (costs.ssh_connect_ms < 0 || costs.ssh_exec_ms < 0 || costs.agent_exec_ms < 0 || costs.login_ms < 0) return;
  const double per_host_s = (costs.ssh_connect_ms + costs.ssh_exec_ms + costs.agent_exec_ms + costs.login_ms) / 1000;
  const double cpus = std::max(1u, std::thread::hardware_concurrency());
  out << fmt::format("start floor: one host's start costs {:.0f} ms of this machine (SSH connect + first command + "
                     "agent exec + store login);\n  hosts started at once share its {:.0f} CPUs, a fleet's do not. "
                     "Lowest ratio the bed allows:",
                     1000 * per_host_s, cpus);
  for (const Round& round : rounds) {
    const double work = round.longest_work_s();
    if (work <= 0) continue;
    const double floor_s = per_host_s * std::max(1.0, round.hosts / cpus);
    out << fmt::format(" {} ms x {}: {:.3f};", round.test_ms, round.hosts, (work + floor_s) / work);
  }
  out << "\n";
}

double median(std::vector<double> values) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

template <class Step>
double median_ms(int repetitions, Step step) {
  std::vector<double> samples;
  for (int i = 0; i < repetitions; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (!step()) return -1;
    samples.push_back(1000 * std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return median(samples);
}

UnitCosts probe_unit_costs(const Bed& bed, const Settings& settings) {
  UnitCosts costs;
  dli::SshTarget target;
  target.address = bed.net().host(0).address;
  target.port = bed.sshd(0).port();
  target.user = bed.sshd(0).user();
  target.key_file = bed.key().private_key;
  target.known_hosts = bed.known_hosts();
  target.connect_timeout_seconds = 5;
  std::vector<double> connects, execs;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto session = dli::SshSession::connect(target);
    const auto connected = std::chrono::steady_clock::now();
    if (!session) break;
    if (!session.value().exec("true", "", 10)) break;
    connects.push_back(1000 * std::chrono::duration<double>(connected - start).count());
    execs.push_back(1000 * std::chrono::duration<double>(std::chrono::steady_clock::now() - connected).count());
  }
  costs.ssh_connect_ms = median(connects);
  costs.ssh_exec_ms = median(execs);
  costs.agent_exec_ms = median_ms(5, [&] {
    return run_command(shell_quote(settings.agent) + " --version").exit_code == 0;
  });

  // From this namespace, like the integrator; the agents' namespaces are one bridge away from the server too.
  costs.login_ms = median_ms(5, [&] {
    auto fresh = dli::open_store(bed.store_url());
    return fresh.ok() && fresh.value()->exists("probe").ok();
  });
  auto opened = dli::open_store(bed.store_url());
  if (!opened) return costs;
  dli::Store& store = *opened.value();
  const std::string key = "probe/runs/r/hosts/h/status.json";  // as deep as the keys of a run
  const std::string document(600, 'x');
  constexpr int kRepetitions = 20;
  auto measure = [&](double& ms, double& commands, auto step) {
    const long before = count_ftp(bed.ftp().log()).commands;
    ms = median_ms(kRepetitions, step);
    commands = static_cast<double>(count_ftp(bed.ftp().log()).commands - before) / kRepetitions;
  };
  measure(costs.put_ms, costs.put_cmds, [&] { return store.put(key, document).ok(); });
  measure(costs.get_ms, costs.get_cmds, [&] { return store.get(key).ok(); });
  measure(costs.exists_ms, costs.exists_cmds, [&] { return store.exists(key).ok(); });
  return costs;
}

// ---- report -----------------------------------------------------------------------------------------------------

std::string figure(double value, const char* format) {
  return value < 0 ? std::string("-") : fmt::format(fmt::runtime(format), value);
}

const HostFigures* ended_last(const Round& round) {
  const HostFigures* last = nullptr;
  for (const auto& host : round.per_host) {
    if (host.agent.last && (last == nullptr || *host.agent.last > *last->agent.last)) last = &host;
  }
  return last;
}

// ---- repeated rows ------

double ratio_of(const Round& round) {
  const double work = round.longest_work_s();
  return round.problem.empty() && work > 0 ? round.wall_s / work : -1;
}

// The run of median ratio, whole (its breakdown and traffic belong to it); a failed run counts as the worst.
Round median_round(std::vector<Round> runs) {
  std::sort(runs.begin(), runs.end(), [](const Round& a, const Round& b) {
    const double x = ratio_of(a) < 0 ? 1e9 : ratio_of(a);
    const double y = ratio_of(b) < 0 ? 1e9 : ratio_of(b);
    return x < y;
  });
  return runs[runs.size() / 2];
}

void print_every_ratio(std::ostream& out, const std::vector<std::vector<Round>>& runs) {
  out << "\nevery run's ratio (each row above is its median run)\n";
  for (const auto& row : runs) {
    if (row.empty()) continue;
    std::string listed;
    double sum = 0;
    int measured = 0;
    for (const Round& round : row) {
      const double ratio = ratio_of(round);
      listed += fmt::format(" {}", figure(ratio, "{:.3f}"));
      if (ratio < 0) continue;  // ERR: a run that did not measure every test
      sum += ratio;
      ++measured;
    }
    out << fmt::format("{:>7} {:>5} :{}   mean {}\n", row.front().test_ms, row.front().hosts, listed,
                       figure(measured > 0 ? sum / measured : -1, "{:.3f}"));
    for (const Round& round : row) {
      if (!round.problem.empty()) out << fmt::format("  run {}: {}\n", round.run_id, round.problem);
    }
  }
}

void print_report(const Settings& settings, const Bed& bed, const std::vector<Round>& rounds,
                  const UnitCosts& costs, const std::string& load_before) {
  const int k = settings.tests_per_host;
  std::cout << fmt::format(
      "\nfleet fan-out: {} null tests per host of test_ms each (requests of {} ms); store {} (FTP); {} CPUs, "
      "load average {} before the sweeps\n\n",
      k, settings.sleep_ms, bed.store_url(), std::thread::hardware_concurrency(), load_before);
  std::cout << fmt::format("{:>7} {:>5} {:>6} {:>8} {:>14} {:>7} {:>5} {:>14} {:>14}\n", "test_ms", "hosts", "tests",
                           "wall s", "longest work s", "ratio", "goal", "FTP cmds/test", "coord ms/test");
  for (const Round& round : rounds) {
    const double longest = round.longest_work_s();
    const bool valid = round.problem.empty() && longest > 0;
    const double ratio = valid ? round.wall_s / longest : -1;
    const std::string verdict = !valid ? "ERR" : ratio <= kGoal ? "PASS" : "MISS";
    std::cout << fmt::format("{:>7} {:>5} {:>6} {:>8.2f} {:>14} {:>7} {:>5} {:>14} {:>14}\n", round.test_ms,
                             round.hosts, round.tests, round.wall_s, figure(valid ? longest : -1, "{:.2f}"),
                             figure(ratio, "{:.3f}"), verdict,
                             figure(static_cast<double>(round.ftp.commands) / round.tests, "{:.1f}"),
                             figure(valid ? 1000 * (round.wall_s - longest) / k : -1, "{:.0f}"));
  }
  std::cout << fmt::format(
      "ratio = wall / longest work (a host's work: the sum of its tests' elapsed_s, process start included); "
      "goal <= {:.2f}\n"
      "FTP cmds/test = commands the server received during the sweep / tests; "
      "coord ms/test = (wall - longest work) / {} tests per host\n",
      kGoal, k);

  // wall - work, cut along the host whose agent ended last: before it ran, inside it, after it.
  std::cout << "\nwhere wall - work goes (s), along the agent that ended last\n";
  std::cout << fmt::format("{:>7} {:>5} {:>7} {:>7} {:>7} {:>9} {:>8} {:>7} {:>7} {:>9} {:>14}\n", "test_ms",
                           "hosts", "launch", "(ssh)", "init", "in tests", "between", "end", "tail", "(collect)",
                           "agent ms/test");
  for (const Round& round : rounds) {
    if (!round.breakdown) {
      std::cout << fmt::format("{:>7} {:>5} (agent logs incomplete)\n", round.test_ms, round.hosts);
      continue;
    }
    const Breakdown& b = *round.breakdown;
    // Every agent's own overhead: its log's span less its tests' elapsed_s, per test; the worst host.
    double agent_overhead = 0;
    for (const auto& host : round.per_host) {
      agent_overhead = std::max(agent_overhead, seconds(*host.agent.last - *host.agent.first) - host.work_s);
    }
    std::cout << fmt::format(
        "{:>7} {:>5} {:>7.2f} {:>7} {:>7.2f} {:>9.2f} {:>8.2f} {:>7.2f} {:>7.2f} {:>9} {:>14.0f}\n", round.test_ms,
        round.hosts, b.launch, figure(round.ssh_s, "{:.2f}"), b.agent_init, b.in_tests, b.between_tests, b.agent_end,
        b.tail, figure(round.collect_s, "{:.2f}"), 1000 * agent_overhead / k);
  }
  std::cout << "  launch:   integrator start -> the agent's first log line (config, publish, SSH, agent exec)\n"
               "  (ssh):    integrator start -> its last start command's return (part of launch)\n"
               "  init:     agent's first line -> its first test starts (task list, runners, host description)\n"
               "  in tests: each test's 'running' -> 'ok' lines less its elapsed_s (model fetch if not cached)\n"
               "  between:  'ok' -> next 'running' (log and result published, next result looked up, heartbeat)\n"
               "  end:      last 'ok' -> agent's last line (log and result published, final heartbeat)\n"
               "  tail:     agent's last line -> integrator exit (agent log, exit seen, last poll, collect, reports)\n"
               "  (collect): `dli-integrator collect` of the same run on its own (part of tail)\n"
               "  agent ms/test: (agent log's span - its tests' elapsed_s) / tests, worst host\n";

  std::cout << "\nFTP traffic per sweep\n";
  std::cout << fmt::format("{:>7} {:>5} {:>12} {:>11} {:>8} {:>16} {:>12}\n", "test_ms", "hosts", "connections",
                           "integrator", "agents", "integrator/test", "agents/test");
  for (const Round& round : rounds) {
    long integrator = 0;
    const auto found = round.ftp.commands_by_client.find(bed.net().root_address());
    if (found != round.ftp.commands_by_client.end()) integrator = found->second;
    const long agents = round.ftp.commands - integrator;
    std::cout << fmt::format("{:>7} {:>5} {:>12} {:>11} {:>8} {:>16.1f} {:>12.1f}\n", round.test_ms, round.hosts,
                             round.ftp.connections, integrator, agents, static_cast<double>(integrator) / round.tests,
                             static_cast<double>(agents) / round.tests);
  }

  std::cout << fmt::format(
      "\nunit costs (medians): SSH connect {} ms, first SSH command {} ms, dli-agent exec {} ms;\n"
      "  store login {} ms; on one key: put {} ms ({} FTP cmds), get {} ms ({}), exists {} ms ({})\n",
      figure(costs.ssh_connect_ms, "{:.1f}"), figure(costs.ssh_exec_ms, "{:.1f}"),
      figure(costs.agent_exec_ms, "{:.1f}"), figure(costs.login_ms, "{:.1f}"), figure(costs.put_ms, "{:.2f}"),
      figure(costs.put_cmds, "{:.0f}"), figure(costs.get_ms, "{:.2f}"), figure(costs.get_cmds, "{:.0f}"),
      figure(costs.exists_ms, "{:.2f}"), figure(costs.exists_cmds, "{:.0f}"));
  print_start_floor(std::cout, costs, rounds);

  for (const Round& round : rounds) {
    if (!round.problem.empty()) {
      std::cout << fmt::format("\n{} ms tests, {} hosts: {}\n{}", round.test_ms, round.hosts, round.problem,
                               round.output);
    }
    if (settings.verbose) {
      std::cout << fmt::format("\n{} ms tests, {} hosts, run {}: FTP commands by verb:", round.test_ms, round.hosts,
                               round.run_id);
      for (const auto& [verb, count] : round.ftp.commands_by_verb) {
        if (count > 0) std::cout << fmt::format(" {} {}", verb, count);
      }
      std::cout << "\n" << round.output;
      if (const HostFigures* last = ended_last(round)) {
        std::cout << fmt::format("agent.log of {} (ended last):\n{}", last->name, last->log);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  try {
    settings = parse_settings(argc, argv);
  } catch (const std::invalid_argument& error) {
    std::cerr << "dli_fleet_bench: " << error.what() << "\n";
    usage(std::cerr);
    return 2;
  }
  if (::geteuid() != 0) {
    std::cerr << "dli_fleet_bench: needs root (network namespaces, sshd, an FTP user); no figures measured\n";
    return 1;
  }
  // The integrator logs in local time; UTC makes its lines comparable with the agents'.
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  try {
    const auto set_up = std::chrono::steady_clock::now();
    Bed bed(settings.agent);
    std::cout << fmt::format("test bed: {} sshd hosts and an FTP host up in {:.1f} s\n", kMaxHosts,
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - set_up).count());
    // Other work on this machine shows up in every figure: the report says how busy it was.
    std::string load_before = dli::testing::read_file("/proc/loadavg");
    load_before = load_before.substr(0, load_before.find(' '));
    // Nights after the first: the store holds the model already, and every host has it in its cache. An untimed
    // sweep of one test per host uploads it, fetches it into each host's cache (kept from sweep to sweep unless
    // --cold-models) and brings the binaries into the page cache, so that no row pays a one-time cost.
    {
      Settings warm_up = settings;
      warm_up.tests_per_host = 1;
      const int all = *std::max_element(settings.host_counts.begin(), settings.host_counts.end());
      const Round round = run_round(bed, warm_up, settings.test_ms.front(), all);
      std::cout << fmt::format("  warm-up sweep (uploads the model): {:.2f} s{}\n", round.wall_s,
                               round.problem.empty() ? "" : " (" + round.problem + ")");
    }
    // runs[row]: every run of that row (test_ms, hosts), in the order of the report.
    std::vector<std::vector<Round>> runs(settings.test_ms.size() * settings.host_counts.size());
    for (int pass = 0; pass < settings.repeat; ++pass) {
      std::size_t row = 0;
      for (int test_ms : settings.test_ms) {
        for (int hosts : settings.host_counts) {
          runs[row].push_back(run_round(bed, settings, test_ms, hosts));
          const Round& round = runs[row++].back();
          std::cout << fmt::format("  {} ms tests, {} hosts: {:.2f} s{}\n", test_ms, hosts, round.wall_s,
                                   round.problem.empty() ? "" : " (" + round.problem + ")")
                    << std::flush;
        }
      }
    }
    std::vector<Round> rounds;
    for (auto& row : runs) rounds.push_back(median_round(row));
    print_report(settings, bed, rounds, probe_unit_costs(bed, settings), load_before);
    if (settings.repeat > 1) print_every_ratio(std::cout, runs);
    if (!settings.ftp_log.empty()) std::ofstream(settings.ftp_log) << bed.ftp().log();
    bool failed = false, missed = false;
    for (const auto& row : runs) {
      for (const Round& round : row) failed = failed || !round.problem.empty();  // any run, not only the median
    }
    for (const Round& round : rounds) missed = missed || round.wall_s > kGoal * round.longest_work_s();
    return failed || (settings.strict && missed) ? 1 : 0;
  } catch (const std::exception& error) {
    std::cerr << "dli_fleet_bench: " << error.what() << "\n";
    return 1;
  }
}
