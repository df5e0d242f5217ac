// The sweep file: what to measure (models x launchers x batch sizes x modes x threads) and on which hosts.
#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <unordered_set>
#include <vector>

#include "config_files.hpp"
#include "config_sweep_sections.hpp"
#include "dli/config/config.hpp"
#include "dli/config/config_limits.hpp"
#include "yaml_reader.hpp"

namespace dli {
namespace {

using namespace config_yaml;

const std::vector<std::string> kSweepKeys = {"name",    "fleet",          "hosts",   "models",   "launchers",
                                             "batch_sizes", "modes", "threads", "async_requests", "devices",
                                             "accuracy", "measure", "multi_stream_samples", "server_qps",
                                             "order", "order_seed", "capacity"};
const std::vector<std::string> kAccuracyKeys = {"model", "dataset", "classes"};
constexpr IntRange kClassRange{1, 1000000};
constexpr int kMaxCudaIndex = 63;
const std::vector<std::string> kMeasureKeys = {
    "iterations",      "min_seconds",    "warmup_iterations", "warmup_seconds",     "timeout_seconds",
    "memory_limit_mb", "max_iterations", "max_seconds",       "max_cv",             "latency_bound_ms",
    "latency_percentile", "server_search", "search_trials", "repeats",
    "max_repeat_cv", "max_busy_share", "pin_cpus"};
// accuracy tests come from `accuracy:`
const std::vector<std::string> kModeNames = {"sync",         "async",  "single_stream",
                                             "multi_stream", "server", "offline"};
constexpr IntRange kSamplesPerQueryRange{1, 4096};
const NumberRange kQpsRange{0, true, 1e9, nullptr};
const NumberRange kCvRange{0, false, 1000, nullptr};
const NumberRange kShareRange{0, false, 1, nullptr};
const NumberRange kBoundMsRange{0, false, config_limits::kMaxMeasureSeconds * 1000, "a day"};
const NumberRange kPercentileRange{0, true, 99.99, nullptr};
constexpr IntRange kSearchTrialsRange{1, 64};
constexpr IntRange kRepeatsRange{1, kMaxRepeats};
const std::vector<std::string> kOrderNames = {"grouped", "interleaved", "shuffled"};
constexpr IntRange kBatchRange{1, 4096};
constexpr IntRange kThreadRange{1, 1024};
constexpr IntRange kRequestRange{1, 256};
constexpr IntRange kMemoryLimitRange{1, 16 * 1024 * 1024};  // MiB: up to 16 TiB; beyond it surely a typo
const NumberRange kMeasureSecondsRange{0, false, config_limits::kMaxMeasureSeconds, "a day"};
const NumberRange kTimeoutRange{0, true, config_limits::kMaxTestTimeoutSeconds, "7 days"};

std::vector<int> to_ints(const std::vector<long long>& values) {
  return std::vector<int>(values.begin(), values.end());  // ranges above keep every value within int
}

void read_fleet_path(const Field& field, const std::string& base_folder, SweepConfig& sweep, Problems& problems) {
  const auto text = read_string(field, problems);
  if (!text) return;
  sweep.fleet_path = config_files::resolve(*text, base_folder);
  if (const auto problem = config_files::input_file_problem(sweep.fleet_path)) problems.add(field, *problem);
}

// `hosts: all` or a list of host names; whether the names exist is checked against the fleet later.
void read_sweep_hosts(const Field& field, SweepConfig& sweep, Problems& problems) {
  if (field.node.IsScalar() && field.node.Scalar() == "all") return;
  if (!field.node.IsSequence()) {
    problems.add(field, "expected 'all' or a list of host names, got " + describe(field.node));
    return;
  }
  const auto items = read_list(field, problems, "host names (or write 'all')");
  if (!items) return;
  UniqueNames names("host name");
  for (const auto& item : *items) {
    const auto name = read_name(item, problems);
    if (!name || !names.add(*name, item, problems)) continue;
    sweep.hosts.push_back(*name);
    sweep.host_marks.push_back(item.mark);
  }
}

void read_modes(const Field& field, SweepConfig& sweep, Problems& problems) {
  const auto items = read_list(field, problems, "modes (sync, async, single_stream, multi_stream, server, offline)");
  if (!items) return;
  std::vector<std::string> paths;
  for (const auto& item : *items) {
    const auto name = read_choice(item, problems, kModeNames);
    if (!name) continue;
    const Mode mode = mode_from_string(*name);
    const auto seen = std::find(sweep.modes.begin(), sweep.modes.end(), mode);
    if (seen != sweep.modes.end()) {
      problems.add(item, "duplicate value '" + *name + "' (already at " +
                             paths[static_cast<std::size_t>(seen - sweep.modes.begin())] + ")");
      continue;
    }
    sweep.modes.push_back(mode);
    paths.push_back(item.path);
  }
}

// cpu, cuda (the first GPU the framework offers) or cuda:N.
bool is_device_name(const std::string& text) {
  if (text == "cpu" || text == "cuda") return true;
  if (text.rfind("cuda:", 0) != 0 || text.size() < 6 || text.size() > 7) return false;
  const std::string index = text.substr(5);
  if (!std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  return (index.size() == 1 || index[0] != '0') && std::stoi(index) <= kMaxCudaIndex;
}

void read_devices(const Field& field, SweepConfig& sweep, Problems& problems) {
  const auto items = read_list(field, problems, "devices (cpu, cuda, cuda:N)");
  if (!items) return;
  sweep.devices.clear();
  UniqueNames names("device");
  for (const auto& item : *items) {
    const auto text = read_string(item, problems);
    if (!text) continue;
    if (!is_device_name(*text)) {
      problems.add(item, "expected cpu, cuda or cuda:N (N from 0 to " + std::to_string(kMaxCudaIndex) + "), got '" +
                             *text + "'");
      continue;
    }
    if (names.add(*text, item, problems)) sweep.devices.push_back(*text);
  }
}

// `accuracy:` entries: which model is checked against which labelled data.
void read_accuracy(const Field& field, const std::string& base_folder, SweepConfig& sweep, Problems& problems) {
  const auto items = read_list(field, problems, "accuracy entries {model, dataset, classes}");
  if (!items) return;
  UniqueNames models("accuracy model");
  std::vector<std::string> model_names;  // for suggestions
  std::unordered_set<std::string> known_models;
  for (const auto& model : sweep.models) {
    if (known_models.insert(model.name).second) model_names.push_back(model.name);
  }
  for (const auto& item : *items) {
    MapReader entry(item, problems, "a map {model: NAME, dataset: PATH, classes: N}");
    if (!entry.is_map()) continue;
    entry.reject_unknown_keys(kAccuracyKeys);
    AccuracyConfig accuracy;
    bool valid = true;
    if (const auto value = entry.required("model")) {
      const auto name = read_name(*value, problems);
      const bool known = name && known_models.count(*name) > 0;
      if (name && !known) {
        problems.add(*value,
                     "unknown model '" + *name + "' " + suggestion_note(*name, model_names, "models of this sweep"));
      }
      valid = known && models.add(*name, *value, problems);
      if (valid) accuracy.model = *name;
    } else {
      valid = false;
    }
    if (const auto value = entry.required("dataset")) {
      if (const auto text = read_string(*value, problems)) {
        accuracy.dataset = config_files::resolve(*text, base_folder);
        accuracy.dataset_mark = value->mark;
        if (const auto problem = config_files::dataset_problem(accuracy.dataset)) {
          problems.add(*value, *problem);
          valid = false;
        }
      }
    } else {
      valid = false;
    }
    if (const auto value = entry.required("classes")) {
      if (const auto count = read_integer(*value, problems, kClassRange)) accuracy.classes = static_cast<int>(*count);
    }
    if (valid && accuracy.classes > 0) sweep.accuracy.push_back(std::move(accuracy));
  }
}

void read_measure(const Field& field, MeasureConfig& measure, Problems& problems) {
  MapReader map(field, problems, "a map of measurement settings (" + join(kMeasureKeys) + ")");
  map.reject_unknown_keys(kMeasureKeys);
  if (const auto value = map.optional("iterations")) {
    if (const auto count = read_integer(*value, problems, {1, kNoMax})) measure.iterations = static_cast<int>(*count);
  }
  if (const auto value = map.optional("min_seconds")) {
    if (const auto seconds = read_number(*value, problems, kMeasureSecondsRange)) measure.min_seconds = *seconds;
  }
  if (const auto value = map.optional("warmup_iterations")) {
    if (const auto count = read_integer(*value, problems, {0, kNoMax})) {
      measure.warmup_iterations = static_cast<int>(*count);
    }
  }
  if (const auto value = map.optional("warmup_seconds")) {
    if (const auto seconds = read_number(*value, problems, kMeasureSecondsRange)) measure.warmup_seconds = *seconds;
  }
  if (const auto value = map.optional("timeout_seconds")) {
    if (const auto seconds = read_number(*value, problems, kTimeoutRange)) measure.timeout_seconds = *seconds;
  }
  if (const auto value = map.optional("memory_limit_mb")) {
    if (const auto mib = read_integer(*value, problems, kMemoryLimitRange)) {
      measure.memory_limit_mb = static_cast<int>(*mib);
    }
  }
  if (const auto value = map.optional("max_iterations")) {
    if (const auto count = read_integer(*value, problems, {1, kNoMax})) {
      measure.max_iterations = *count;
      if (*count < measure.iterations) {
        problems.add(*value, "max_iterations " + std::to_string(*count) + " is below iterations " +
                                 std::to_string(measure.iterations));
      }
    }
  }
  if (const auto value = map.optional("max_seconds")) {
    if (const auto seconds = read_number(*value, problems, {0, true, config_limits::kMaxMeasureSeconds, "a day"})) {
      measure.max_seconds = *seconds;
      if (*seconds < measure.min_seconds) {
        problems.add(*value, fmt::format("max_seconds {:g} is below min_seconds {:g}", *seconds, measure.min_seconds));
      }
    }
  }
  if (const auto value = map.optional("max_cv")) {
    if (const auto cv = read_number(*value, problems, kCvRange)) measure.max_cv = *cv;
  }
  if (const auto value = map.optional("max_busy_share")) {
    if (const auto share = read_number(*value, problems, kShareRange)) measure.max_busy_share = *share;
  }
  if (const auto value = map.optional("pin_cpus")) {
    if (const auto choice = read_choice(*value, problems, {"true", "false"})) measure.pin_cpus = *choice == "true";
  }
  if (const auto value = map.optional("latency_bound_ms")) {
    if (const auto ms = read_number(*value, problems, kBoundMsRange)) measure.latency_bound_s = *ms / 1000.0;
  }
  if (const auto value = map.optional("latency_percentile")) {
    if (const auto p = read_number(*value, problems, kPercentileRange)) measure.latency_percentile = *p;
  }
  if (const auto value = map.optional("server_search")) {
    if (const auto choice = read_choice(*value, problems, {"true", "false"})) measure.server_search = *choice == "true";
  }
  if (const auto value = map.optional("search_trials")) {
    if (const auto count = read_integer(*value, problems, kSearchTrialsRange)) {
      measure.search_trials = static_cast<int>(*count);
    }
  }
  if (const auto value = map.optional("repeats")) {
    if (const auto count = read_integer(*value, problems, kRepeatsRange)) measure.repeats = static_cast<int>(*count);
  }
  if (const auto value = map.optional("max_repeat_cv")) {
    if (const auto cv = read_number(*value, problems, kCvRange)) measure.max_repeat_cv = *cv;
  }
}

void read_order(const Field& field, SweepConfig& sweep, Problems& problems) {
  const auto choice = read_choice(field, problems, kOrderNames);
  if (!choice) return;
  sweep.order = *choice == "interleaved" ? TestOrder::kInterleaved
                : *choice == "shuffled"  ? TestOrder::kShuffled
                                         : TestOrder::kGrouped;
}

// Server needs a rate to start from and a bound to be judged by (docs/config.md, "Scenarios").
void check_scenarios(SourceMark top_field, const SweepConfig& sweep, bool has_rates, Problems& problems) {
  const bool server = std::find(sweep.modes.begin(), sweep.modes.end(), Mode::kServer) != sweep.modes.end();
  if (!server) return;
  if (!has_rates) problems.add(top_field, "server_qps", "mode server needs server_qps: a list of rates (queries/s)");
  if (!(sweep.measure.latency_bound_s > 0)) {
    problems.add(top_field, "measure.latency_bound_ms",
                 "mode server needs measure.latency_bound_ms: the latency its percentile must stay under");
  }
}

}  // namespace

std::string to_string(TestOrder order) {
  switch (order) {
    case TestOrder::kInterleaved: return "interleaved";
    case TestOrder::kShuffled: return "shuffled";
    case TestOrder::kGrouped: break;
  }
  return "grouped";
}

SweepConfig parse_sweep(const std::string& yaml_text, const std::string& path) {
  SweepConfig sweep;
  sweep.path = config_files::absolute_path(path);
  const std::string base_folder = config_files::folder_of(sweep.path);
  Problems problems(sweep.path);
  const auto document = parse_document(yaml_text, problems);
  if (!document) problems.throw_if_any();

  MapReader top(*document, problems, "a map of sweep settings (" + join(kSweepKeys) + ")");
  top.reject_unknown_keys(kSweepKeys);
  if (const auto value = top.required("name")) {
    if (const auto name = read_name(*value, problems)) sweep.name = *name;
  }
  if (const auto value = top.required("fleet")) read_fleet_path(*value, base_folder, sweep, problems);
  if (const auto value = top.optional("hosts")) read_sweep_hosts(*value, sweep, problems);
  if (const auto value = top.required("models")) sweep.models = read_models(*value, base_folder, problems);
  if (const auto value = top.required("launchers")) sweep.launchers = read_launchers(*value, problems);
  if (const auto value = top.required("batch_sizes")) {
    sweep.batch_sizes = to_ints(read_distinct_integers(*value, problems, kBatchRange, "batch sizes"));
  }
  if (const auto value = top.required("modes")) read_modes(*value, sweep, problems);
  if (const auto value = top.required("threads")) {
    sweep.threads = to_ints(read_distinct_integers(*value, problems, kThreadRange, "thread counts"));
  }
  if (const auto value = top.optional("async_requests")) {
    sweep.async_requests = to_ints(read_distinct_integers(*value, problems, kRequestRange, "request counts"));
  }
  if (const auto value = top.optional("devices")) read_devices(*value, sweep, problems);
  if (const auto value = top.optional("accuracy")) read_accuracy(*value, base_folder, sweep, problems);
  if (const auto value = top.optional("measure")) read_measure(*value, sweep.measure, problems);
  if (const auto value = top.optional("multi_stream_samples")) {
    sweep.multi_stream_samples =
        to_ints(read_distinct_integers(*value, problems, kSamplesPerQueryRange, "samples per query"));
  }
  bool has_rates = false;
  if (const auto value = top.optional("server_qps")) {
    has_rates = true;
    if (const auto items = read_list(*value, problems, "rates in queries per second")) {
      for (const auto& item : *items) {
        if (const auto rate = read_number(item, problems, kQpsRange)) sweep.server_qps.push_back(*rate);
      }
    }
  }
  if (const auto value = top.optional("order")) read_order(*value, sweep, problems);
  if (const auto value = top.optional("order_seed")) {
    if (const auto seed = read_integer(*value, problems, {0, kNoMax})) {
      sweep.order_seed = static_cast<std::uint64_t>(*seed);
      if (sweep.order != TestOrder::kShuffled) problems.add(*value, "order_seed is only used with order: shuffled");
    }
  }
  if (const auto value = top.optional("capacity")) sweep.capacity = read_capacity(*value, sweep.models, problems);
  check_scenarios(document->mark, sweep, has_rates, problems);
  const double tests = max_tests_per_host(sweep);
  if (tests > config_limits::kMaxTestsPerHost) {
    problems.add(document->mark, "",
                 fmt::format("the sweep asks each host for up to {} tests (models x launchers x devices x batch sizes "
                             "x modes and request counts x threads), more than the limit of {} (docs/config.md, Limits)",
                             tests, config_limits::kMaxTestsPerHost));
  }
  problems.throw_if_any();
  return sweep;
}

SweepConfig load_sweep(const std::string& path) {
  const std::string absolute = config_files::absolute_path(path);
  return parse_sweep(config_files::read_config_file(absolute), absolute);
}

void check_sweep_against_fleet(const SweepConfig& sweep, const FleetConfig& fleet) {
  Problems problems(sweep.path);
  std::vector<std::string> fleet_hosts;
  for (const auto& host : fleet.hosts) fleet_hosts.push_back(host.name);
  const std::unordered_set<std::string> known(fleet_hosts.begin(), fleet_hosts.end());
  for (std::size_t i = 0; i < sweep.hosts.size(); ++i) {
    const std::string& name = sweep.hosts[i];
    if (known.count(name) > 0) continue;
    const SourceMark mark = i < sweep.host_marks.size() ? sweep.host_marks[i] : SourceMark{};
    problems.add(mark, index_path("hosts", i),
                 "unknown host '" + name + "' " + suggestion_note(name, fleet_hosts, "hosts in " + fleet.path));
  }
  const double hosts = static_cast<double>(sweep.hosts.empty() ? fleet.hosts.size() : sweep.hosts.size());
  const double tests = max_tests_per_host(sweep) * hosts;
  if (tests > config_limits::kMaxTestsPerRun) {
    problems.add(sweep.host_marks.empty() ? SourceMark{} : sweep.host_marks.front(), "hosts",
                 fmt::format("the run would plan up to {} tests ({} hosts), more than the limit of {} in one run "
                             "(docs/config.md, Limits): split the fleet or the sweep",
                             tests, hosts, config_limits::kMaxTestsPerRun));
  }
  problems.throw_if_any();
}

}  // namespace dli
