// Store layout and the JSON documents of protocol version 1 (docs/protocol.md).
#include "dli/protocol/protocol.hpp"

#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

namespace dli {
namespace {

using nlohmann::json;

// Every field differs from its default, so a field the decoder forgets shows up in the round trip.
TestSpec full_spec(const std::string& id = "0123456789abcdef") {
  TestSpec spec;
  spec.id = id;
  spec.host = "node-a";
  spec.model = {"resnet50", "caffe", "fp16", {3, 224, 224}, "resnet50.caffemodel", std::string(64, 'a'),
                "deploy.prototxt", std::string(64, 'b')};
  spec.framework = "opencv-dnn";
  spec.params = {{"backend", "opencv"}, {"target", "cpu"}};
  spec.batch = 8;
  spec.mode = Mode::kAsync;
  spec.threads = 4;
  spec.requests = 3;
  spec.measure = {250, 2.5, 7, 0.5, 90};
  return spec;
}

Measurement full_measurement() {
  Measurement m;
  m.framework_version = "4.6.0";
  m.load_seconds = 0.25;
  m.first_inference_seconds = 0.03;
  m.warmup_iterations = 5;
  m.iterations = 1000;
  m.wall_seconds = 12.5;
  m.request = {1000, 0.010, 0.020, 0.0125, 0.001, 0.012, 0.015, 0.017, 0.019};
  m.throughput = {0.012, 0.0125, 640.0};
  m.peak_rss_kb = 123456;
  return m;
}

TestResult full_result() {
  TestResult result;
  result.spec = full_spec();
  result.status = TestStatus::kCrashed;
  result.reason = "killed by signal 11 (SIGSEGV)";
  result.stderr_tail = "line 1\nline 2";
  result.log = "runner line\nline 1\nline 2\n[dli-agent] 2026-11-21T19:30:05Z 0123: crashed\n";
  result.exit_code = 7;
  result.signal = 11;
  result.started_at = "2026-11-21T19:30:00Z";
  result.finished_at = "2026-11-21T19:30:05Z";
  result.elapsed_seconds = 5.25;
  result.measurement = full_measurement();
  return result;
}

HostStatus full_status() {
  HostStatus status;
  status.host = "node-a";
  status.state = HostState::kRunning;
  status.current_test = "0123456789abcdef";
  status.current_label = "resnet50/opencv-dnn/b8/async/t4";
  status.done = 3;
  status.failed = 1;
  status.total = 10;
  status.eta_seconds = 42.5;
  status.updated_at = "2026-11-21T19:30:00Z";
  status.reason = "why";
  status.pid = 4242;
  status.agent_version = "0.1.0";
  status.unpublished = 2;
  status.publish_error = "421 too many users";
  return status;
}

// The message of the std::runtime_error `decode` throws.
template <class Decode>
std::string error_of(Decode decode) {
  try {
    decode();
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(ProtocolLayout, KeysFollowTheDocumentedLayout) {
  EXPECT_EQ(layout::model("ab12"), "models/ab12");
  EXPECT_EQ(layout::run_dir("r1"), "runs/r1");
  EXPECT_EQ(layout::manifest("r1"), "runs/r1/manifest.json");
  EXPECT_EQ(layout::host_dir("r1", "h"), "runs/r1/hosts/h");
  EXPECT_EQ(layout::tasks("r1", "h"), "runs/r1/hosts/h/tasks.json");
  EXPECT_EQ(layout::status_entry("r1", "h.3.running.json"), "runs/r1/status/h.3.running.json");
  EXPECT_EQ(layout::results_dir("r1", "h"), "runs/r1/hosts/h/results");
  EXPECT_EQ(layout::result("r1", "h", "id"), "runs/r1/hosts/h/results/id.json");
  EXPECT_EQ(layout::log("r1", "h", "id"), "runs/r1/hosts/h/logs/id.log");
  EXPECT_EQ(layout::agent_log("r1", "h"), "runs/r1/hosts/h/agent.log");
}

TEST(ProtocolJson, TestSpecRoundTrips) {
  const TestSpec spec = full_spec();
  const json encoded = to_json(spec);
  EXPECT_EQ(encoded.at("protocol"), kProtocolVersion);
  EXPECT_EQ(encoded.at("mode"), "async");
  EXPECT_EQ(encoded.at("measure").at("timeout_s"), 90.0);
  const TestSpec decoded = test_spec_from_json(json::parse(encoded.dump()));
  EXPECT_EQ(to_json(decoded), encoded);
  EXPECT_EQ(decoded.model.input_shape, (std::vector<int64_t>{3, 224, 224}));
  EXPECT_EQ(decoded.params.at("target"), "cpu");
  EXPECT_EQ(decoded.mode, Mode::kAsync);
}

// measure.memory_limit_mb came within version 2: written always, and a spec without it (an older writer) has none.
TEST(ProtocolJson, SpecMemoryLimitRoundTripsAndDefaultsToNoneWhenAbsent) {
  TestSpec spec = full_spec();
  spec.measure.memory_limit_mb = 384;
  json encoded = to_json(spec);
  EXPECT_EQ(encoded.at("measure").at("memory_limit_mb"), 384);
  EXPECT_EQ(test_spec_from_json(json::parse(encoded.dump())).measure.memory_limit_mb, 384);
  encoded.at("measure").erase("memory_limit_mb");
  EXPECT_EQ(test_spec_from_json(encoded).measure.memory_limit_mb, 0);
  encoded.at("measure")["memory_limit_mb"] = "lots";
  EXPECT_NE(error_of([&] { test_spec_from_json(encoded); }).find("measure.memory_limit_mb"), std::string::npos);
}

// Repeats came within version 4: optional fields, absent for a test run once.
TEST(ProtocolJson, RepeatOfARepeatedTestRoundTripsAndIsAbsentOtherwise) {
  TestSpec spec = full_spec();
  json once = to_json(spec);
  EXPECT_FALSE(once.contains("repeat"));
  EXPECT_FALSE(once.at("measure").contains("repeats"));
  EXPECT_FALSE(once.at("measure").contains("max_repeat_cv"));
  spec.measure.repeats = 3;
  spec.measure.max_repeat_cv = 0.02;
  spec.repeat = 2;
  const json encoded = to_json(spec);
  EXPECT_EQ(encoded.at("repeat"), 2);
  EXPECT_EQ(encoded.at("measure").at("repeats"), 3);
  const TestSpec decoded = test_spec_from_json(json::parse(encoded.dump()));
  EXPECT_EQ(decoded.repeat, 2);
  EXPECT_EQ(decoded.measure.repeats, 3);
  EXPECT_DOUBLE_EQ(decoded.measure.max_repeat_cv, 0.02);
  EXPECT_EQ(task_key(decoded), "0123456789abcdef-r2");
  json beyond = encoded;
  beyond["repeat"] = 4;
  EXPECT_NE(error_of([&] { test_spec_from_json(beyond); }).find("'repeat'"), std::string::npos);
  json whole = encoded;  // the test as a whole (a report's row), not one of its repeats
  whole.erase("repeat");
  EXPECT_EQ(test_spec_from_json(whole).repeat, 0);
  json negative = encoded;
  negative["repeat"] = -1;
  EXPECT_NE(error_of([&] { test_spec_from_json(negative); }).find("'repeat'"), std::string::npos);
  json too_many = encoded;
  too_many["measure"]["repeats"] = 101;
  EXPECT_NE(error_of([&] { test_spec_from_json(too_many); }).find("measure.repeats"), std::string::npos);
}

// measure.max_busy_share came within version 4: written always, and a spec without it has the default.
TEST(ProtocolJson, SpecMaxBusyShareRoundTripsAndDefaultsWhenAbsent) {
  TestSpec spec = full_spec();
  spec.measure.max_busy_share = 0.2;
  json encoded = to_json(spec);
  EXPECT_EQ(encoded.at("measure").at("max_busy_share"), 0.2);
  EXPECT_EQ(test_spec_from_json(json::parse(encoded.dump())).measure.max_busy_share, 0.2);
  encoded.at("measure").erase("max_busy_share");
  EXPECT_EQ(test_spec_from_json(encoded).measure.max_busy_share, 0.05);
  encoded.at("measure")["max_busy_share"] = 1.5;
  EXPECT_NE(error_of([&] { test_spec_from_json(encoded); }).find("measure.max_busy_share"), std::string::npos);
}

TEST(ProtocolJson, SpecPinCpusRoundTripsAndIsOffWhenAbsent) {
  TestSpec spec = full_spec();
  EXPECT_EQ(to_json(spec).at("measure").at("pin_cpus"), false);
  spec.measure.pin_cpus = true;
  json encoded = to_json(spec);
  EXPECT_EQ(encoded.at("measure").at("pin_cpus"), true);
  EXPECT_TRUE(test_spec_from_json(json::parse(encoded.dump())).measure.pin_cpus);
  encoded.at("measure").erase("pin_cpus");
  EXPECT_FALSE(test_spec_from_json(encoded).measure.pin_cpus);
  encoded.at("measure")["pin_cpus"] = "yes";
  EXPECT_NE(error_of([&] { test_spec_from_json(encoded); }).find("measure.pin_cpus"), std::string::npos);
}

TEST(ProtocolJson, MeasurementRoundTripsWithUnitSuffixedNames) {
  const json encoded = to_json(full_measurement());
  EXPECT_EQ(encoded.at("protocol"), kProtocolVersion);
  EXPECT_EQ(encoded.at("throughput").at("latency_s"), 0.012);
  EXPECT_EQ(encoded.at("throughput").at("fps"), 640.0);
  EXPECT_EQ(encoded.at("request").at("median_s"), 0.012);
  EXPECT_EQ(encoded.at("request").at("count"), 1000);
  EXPECT_EQ(encoded.at("load_s"), 0.25);
  EXPECT_EQ(encoded.at("peak_rss_kb"), 123456);
  const Measurement decoded = measurement_from_json(json::parse(encoded.dump()));
  EXPECT_EQ(to_json(decoded), encoded);
  EXPECT_DOUBLE_EQ(decoded.request.p99, 0.019);
}

TEST(ProtocolJson, TestResultRoundTripsWithItsSpecAndMeasurement) {
  const json encoded = to_json(full_result());
  EXPECT_EQ(encoded.at("protocol"), kProtocolVersion);
  EXPECT_EQ(encoded.at("status"), "crashed");
  EXPECT_FALSE(encoded.at("spec").contains("protocol")) << "embedded documents carry no version of their own";
  EXPECT_EQ(encoded.at("spec").at("batch"), 8);
  const TestResult decoded = test_result_from_json(json::parse(encoded.dump()));
  EXPECT_EQ(to_json(decoded), encoded);
  ASSERT_TRUE(decoded.measurement.has_value());
  EXPECT_EQ(decoded.measurement->iterations, 1000);
}

TEST(ProtocolJson, TheLogRoundTripsAndAResultWithoutOneReadsAsEmpty) {
  const TestResult result = full_result();
  json encoded = to_json(result);
  EXPECT_EQ(encoded.at("log"), result.log);
  EXPECT_EQ(test_result_from_json(encoded).log, result.log);
  encoded.erase("log");  // an agent older than the field
  EXPECT_EQ(test_result_from_json(encoded).log, "");
  const auto quick = quick_test_result(encoded.dump());
  ASSERT_TRUE(quick.has_value());
  EXPECT_EQ(quick->log, "");
  EXPECT_EQ(quick_test_result(to_json(result).dump())->log, result.log);
}

TEST(ProtocolJson, AbsentMeasurementIsNull) {
  TestResult result = full_result();
  result.measurement.reset();
  const json encoded = to_json(result);
  ASSERT_TRUE(encoded.contains("measurement"));
  EXPECT_TRUE(encoded.at("measurement").is_null());
  EXPECT_FALSE(test_result_from_json(encoded).measurement.has_value());
}

TEST(ProtocolJson, TheHostsEnvironmentRoundTripsAndIsOptional) {
  TestResult result = full_result();
  TestEnvironment environment;
  environment.cpu_model = "AMD EPYC";
  environment.sockets = 1;
  environment.cores = 8;
  environment.logical_cpus = 16;
  environment.os = "Debian GNU/Linux 12 (bookworm)";
  environment.kernel = "6.1.0";
  environment.build_type = "Release";
  environment.governor = "schedutil";
  environment.boost = "on";
  environment.load_1m = 0.5;
  environment.mem_available_kb = 1000;
  environment.swap_used_kb = 0;
  environment.swapped_pages = 3;
  environment.other_cpu_share = 0.125;
  environment.busiest = {{42, "cc1plus", 1.5}};
  environment.warnings = environment_warnings(environment);
  result.environment = environment;
  const json encoded = to_json(result);
  EXPECT_EQ(encoded.at("environment").at("busiest").at(0).at("name"), "cc1plus");
  EXPECT_EQ(encoded.at("environment").at("warnings").size(), 3u);
  const TestResult decoded = test_result_from_json(json::parse(encoded.dump()));
  EXPECT_EQ(to_json(decoded), encoded);
  // A result of an agent that recorded none (older agents) reads as none.
  json older = encoded;
  older.erase("environment");
  EXPECT_FALSE(test_result_from_json(older).environment.has_value());
  json mistyped = encoded;
  mistyped["environment"]["warnings"] = json::array({1});
  EXPECT_THROW(test_result_from_json(mistyped), std::runtime_error);
}

// environment.runner_cpus and agent_cpu came with measure.pin_cpus: written always, absent in older results.
TEST(ProtocolJson, TheEnvironmentsPinnedCpusRoundTripAndAreOptional) {
  TestResult result = full_result();
  TestEnvironment environment;
  environment.runner_cpus = "0-2";
  environment.agent_cpu = 3;
  result.environment = environment;
  json encoded = to_json(result);
  EXPECT_EQ(encoded.at("environment").at("runner_cpus"), "0-2");
  EXPECT_EQ(encoded.at("environment").at("agent_cpu"), 3);
  const TestResult decoded = test_result_from_json(json::parse(encoded.dump()));
  EXPECT_EQ(decoded.environment->runner_cpus, "0-2");
  EXPECT_EQ(decoded.environment->agent_cpu, 3);
  encoded["environment"].erase("runner_cpus");
  encoded["environment"].erase("agent_cpu");
  const TestResult older = test_result_from_json(encoded);
  EXPECT_EQ(older.environment->runner_cpus, "");
  EXPECT_EQ(older.environment->agent_cpu, -1);
}

TEST(ProtocolJson, ManifestRoundTrips) {
  Manifest manifest;
  manifest.run_id = "20261121-193000-nightly";
  manifest.sweep_name = "nightly";
  manifest.created_at = "2026-11-21T19:30:00Z";
  manifest.hosts = {{"node-a", "local", 4}, {"node-b", "ssh", 2}};
  const json encoded = to_json(manifest);
  EXPECT_EQ(encoded.at("protocol"), kProtocolVersion);
  const Manifest decoded = manifest_from_json(json::parse(encoded.dump()));
  EXPECT_EQ(to_json(decoded), encoded);
  ASSERT_EQ(decoded.hosts.size(), 2u);
  EXPECT_EQ(decoded.hosts[1].kind, "ssh");
}

// The launch token came within version 4: optional, absent for runs whose agents started after publishing.
TEST(ProtocolJson, ManifestCarriesItsLaunchTokenOnlyWhenItHasOne) {
  Manifest manifest{1, "r", "s", "t", {{"h", "ssh", 1}}, {}};
  EXPECT_FALSE(to_json(manifest).contains("launch"));
  EXPECT_EQ(manifest_from_json(to_json(manifest)).launch, "");
  manifest.launch = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(to_json(manifest).at("launch"), manifest.launch);
  EXPECT_EQ(manifest_from_json(json::parse(to_json(manifest).dump())).launch, manifest.launch);
}

// Hosts in maintenance came within version 4: optional, absent when none.
TEST(ProtocolJson, ManifestNamesItsHostsInMaintenance) {
  Manifest manifest{1, "r", "s", "t", {{"h", "local", 1}}, {{"resting", "new disk"}}};
  const json encoded = to_json(manifest);
  EXPECT_EQ(encoded.at("maintenance").at(0).at("reason"), "new disk");
  EXPECT_EQ(manifest_from_json(json::parse(encoded.dump())).maintenance, manifest.maintenance);
  EXPECT_FALSE(to_json(Manifest{1, "r", "s", "t", {}, {}}).contains("maintenance"));
}

TEST(ProtocolJson, TaskListRoundTrips) {
  TaskList tasks;
  tasks.run_id = "r1";
  tasks.host = "node-a";
  tasks.tests = {full_spec("aaaaaaaaaaaaaaaa"), full_spec("bbbbbbbbbbbbbbbb")};
  tasks.tests[1].mode = Mode::kSync;
  const json encoded = to_json(tasks);
  EXPECT_EQ(encoded.at("protocol"), kProtocolVersion);
  const TaskList decoded = task_list_from_json(json::parse(encoded.dump()));
  EXPECT_EQ(to_json(decoded), encoded);
  ASSERT_EQ(decoded.tests.size(), 2u);
  EXPECT_EQ(decoded.tests[1].id, "bbbbbbbbbbbbbbbb");
  EXPECT_EQ(decoded.tests[1].mode, Mode::kSync);
}

TEST(ProtocolJson, HostStatusRoundTrips) {
  const json encoded = to_json(full_status());
  EXPECT_EQ(encoded.at("protocol"), kProtocolVersion);
  EXPECT_EQ(encoded.at("state"), "running");
  EXPECT_EQ(encoded.at("eta_s"), 42.5);
  const HostStatus decoded = host_status_from_json(json::parse(encoded.dump()));
  EXPECT_EQ(to_json(decoded), encoded);
}

TEST(ProtocolJson, StateAndStatusNames) {
  const std::vector<std::pair<HostState, std::string>> states = {
      {HostState::kPending, "pending"}, {HostState::kStarting, "starting"},       {HostState::kRunning, "running"},
      {HostState::kDone, "done"},       {HostState::kFailed, "failed"},           {HostState::kUnreachable, "unreachable"},
      {HostState::kHostKeyRefused, "host-key-refused"}, {HostState::kAuthFailed, "auth-failed"},
      {HostState::kAgentMissing, "agent-missing"},       {HostState::kLost, "lost"},
      {HostState::kStoreFailed, "store-failed"}};
  for (const auto& [state, name] : states) {
    EXPECT_EQ(to_string(state), name);
    EXPECT_EQ(host_state_from_string(name), state);
  }
  EXPECT_THROW(host_state_from_string("Running"), std::invalid_argument);
  const std::vector<std::pair<TestStatus, std::string>> statuses = {
      {TestStatus::kOk, "ok"}, {TestStatus::kFailed, "failed"}, {TestStatus::kCrashed, "crashed"},
      {TestStatus::kTimeout, "timeout"}};
  for (const auto& [status, name] : statuses) {
    EXPECT_EQ(to_string(status), name);
    EXPECT_EQ(test_status_from_string(name), status);
  }
  EXPECT_THROW(test_status_from_string("passed"), std::invalid_argument);
}

TEST(ProtocolJson, MissingFieldsAreNamedWithTheirPath) {
  json result = to_json(full_result());
  result.at("spec").erase("batch");
  EXPECT_EQ(error_of([&] { test_result_from_json(result); }), "result: missing field 'spec.batch'");

  json tasks = to_json(TaskList{1, "r1", "h", {full_spec(), full_spec()}});
  tasks.at("tests").at(1).at("model").erase("sha256");
  EXPECT_EQ(error_of([&] { task_list_from_json(tasks); }), "tasks: missing field 'tests[1].model.sha256'");

  json status = to_json(full_status());
  status.erase("updated_at");
  EXPECT_EQ(error_of([&] { host_status_from_json(status); }), "status: missing field 'updated_at'");

  json measurement = to_json(full_measurement());
  measurement.at("throughput").erase("fps");
  EXPECT_EQ(error_of([&] { measurement_from_json(measurement); }), "measurement: missing field 'throughput.fps'");
}

TEST(ProtocolJson, MistypedFieldsAreNamedWithTheExpectedType) {
  json result = to_json(full_result());
  result.at("spec").at("batch") = "8";
  EXPECT_EQ(error_of([&] { test_result_from_json(result); }),
            "result: field 'spec.batch' expected integer, got string");

  result = to_json(full_result());
  result.at("spec").at("batch") = 8.5;
  EXPECT_EQ(error_of([&] { test_result_from_json(result); }),
            "result: field 'spec.batch' expected integer, got number");

  result = to_json(full_result());
  result.at("measurement").at("request").at("p90_s") = "fast";
  EXPECT_EQ(error_of([&] { test_result_from_json(result); }),
            "result: field 'measurement.request.p90_s' expected number, got string");

  json tasks = to_json(TaskList{1, "r1", "h", {full_spec()}});
  tasks.at("tests").at(0).at("model").at("input_shape").at(2) = "224";
  EXPECT_EQ(error_of([&] { task_list_from_json(tasks); }),
            "tasks: field 'tests[0].model.input_shape[2]' expected integer, got string");

  tasks = to_json(TaskList{1, "r1", "h", {full_spec()}});
  tasks.at("tests").at(0).at("params").at("target") = 1;
  EXPECT_EQ(error_of([&] { task_list_from_json(tasks); }),
            "tasks: field 'tests[0].params.target' expected string, got integer");

  tasks.at("tests") = json::object();
  EXPECT_EQ(error_of([&] { task_list_from_json(tasks); }), "tasks: field 'tests' expected array, got object");

  json manifest = to_json(Manifest{1, "r", "s", "t", {{"h", "local", 1}}, {}});
  manifest.at("hosts").at(0).at("tests") = 3000000000LL;
  EXPECT_NE(error_of([&] { manifest_from_json(manifest); }).find("field 'hosts[0].tests' expected integer"),
            std::string::npos);
}

TEST(ProtocolJson, UnknownEnumValuesAreRejected) {
  json result = to_json(full_result());
  result.at("status") = "passed";
  EXPECT_NE(error_of([&] { test_result_from_json(result); }).find("result: field 'status' expected one of ok"),
            std::string::npos);
  json spec = to_json(full_spec());
  spec.at("mode") = "fast";
  EXPECT_NE(error_of([&] { test_spec_from_json(spec); }).find("spec: field 'mode'"), std::string::npos);
  json status = to_json(full_status());
  status.at("state") = "sleeping";
  EXPECT_NE(error_of([&] { host_status_from_json(status); }).find("status: field 'state'"), std::string::npos);
}

TEST(ProtocolJson, OtherProtocolVersionsAreRejected) {
  json result = to_json(full_result());
  result.at("protocol") = 1;
  EXPECT_EQ(error_of([&] { test_result_from_json(result); }),
            "result: protocol version 1 is not supported (this build reads version 4)");
  json manifest = to_json(Manifest{});
  manifest.erase("protocol");
  EXPECT_EQ(error_of([&] { manifest_from_json(manifest); }), "manifest: missing field 'protocol'");
  json status = to_json(full_status());
  status.at("protocol") = "1";
  EXPECT_EQ(error_of([&] { host_status_from_json(status); }), "status: field 'protocol' expected integer, got string");
  EXPECT_EQ(error_of([] { test_spec_from_json(json::array()); }), "spec: expected a JSON object, got array");
}

TEST(ProtocolJson, UnknownFieldsAreIgnoredForForwardCompatibility) {
  json status = to_json(full_status());
  status["cpu_temperature_c"] = 71;
  EXPECT_EQ(to_json(host_status_from_json(status)), to_json(full_status()));
}

// An agent turns these into clock durations: a task list cannot ask for more than a sweep can (docs/config.md).
TEST(ProtocolJson, SpecDurationsAreBoundedLikeASweeps) {
  TaskList tasks;
  tasks.run_id = "r";
  tasks.host = "h";
  tasks.tests = {full_spec()};
  for (const auto& [field, value] : {std::pair<std::string, json>{"timeout_s", 1e300}, {"timeout_s", 604801.0},
                                     {"timeout_s", nullptr}, {"min_s", -1.0}, {"warmup_s", 86401.0}}) {
    json encoded = to_json(tasks);
    encoded.at("tests").at(0).at("measure").at(field) = value;
    const std::string max = field == "timeout_s" ? "604800" : "86400";
    const std::string got = value.is_null() ? "null" : "number";
    EXPECT_EQ(error_of([&] { task_list_from_json(encoded); }),
              "tasks: field 'tests[0].measure." + field + "' expected seconds from 0 to " + max + ", got " + got)
        << field << "=" << value.dump();
  }
  json encoded = to_json(tasks);
  encoded.at("tests").at(0).at("measure").at("timeout_s") = 604800.0;
  EXPECT_EQ(task_list_from_json(encoded).tests.at(0).measure.timeout_seconds, 604800.0);
}

TEST(ProtocolJson, NonFiniteNumbersTravelAsNull) {
  HostStatus status = full_status();
  status.eta_seconds = std::nan("");
  const json encoded = to_json(status);
  EXPECT_TRUE(encoded.at("eta_s").is_null());
  EXPECT_TRUE(std::isnan(host_status_from_json(json::parse(encoded.dump())).eta_seconds));
  Measurement m = full_measurement();
  m.throughput.fps = INFINITY;
  EXPECT_NO_THROW((void)to_json(m).dump());
}

TEST(ProtocolJson, ChildOutputThatIsNotUtf8IsRepairedSoTheResultCanBeWritten) {
  TestResult result = full_result();
  result.stderr_tail = "ok \xc3\xa9 then bad \xff\xfe and cut \xe2\x82";
  std::string text;
  ASSERT_NO_THROW(text = to_json(result).dump());
  const TestResult decoded = test_result_from_json(json::parse(text));
  EXPECT_EQ(decoded.stderr_tail, "ok \xc3\xa9 then bad \xEF\xBF\xBD\xEF\xBF\xBD and cut \xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace dli

namespace dli {
namespace {

TEST(ManifestCapacity, QuestionsRoundTripAndAManifestWithoutThemReadsAsNone) {
  Manifest manifest;
  manifest.run_id = "r1";
  manifest.sweep_name = "s";
  manifest.created_at = "2026-11-30T10:00:00Z";
  manifest.capacity = {{"mobilenet_v2", 8, 10, 0.2}, {"digits", 1, 2.5, std::nullopt}};
  const nlohmann::json encoded = to_json(manifest);
  EXPECT_EQ(encoded.at("capacity").dump(),
            R"([{"fps":10.0,"model":"mobilenet_v2","p99_ms":200.0,"streams":8},{"fps":2.5,"model":"digits","streams":1}])");
  EXPECT_EQ(manifest_from_json(encoded).capacity, manifest.capacity);
  manifest.capacity.clear();
  EXPECT_FALSE(to_json(manifest).contains("capacity"));
  EXPECT_TRUE(manifest_from_json(to_json(manifest)).capacity.empty());
  nlohmann::json bad = encoded;
  bad["capacity"][0]["streams"] = 0;
  EXPECT_THROW(manifest_from_json(bad), std::runtime_error);
}

}  // namespace
}  // namespace dli
