#pragma once
// Fleet and sweep configuration: YAML parsed and validated into plain structs before anything runs.
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dli/ssh/ssh_target.hpp"
#include "dli/protocol/capacity_question.hpp"
#include "dli/protocol/test_spec.hpp"

namespace dli {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string key;      // dotted path of the offending key, e.g. "models[1].shape"
  std::string message;  // what was expected
  std::string str() const;  // "file:line:column: key: message"
};

// Thrown by the loaders; carries every problem found, not only the first.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// Where a value was written in a YAML file, kept for checks made after parsing (check_sweep_against_fleet).
struct SourceMark {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

struct HostLimits {
  int max_threads = 0;          // 0: no limit; tests asking for more threads are not planned on this host
  double test_timeout_cap = 0;  // seconds; 0: no cap; caps the sweep's per-test timeout on slow hosts
};

// Kind slurm: what the agent's batch job asks of the scheduler, from the host's `slurm.*` labels (docs/slurm.md).
// Empty: the cluster's default.
struct SlurmJobSettings {
  std::string partition;   // slurm.partition
  std::string account;     // slurm.account
  std::string qos;         // slurm.qos
  std::string time_limit;  // slurm.time, in one of sbatch's --time forms (checked when the fleet is read)
  std::string constraint;  // slurm.constraint: node features, sbatch's --constraint expression
  std::string gres;        // slurm.gres: generic resources such as GPUs ("gpu:1"), sbatch's --gres
  bool exclusive = true;   // slurm.exclusive: the node to itself, so that no other job disturbs the measurements
};

struct HostConfig {
  std::string name;
  std::string kind;  // "local" (this machine), "ssh" or "slurm" (a batch job on a cluster node)
  std::map<std::string, std::string> labels;
  HostLimits limits;
  std::string work_dir;  // agent's cache and scratch; default "/tmp/dli-agent-<name>"
  SshTarget ssh;           // kind ssh: how to reach it and which host key to trust
  std::string agent_path;  // kind ssh, slurm: dli-agent on that host; local hosts use the one beside the integrator
  SlurmJobSettings slurm;  // kind slurm
  // Why the host is in maintenance (`maintenance:`); empty when it is not. A host in maintenance is left out of
  // every sweep, keeps its history, and is named on the run's page.
  std::string maintenance;
};

// Who hears of a run that needs attention (`notify:`, docs/notifications.md): a hook command given each event as
// JSON on its standard input, and/or mail through the local sendmail. Empty: nobody.
struct NotifyConfig {
  std::vector<std::string> hook;     // argv; hook[0] an absolute path
  std::vector<std::string> mail_to;  // addresses
  std::string mail_from;
  std::string sendmail = "/usr/sbin/sendmail";
  std::vector<std::string> events;   // kinds to report; empty: every kind
  bool enabled() const { return !hook.empty() || !mail_to.empty(); }
  bool wants(const std::string& kind) const;
};

struct FleetConfig {
  std::string path;       // absolute path of the YAML file
  std::string store_url;  // optional `store:` URL; empty means the command line or the built-in default decides
  // Optional `history:` (docs/history.md): a database file (absolute once read) or a PostgreSQL URL without a
  // password; empty means the command line or the default beside the reports decides.
  std::string history;
  std::vector<HostConfig> hosts;
  int parallel = 16;  // hosts started at once
  NotifyConfig notify;
  const HostConfig* find(const std::string& name) const;
};

struct ModelConfig {
  std::string name;
  std::string file;    // absolute path (resolved against the sweep file's folder)
  std::string config;  // optional second file (Caffe prototxt, TensorFlow pbtxt); absolute or empty
  std::string format;  // onnx | caffe | tensorflow | torchscript
  std::vector<int64_t> input_shape;  // without the batch dimension, e.g. {3, 224, 224}
  std::string precision = "fp32";    // fp32 | fp16 | int8
};

struct LauncherConfig {
  std::string framework;  // a registered launcher name: opencv-dnn, null, ...
  std::map<std::string, std::string> params;  // framework-specific knobs, recorded in results
};

// A labelled dataset for a model's accuracy tests (docs/datasets.md).
struct AccuracyConfig {
  std::string model;    // a model name of the sweep: every format of it
  std::string dataset;  // absolute path: a .csv file or a folder of images with labels.txt
  int classes = 0;      // labels are in [0, classes)
  SourceMark dataset_mark;  // where `dataset` was written, for problems found when it is read
};

// The order of a host's tests (docs/methodology.md, "Repeats"): each test's repeats back to back, in rounds of
// every test, or shuffled.
enum class TestOrder { kGrouped, kInterleaved, kShuffled };
std::string to_string(TestOrder order);  // "grouped", "interleaved", "shuffled"

struct SweepConfig {
  std::string path;        // absolute path of the YAML file
  std::string name;
  std::string fleet_path;  // absolute path of the fleet file it refers to
  std::vector<std::string> hosts;  // host names as written; empty (or `hosts: all`) means every host of the fleet
  std::vector<SourceMark> host_marks;  // where each of `hosts` was written, same order (may be empty)
  std::vector<ModelConfig> models;
  std::vector<LauncherConfig> launchers;
  std::vector<int> batch_sizes;
  std::vector<Mode> modes;
  std::vector<int> threads;
  std::vector<int> async_requests = {2};  // requests in flight: async, server and offline modes
  std::vector<int> multi_stream_samples = {8};  // samples per query, multi_stream mode only
  std::vector<double> server_qps;               // target rates, server mode only (required with it)
  std::vector<std::string> devices = {"cpu"};  // cpu, cuda, cuda:N
  std::vector<AccuracyConfig> accuracy;
  MeasureConfig measure;
  TestOrder order = TestOrder::kGrouped;
  std::optional<std::uint64_t> order_seed;  // shuffled: the seed; absent: a new one each run
  std::vector<CapacityQuestion> capacity;   // questions every page of the run answers (`capacity:`)
};

// Parse and validate. Throw ConfigError listing every problem (file, line, column, key, expectation).
FleetConfig load_fleet(const std::string& path);
SweepConfig load_sweep(const std::string& path);
// Cross-checks between the two (unknown host names, ...). Throws ConfigError.
void check_sweep_against_fleet(const SweepConfig& sweep, const FleetConfig& fleet);

// How many tests the sweep asks of each host at most (before skipping what a framework cannot load or a host's thread
// limit): models x launchers x devices x batch sizes x (1 per sync, one per request count for async) x threads, plus
// one accuracy test per accuracy entry x launcher x device. A double: the product of the lists can pass 2^64.
double max_tests_per_host(const SweepConfig& sweep);
// Tests one mode adds per model x launcher x device x batch x threads: the request counts (async, server, offline)
// times the samples per query (multi_stream) times the rates (server); 1 for the others.
int tests_per_mode(const SweepConfig& sweep, Mode mode);

// Text variants for unit tests: `path` is only used in diagnostics and to resolve relative model paths.
FleetConfig parse_fleet(const std::string& yaml_text, const std::string& path);
SweepConfig parse_sweep(const std::string& yaml_text, const std::string& path);

}  // namespace dli
