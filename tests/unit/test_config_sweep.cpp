// Sweep loading: a good file gives exact values; every kind of bad input names file, line, column, key and the
// expectation, and all problems are reported at once.
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "dli/config/config.hpp"
#include "support/config_problems.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

// The valid sweep each bad case starts from; the line numbers in the tests refer to it.
const std::vector<std::string> kGoodSweep = {
    "name: quickstart",                // 1
    "fleet: fleet.yaml",               // 2
    "models:",                         // 3
    "  - name: m",                     // 4
    "    file: ../models/m.onnx",      // 5
    "    format: onnx",                // 6
    "    input_shape: [3, 224, 224]",  // 7
    "launchers: [opencv-dnn]",         // 8
    "batch_sizes: [1, 4]",             // 9
    "modes: [sync, async]",            // 10
    "threads: [2]",                    // 11
};

// kGoodSweep with some lines replaced (1-based); "" leaves a blank line so that later lines keep their numbers.
std::string sweep_with(const std::vector<std::pair<int, std::string>>& replacements, const std::string& appended = "") {
  std::vector<std::string> lines = kGoodSweep;
  for (const auto& [line, text] : replacements) lines.at(static_cast<std::size_t>(line - 1)) = text;
  std::string yaml;
  for (const auto& line : lines) yaml += line + "\n";
  return yaml + appended;
}

class ConfigSweep : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::string sweep_path = dir.str("sweeps/sweep.yaml");

  void SetUp() override {
    dir.write("models/m.onnx", "model bytes");
    dir.write("models/r.onnx", "other model bytes");
    dir.write("models/net.caffemodel", "weights");
    dir.write("models/deploy.prototxt", "layers");
    dir.write("sweeps/fleet.yaml", "hosts:\n  - {name: local, kind: local}\n");
  }

  std::vector<Diagnostic> diagnostics_of(const std::string& yaml) const {
    return testing::diagnostics_of([&] { parse_sweep(yaml, sweep_path); }, yaml);
  }

  // Exactly one problem, at that place, about that key, saying (at least) `fragment`.
  void expect_problem(const std::string& yaml, int line, int column, const std::string& key,
                      const std::string& fragment) const {
    testing::expect_single_problem(diagnostics_of(yaml), sweep_path, line, column, key, fragment);
  }
};

// ---- good input ----

TEST_F(ConfigSweep, GoodFileParsesIntoExactValues) {
  const std::string yaml = R"(name: full.sweep-1
fleet: ../fleet.yaml
hosts: [local, lab-2]
models:
  - name: mobilenet_v2
    file: ../models/m.onnx
    format: onnx
    input_shape: [3, 224, 224]
    precision: fp16
  - name: squeeze
    file: ../models/net.caffemodel
    config: ../models/deploy.prototxt
    format: caffe
    input_shape: [3, 227, 227]
launchers:
  - opencv-dnn
  - {framework: "null", params: {sleep_ms: 5}}
batch_sizes: [1, 8, 4096]
modes: [async, sync]
threads: [2, 1]
async_requests: [1, 4]
measure:
  iterations: 50
  min_seconds: 2.5
  warmup_iterations: 0
  warmup_seconds: 0.5
  timeout_seconds: 90
  memory_limit_mb: 512
)";
  dir.write("fleet.yaml", "hosts: [{name: local, kind: local}]\n");
  const SweepConfig sweep = parse_sweep(yaml, sweep_path);
  EXPECT_EQ(sweep.path, sweep_path);
  EXPECT_EQ(sweep.name, "full.sweep-1");
  EXPECT_EQ(sweep.fleet_path, dir.str("fleet.yaml"));
  EXPECT_EQ(sweep.hosts, (std::vector<std::string>{"local", "lab-2"}));
  ASSERT_EQ(sweep.host_marks.size(), 2u);
  EXPECT_EQ(sweep.host_marks[1].line, 3);
  EXPECT_EQ(sweep.host_marks[1].column, 16);
  ASSERT_EQ(sweep.models.size(), 2u);
  EXPECT_EQ(sweep.models[0].name, "mobilenet_v2");
  EXPECT_EQ(sweep.models[0].file, dir.str("models/m.onnx"));
  EXPECT_EQ(sweep.models[0].config, "");
  EXPECT_EQ(sweep.models[0].format, "onnx");
  EXPECT_EQ(sweep.models[0].input_shape, (std::vector<int64_t>{3, 224, 224}));
  EXPECT_EQ(sweep.models[0].precision, "fp16");
  EXPECT_EQ(sweep.models[1].file, dir.str("models/net.caffemodel"));
  EXPECT_EQ(sweep.models[1].config, dir.str("models/deploy.prototxt"));
  EXPECT_EQ(sweep.models[1].format, "caffe");
  EXPECT_EQ(sweep.models[1].precision, "fp32");
  ASSERT_EQ(sweep.launchers.size(), 2u);
  EXPECT_EQ(sweep.launchers[0].framework, "opencv-dnn");
  EXPECT_TRUE(sweep.launchers[0].params.empty());
  EXPECT_EQ(sweep.launchers[1].framework, "null");
  EXPECT_EQ(sweep.launchers[1].params, (std::map<std::string, std::string>{{"sleep_ms", "5"}}));
  EXPECT_EQ(sweep.batch_sizes, (std::vector<int>{1, 8, 4096}));
  EXPECT_EQ(sweep.modes, (std::vector<Mode>{Mode::kAsync, Mode::kSync}));
  EXPECT_EQ(sweep.threads, (std::vector<int>{2, 1}));
  EXPECT_EQ(sweep.async_requests, (std::vector<int>{1, 4}));
  EXPECT_EQ(sweep.measure.iterations, 50);
  EXPECT_DOUBLE_EQ(sweep.measure.min_seconds, 2.5);
  EXPECT_EQ(sweep.measure.warmup_iterations, 0);
  EXPECT_DOUBLE_EQ(sweep.measure.warmup_seconds, 0.5);
  EXPECT_DOUBLE_EQ(sweep.measure.timeout_seconds, 90);
  EXPECT_EQ(sweep.measure.memory_limit_mb, 512);
}

TEST_F(ConfigSweep, OmittedOptionalKeysTakeTheirDefaults) {
  const SweepConfig sweep = parse_sweep(sweep_with({}), sweep_path);
  EXPECT_TRUE(sweep.hosts.empty());
  EXPECT_EQ(sweep.models[0].precision, "fp32");
  EXPECT_EQ(sweep.async_requests, (std::vector<int>{2}));
  const MeasureConfig defaults;
  EXPECT_EQ(sweep.measure.iterations, defaults.iterations);
  EXPECT_EQ(sweep.measure.min_seconds, defaults.min_seconds);
  EXPECT_EQ(sweep.measure.warmup_iterations, defaults.warmup_iterations);
  EXPECT_EQ(sweep.measure.warmup_seconds, defaults.warmup_seconds);
  EXPECT_EQ(sweep.measure.timeout_seconds, defaults.timeout_seconds);
  EXPECT_EQ(sweep.measure.memory_limit_mb, 0) << "no memory limit unless asked: frameworks reserve address space";
}

TEST_F(ConfigSweep, HostsAllMeansEveryHost) {
  EXPECT_TRUE(parse_sweep(sweep_with({}, "hosts: all\n"), sweep_path).hosts.empty());
}

TEST_F(ConfigSweep, AbsoluteModelPathsAreKeptAndRelativeOnesNormalised) {
  const SweepConfig sweep =
      parse_sweep(sweep_with({{5, "    file: " + dir.str("models/m.onnx")}, {2, "fleet: ./../sweeps/fleet.yaml"}}),
                  sweep_path);
  EXPECT_EQ(sweep.models[0].file, dir.str("models/m.onnx"));
  EXPECT_EQ(sweep.fleet_path, dir.str("sweeps/fleet.yaml"));
}

TEST_F(ConfigSweep, LoadResolvesPathsAgainstTheSweepFolderNotTheCurrentOne) {
  dir.write("sweeps/sweep.yaml", sweep_with({}));
  const SweepConfig sweep = load_sweep(sweep_path);
  EXPECT_EQ(sweep.path, sweep_path);
  EXPECT_EQ(sweep.models[0].file, dir.str("models/m.onnx"));
  EXPECT_EQ(sweep.fleet_path, dir.str("sweeps/fleet.yaml"));
}

TEST_F(ConfigSweep, LoadOfMissingFileNamesIt) {
  try {
    load_sweep(dir.str("nope.yaml"));
    FAIL() << "no ConfigError";
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.diagnostics().size(), 1u);
    EXPECT_EQ(error.diagnostics()[0].file, dir.str("nope.yaml"));
    EXPECT_EQ(error.diagnostics()[0].line, 0);
    EXPECT_NE(std::string(error.what()).find("file '" + dir.str("nope.yaml") + "' does not exist"), std::string::npos)
        << error.what();
  }
}

// ---- document-level problems ----

TEST_F(ConfigSweep, YamlSyntaxErrorHasItsPosition) {
  // yaml-cpp notices the unclosed list at the next key's colon.
  expect_problem(sweep_with({{9, "batch_sizes: [1, 4"}}), 10, 6, "", "invalid YAML: end of sequence flow not found");
}

TEST_F(ConfigSweep, EmptyDocument) { expect_problem("# nothing here\n", 1, 1, "", "the file is empty"); }

TEST_F(ConfigSweep, TopLevelMustBeAMap) {
  expect_problem("- name: x\n- fleet: y\n", 1, 1, "", "expected a map of sweep settings");
}

TEST_F(ConfigSweep, SeveralDocumentsAreRejected) {
  expect_problem(sweep_with({}, "---\nname: second\n"), 13, 1, "", "expected one YAML document, found 2");
}

// The suggestion already says what is missing, so "missing required key 'batch_sizes'" would only repeat it.
TEST_F(ConfigSweep, UnknownKeySuggestsTheClosestInsteadOfReportingItMissing) {
  const auto diagnostics = diagnostics_of(sweep_with({{9, "batchsize: [1, 4]"}}));
  ASSERT_EQ(diagnostics.size(), 1u) << testing::listing(diagnostics);
  EXPECT_EQ(diagnostics[0].str(),
            sweep_path + ":9:1: batchsize: unknown key 'batchsize' (did you mean 'batch_sizes'? known keys: name, "
                         "fleet, hosts, models, launchers, batch_sizes, modes, threads, async_requests, devices, accuracy, measure, multi_stream_samples, server_qps, order, order_seed, capacity)");
}

TEST_F(ConfigSweep, DuplicateKey) {
  expect_problem(sweep_with({}, "threads: [4]\n"), 12, 1, "threads", "duplicate key 'threads' (first at line 11)");
}

TEST_F(ConfigSweep, UnrelatedUnknownKeyDoesNotHideAMissingOne) {
  const auto diagnostics = diagnostics_of(sweep_with({{9, "sizes: [1, 4]"}}));
  ASSERT_EQ(diagnostics.size(), 2u) << testing::listing(diagnostics);
  EXPECT_EQ(diagnostics[0].str(), sweep_path + ":1:1: batch_sizes: missing required key 'batch_sizes'");
  EXPECT_EQ(diagnostics[1].str(), sweep_path + ":9:1: sizes: unknown key 'sizes' (known keys: name, fleet, hosts, "
                                               "models, launchers, batch_sizes, modes, threads, async_requests, devices, "
                                               "accuracy, measure, multi_stream_samples, server_qps, order, order_seed, capacity)");
}

TEST_F(ConfigSweep, MissingRequiredTopLevelKey) {
  expect_problem(sweep_with({{3, ""}, {4, ""}, {5, ""}, {6, ""}, {7, ""}}), 1, 1, "models",
                 "missing required key 'models'");
}

TEST_F(ConfigSweep, EveryProblemIsReportedInReadingOrder) {
  const auto diagnostics = diagnostics_of(
      sweep_with({{1, "name: bad name"}, {6, "    format: onx"}, {9, "batch_sizes: [0]"}, {11, "threads: 2"}}));
  ASSERT_EQ(diagnostics.size(), 4u) << testing::listing(diagnostics);
  EXPECT_EQ(diagnostics[0].line, 1);
  EXPECT_EQ(diagnostics[1].line, 6);
  EXPECT_EQ(diagnostics[2].line, 9);
  EXPECT_EQ(diagnostics[3].line, 11);
  try {
    parse_sweep(sweep_with({{1, "name: bad name"}, {6, "    format: onx"}, {9, "batch_sizes: [0]"}, {11, "threads: 2"}}),
                sweep_path);
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()), diagnostics[0].str() + "\n" + diagnostics[1].str() + "\n" +
                                             diagnostics[2].str() + "\n" + diagnostics[3].str());
  }
}

// ---- scalar values ----

TEST_F(ConfigSweep, NameWithSpace) {
  expect_problem(sweep_with({{1, "name: my sweep"}}), 1, 7, "name",
                 "expected a name of 1 to 64 letters, digits, '_', '.' or '-', not starting with '.' or '-', "
                 "got 'my sweep' (a space is not allowed)");
}

TEST_F(ConfigSweep, MissingFleetFileNamesTheResolvedPath) {
  expect_problem(sweep_with({{2, "fleet: nofleet.yaml"}}), 2, 8, "fleet",
                 "file '" + dir.str("sweeps/nofleet.yaml") + "' does not exist");
}

TEST_F(ConfigSweep, HostsMustBeAllOrAList) {
  expect_problem(sweep_with({}, "hosts: some\n"), 12, 8, "hosts", "expected 'all' or a list of host names, got 'some'");
}

TEST_F(ConfigSweep, DuplicateHostName) {
  expect_problem(sweep_with({}, "hosts: [a, b, a]\n"), 12, 15, "hosts[2]",
                 "duplicate host name 'a' (first at hosts[0], line 12)");
}

// ---- lists of numbers ----

TEST_F(ConfigSweep, ZeroBatch) {
  expect_problem(sweep_with({{9, "batch_sizes: [1, 0]"}}), 9, 18, "batch_sizes[1]",
                 "expected a positive integer up to 4096, got '0'");
}

TEST_F(ConfigSweep, BatchTooLarge) {
  expect_problem(sweep_with({{9, "batch_sizes: [5000]"}}), 9, 15, "batch_sizes[0]",
                 "expected a positive integer up to 4096, got '5000'");
}

TEST_F(ConfigSweep, FloatBatch) {
  expect_problem(sweep_with({{9, "batch_sizes: [1.5]"}}), 9, 15, "batch_sizes[0]",
                 "expected a positive integer up to 4096, got '1.5'");
}

TEST_F(ConfigSweep, DuplicateBatch) {
  expect_problem(sweep_with({{9, "batch_sizes: [4, 1, 4]"}}), 9, 21, "batch_sizes[2]",
                 "duplicate value 4 (already at batch_sizes[0])");
}

TEST_F(ConfigSweep, ScalarWhereListExpected) {
  expect_problem(sweep_with({{9, "batch_sizes: 8"}}), 9, 14, "batch_sizes",
                 "expected a list of batch sizes, got '8' (write [8] for a single value)");
}

TEST_F(ConfigSweep, MapWhereListExpected) {
  expect_problem(sweep_with({{9, "batch_sizes: {a: 1}"}}), 9, 14, "batch_sizes",
                 "expected a list of batch sizes, got a map");
}

TEST_F(ConfigSweep, ZeroThreads) {
  expect_problem(sweep_with({{11, "threads: [0]"}}), 11, 11, "threads[0]",
                 "expected a positive integer up to 1024, got '0'");
}

TEST_F(ConfigSweep, BoolThreads) {
  expect_problem(sweep_with({{11, "threads: [true]"}}), 11, 11, "threads[0]",
                 "expected a positive integer up to 1024, got 'true'");
}

TEST_F(ConfigSweep, QuotedNumberIsAString) {
  expect_problem(sweep_with({{11, "threads: [\"2\"]"}}), 11, 11, "threads[0]",
                 "got the quoted string '2' (write numbers without quotes)");
}

TEST_F(ConfigSweep, NullListItem) {
  expect_problem(sweep_with({{11, "threads: [~]"}}), 11, 11, "threads[0]",
                 "expected a positive integer up to 1024, got null");
}

TEST_F(ConfigSweep, EmptyValuePointsAtItsKey) {
  expect_problem(sweep_with({{11, "threads:"}}), 11, 1, "threads", "expected a list of thread counts, got null");
}

TEST_F(ConfigSweep, TooManyAsyncRequests) {
  expect_problem(sweep_with({}, "async_requests: [2, 300]\n"), 12, 21, "async_requests[1]",
                 "expected a positive integer up to 256, got '300'");
}

TEST_F(ConfigSweep, EmptyModes) {
  expect_problem(sweep_with({{10, "modes: []"}}), 10, 8, "modes", "expected a non-empty list of modes (sync, async, single_stream, multi_stream, server, offline), got []");
}

TEST_F(ConfigSweep, MisspelledModeSuggestsTheRightOne) {
  expect_problem(sweep_with({{10, "modes: [sync, sycn]"}}), 10, 15, "modes[1]",
                 "expected one of sync, async, single_stream, multi_stream, server, offline, got 'sycn' (did you mean 'sync'?)");
}

TEST_F(ConfigSweep, DuplicateMode) {
  expect_problem(sweep_with({{10, "modes: [sync, sync]"}}), 10, 15, "modes[1]",
                 "duplicate value 'sync' (already at modes[0])");
}

// ---- models ----

TEST_F(ConfigSweep, NegativeShapeDimension) {
  expect_problem(sweep_with({{7, "    input_shape: [3, -3, 224]"}}), 7, 22, "models[0].input_shape[1]",
                 "expected a positive integer, got '-3'");
}

TEST_F(ConfigSweep, EmptyShape) {
  expect_problem(sweep_with({{7, "    input_shape: []"}}), 7, 18, "models[0].input_shape",
                 "expected a non-empty list of dimensions");
}

TEST_F(ConfigSweep, MissingModelKeyPointsAtTheModel) {
  expect_problem(sweep_with({{6, ""}}), 4, 5, "models[0].format", "missing required key 'format'");
}

TEST_F(ConfigSweep, MissingModelFileNamesTheResolvedPath) {
  expect_problem(sweep_with({{5, "    file: ../models/nope.onnx"}}), 5, 11, "models[0].file",
                 "file '" + dir.str("models/nope.onnx") + "' does not exist");
}

TEST_F(ConfigSweep, ModelFileThatIsADirectory) {
  expect_problem(sweep_with({{5, "    file: ../models"}}), 5, 11, "models[0].file",
                 "'" + dir.str("models") + "' is a directory, expected a file");
}

TEST_F(ConfigSweep, MissingConfigFile) {
  expect_problem(sweep_with({{7, "    input_shape: [1]\n    config: ../models/missing.prototxt"}}), 8, 13,
                 "models[0].config", "file '" + dir.str("models/missing.prototxt") + "' does not exist");
}

TEST_F(ConfigSweep, UnknownFormatSuggestsTheClosest) {
  expect_problem(sweep_with({{6, "    format: onx"}}), 6, 13, "models[0].format",
                 "expected one of onnx, caffe, tensorflow, torchscript, got 'onx' (did you mean 'onnx'?)");
}

TEST_F(ConfigSweep, CaffeNeedsAConfigFile) {
  expect_problem(sweep_with({{5, "    file: ../models/net.caffemodel"}, {6, "    format: caffe"}}), 4, 5,
                 "models[0].config", "format 'caffe' needs 'config'");
}

TEST_F(ConfigSweep, BadPrecision) {
  expect_problem(sweep_with({{7, "    input_shape: [1]\n    precision: fp64"}}), 8, 16, "models[0].precision",
                 "expected one of fp32, fp16, int8, got 'fp64'");
}

TEST_F(ConfigSweep, UnknownModelKey) {
  expect_problem(sweep_with({{7, "    input_shape: [1]\n    precison: fp16"}}), 8, 5, "models[0].precison",
                 "unknown key 'precison' (did you mean 'precision'? known keys: name, file, config, format, "
                 "input_shape, precision)");
}

TEST_F(ConfigSweep, DuplicateModelName) {
  expect_problem(
      sweep_with({{7, "    input_shape: [1]\n  - {name: m, file: ../models/r.onnx, format: onnx, input_shape: [1]}"}}),
      8, 12, "models[1].name", "duplicate model 'm in format onnx' (first at models[0].name, line 4)");
}

TEST_F(ConfigSweep, ModelThatIsNotAMap) {
  expect_problem(sweep_with({{3, "models: [m]"}, {4, ""}, {5, ""}, {6, ""}, {7, ""}}), 3, 10, "models[0]",
                 "expected a map describing a model");
}

// ---- launchers ----

TEST_F(ConfigSweep, UnknownLauncherSuggestsARegisteredOne) {
  expect_problem(sweep_with({{8, "launchers: [opencv]"}}), 8, 13, "launchers[0]",
                 "unknown launcher 'opencv' (did you mean 'opencv-dnn'? known launchers: ");
}

TEST_F(ConfigSweep, UnquotedNullLauncherExplainsTheQuotes) {
  expect_problem(sweep_with({{8, "launchers: [null]"}}), 8, 13, "launchers[0]",
                 "got null (write \"null\" in quotes for the no-op launcher)");
}

TEST_F(ConfigSweep, UnknownLauncherParameter) {
  expect_problem(sweep_with({{8, "launchers: [{framework: \"null\", params: {sleep: 5}}]"}}), 8, 42,
                 "launchers[0].params.sleep", "unknown parameter 'sleep' for launcher 'null' (did you mean 'sleep_ms'?");
}

TEST_F(ConfigSweep, LauncherParameterMustBeAScalar) {
  expect_problem(sweep_with({{8, "launchers: [{framework: \"null\", params: {sleep_ms: [5]}}]"}}), 8, 52,
                 "launchers[0].params.sleep_ms", "expected a text or number value, got a list");
}

TEST_F(ConfigSweep, DuplicateLauncher) {
  expect_problem(sweep_with({{8, "launchers: [opencv-dnn, {framework: opencv-dnn}]"}}), 8, 25, "launchers[1]",
                 "duplicate launcher: same framework and params as launchers[0]");
}

TEST_F(ConfigSweep, SameLauncherWithOtherParamsIsNotADuplicate) {
  const SweepConfig sweep = parse_sweep(
      sweep_with({{8, "launchers: [\"null\", {framework: \"null\", params: {sleep_ms: 5}}]"}}), sweep_path);
  EXPECT_EQ(sweep.launchers.size(), 2u);
}

TEST_F(ConfigSweep, LauncherMapWithoutFramework) {
  expect_problem(sweep_with({{8, "launchers: [{params: {}}]"}}), 8, 13, "launchers[0].framework",
                 "missing required key 'framework'");
}

TEST_F(ConfigSweep, LauncherThatIsAList) {
  expect_problem(sweep_with({{8, "launchers: [[opencv-dnn]]"}}), 8, 13, "launchers[0]",
                 "expected a launcher name or a map {framework: NAME, params: {...}}, got a list");
}

// ---- measure ----

TEST_F(ConfigSweep, ImpossibleMeasureValuesAreAllReported) {
  const auto diagnostics = diagnostics_of(sweep_with(
      {}, "measure: {iterations: 0, min_seconds: -1, warmup_iterations: 1.5, warmup_seconds: x, timeout_seconds: 0}\n"));
  ASSERT_EQ(diagnostics.size(), 5u) << testing::listing(diagnostics);
  EXPECT_EQ(diagnostics[0].str(), sweep_path + ":12:23: measure.iterations: expected a positive integer, got '0'");
  EXPECT_EQ(diagnostics[1].str(),
            sweep_path + ":12:39: measure.min_seconds: expected a number from 0 to 86400 (a day), got '-1'");
  EXPECT_EQ(diagnostics[2].str(),
            sweep_path + ":12:62: measure.warmup_iterations: expected an integer >= 0, got '1.5'");
  EXPECT_EQ(diagnostics[3].str(),
            sweep_path + ":12:83: measure.warmup_seconds: expected a number from 0 to 86400 (a day), got 'x'");
  EXPECT_EQ(diagnostics[4].str(), sweep_path + ":12:103: measure.timeout_seconds: expected a number > 0 and <= "
                                               "604800 (7 days), got '0'");
}

// A share of the host's CPU time: 0 turns the busy rule off, above 1 is impossible.
TEST_F(ConfigSweep, MaxBusyShareIsAShareFrom0To1AndDefaultsToTheBusyWarningsThreshold) {
  EXPECT_EQ(parse_sweep(sweep_with({}), sweep_path).measure.max_busy_share, 0.05);
  EXPECT_EQ(parse_sweep(sweep_with({}, "measure: {max_busy_share: 0}\n"), sweep_path).measure.max_busy_share, 0);
  EXPECT_EQ(parse_sweep(sweep_with({}, "measure: {max_busy_share: 0.25}\n"), sweep_path).measure.max_busy_share,
            0.25);
  EXPECT_EQ(parse_sweep(sweep_with({}, "measure: {max_busy_share: 1}\n"), sweep_path).measure.max_busy_share, 1);
  for (const std::string value : {"-0.1", "1.5", "lots"}) {
    expect_problem(sweep_with({}, "measure: {max_busy_share: " + value + "}\n"), 12, 27, "measure.max_busy_share",
                   "expected a number from 0 to 1, got ");
  }
}

TEST_F(ConfigSweep, PinCpusIsABooleanAndOffByDefault) {
  EXPECT_FALSE(parse_sweep(sweep_with({}), sweep_path).measure.pin_cpus);
  EXPECT_TRUE(parse_sweep(sweep_with({}, "measure: {pin_cpus: true}\n"), sweep_path).measure.pin_cpus);
  EXPECT_FALSE(parse_sweep(sweep_with({}, "measure: {pin_cpus: false}\n"), sweep_path).measure.pin_cpus);
  expect_problem(sweep_with({}, "measure: {pin_cpus: 2}\n"), 12, 21, "measure.pin_cpus", "expected one of ");
}

// A limit of 0 would mean none, a negative or fractional one nothing; beyond 16 TiB it is a typo (and overflows).
TEST_F(ConfigSweep, MemoryLimitMustBeAPositiveBoundedWholeNumberOfMiB) {
  for (const std::string value : {"0", "-1", "1.5", "16777217", "'64'", "lots"}) {
    expect_problem(sweep_with({}, "measure: {memory_limit_mb: " + value + "}\n"), 12, 28, "measure.memory_limit_mb",
                   "expected a positive integer up to 16777216, got ");
  }
  EXPECT_EQ(parse_sweep(sweep_with({}, "measure: {memory_limit_mb: 16777216}\n"), sweep_path).measure.memory_limit_mb,
            16777216);
  EXPECT_EQ(parse_sweep(sweep_with({}, "measure: {memory_limit_mb: 1}\n"), sweep_path).measure.memory_limit_mb, 1);
}

// ---- repeats and order ----

TEST_F(ConfigSweep, RepeatsOrderAndSeedAreRead) {
  const SweepConfig sweep = parse_sweep(
      sweep_with({}, "measure: {repeats: 5, max_repeat_cv: 0.03}\norder: shuffled\norder_seed: 42\n"), sweep_path);
  EXPECT_EQ(sweep.measure.repeats, 5);
  EXPECT_DOUBLE_EQ(sweep.measure.max_repeat_cv, 0.03);
  EXPECT_EQ(sweep.order, TestOrder::kShuffled);
  ASSERT_TRUE(sweep.order_seed.has_value());
  EXPECT_EQ(*sweep.order_seed, 42u);
  const SweepConfig plain = parse_sweep(sweep_with({}), sweep_path);
  EXPECT_EQ(plain.measure.repeats, 1);
  EXPECT_DOUBLE_EQ(plain.measure.max_repeat_cv, 0.05);
  EXPECT_EQ(plain.order, TestOrder::kGrouped);
  EXPECT_FALSE(plain.order_seed.has_value());
  EXPECT_EQ(parse_sweep(sweep_with({}, "order: interleaved\n"), sweep_path).order, TestOrder::kInterleaved);
}

TEST_F(ConfigSweep, RepeatsMustBeFromOneToAHundred) {
  for (const std::string value : {"0", "101", "2.5", "many"}) {
    expect_problem(sweep_with({}, "measure: {repeats: " + value + "}\n"), 12, 20, "measure.repeats",
                   "expected a positive integer up to 100, got ");
  }
}

TEST_F(ConfigSweep, UnknownOrderSuggestsTheClosest) {
  expect_problem(sweep_with({}, "order: interleave\n"), 12, 8, "order",
                 "expected one of grouped, interleaved, shuffled");
}

// A seed that orders nothing is a mistake worth saying: the user believes the order is fixed by it.
TEST_F(ConfigSweep, OrderSeedWithoutShuffledOrderIsRefused) {
  expect_problem(sweep_with({}, "order: interleaved\norder_seed: 7\n"), 13, 13, "order_seed",
                 "order_seed is only used with order: shuffled");
}

// Each repeat is a task: the size limit counts them.
TEST_F(ConfigSweep, RepeatsMultiplyTheTestsPerHost) {
  const SweepConfig sweep = parse_sweep(sweep_with({}, "measure: {repeats: 3}\n"), sweep_path);
  EXPECT_DOUBLE_EQ(max_tests_per_host(sweep), 3 * 2 * 2);  // batch sizes x modes x repeats
}

TEST_F(ConfigSweep, UnknownMeasureKey) {
  expect_problem(sweep_with({}, "measure:\n  iteration: 5\n"), 13, 3, "measure.iteration",
                 "unknown key 'iteration' (did you mean 'iterations'?");
}

TEST_F(ConfigSweep, MeasureMustBeAMap) {
  expect_problem(sweep_with({}, "measure: fast\n"), 12, 10, "measure", "expected a map of measurement settings");
}

TEST_F(ConfigSweep, TimeoutsAreBoundedAndFinite) {
  for (const std::string bad : {"1e10", ".inf", ".nan", "604801", "1e400"}) {
    expect_problem(sweep_with({}, "measure: {timeout_seconds: " + bad + "}\n"), 12, 28, "measure.timeout_seconds",
                   "expected a number > 0 and <= 604800 (7 days), got '" + bad + "'");
  }
  expect_problem(sweep_with({}, "measure: {min_seconds: 1e9}\n"), 12, 24, "measure.min_seconds",
                 "expected a number from 0 to 86400 (a day), got '1e9'");
  EXPECT_DOUBLE_EQ(parse_sweep(sweep_with({}, "measure: {timeout_seconds: 604800}\n"), sweep_path).measure.timeout_seconds,
                   604800);
}

// ---- names ----

TEST_F(ConfigSweep, SweepNameLongerThan64BytesIsRefused) {
  // The run id is YYYYMMDD-HHMMSS-<name>[-N], one path segment of the store: 64 bytes keep it far below 255.
  const std::string name(65, 's');
  expect_problem(sweep_with({{1, "name: " + name}}), 1, 7, "name",
                 "got '" + name.substr(0, 57) + "...' (it is 65 bytes long, longer than 64)");
  EXPECT_EQ(parse_sweep(sweep_with({{1, "name: " + std::string(64, 's')}}), sweep_path).name, std::string(64, 's'));
}

TEST_F(ConfigSweep, HiddenModelAndHostNamesAreRefused) {
  expect_problem(sweep_with({{4, "  - name: .m"}}), 4, 11, "models[0].name", "got '.m' (it starts with '.')");
  expect_problem(sweep_with({}, "hosts: [local, '..']\n"), 12, 16, "hosts[1]", "got '..' (it starts with '.')");
}

// ---- launcher parameter values, by each runner's rules (src/protocol/runner_catalogue.cpp) ----

TEST_F(ConfigSweep, LauncherParameterValuesAreCheckedByTheRunnersRules) {
  const auto diagnostics = diagnostics_of(sweep_with(
      {{8, "launchers: [{framework: \"null\", params: {sleep_ms: abc, fault: boom}}, "
           "{framework: opencv-dnn, params: {backend: nope}}, {framework: libtorch, params: {inter_op_threads: 2.5}}]"}}));
  ASSERT_EQ(diagnostics.size(), 4u) << testing::listing(diagnostics);
  EXPECT_EQ(diagnostics[0].str(),
            sweep_path + ":8:52: launchers[0].params.sleep_ms: expected a number from 0 to 86400000, got 'abc'");
  EXPECT_EQ(diagnostics[1].str(), sweep_path + ":8:64: launchers[0].params.fault: expected one of none, crash, abort, "
                                               "hang, exit, eat_memory, got 'boom'");
  EXPECT_EQ(diagnostics[2].str(), sweep_path + ":8:114: launchers[1].params.backend: expected one of opencv, default, "
                                               "cuda, got 'nope'");
  EXPECT_EQ(diagnostics[3].str(), sweep_path + ":8:171: launchers[2].params.inter_op_threads: expected an integer "
                                               "from 1 to 1024, got '2.5'");
}

// ---- cross-check with the fleet ----

TEST_F(ConfigSweep, UnknownHostIsReportedWhereTheSweepNamesIt) {
  const SweepConfig sweep = parse_sweep(sweep_with({}, "hosts:\n  - local\n  - locl\n"), sweep_path);
  const FleetConfig fleet = load_fleet(sweep.fleet_path);
  try {
    check_sweep_against_fleet(sweep, fleet);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.diagnostics().size(), 1u) << error.what();
    EXPECT_EQ(error.diagnostics()[0].str(), sweep_path + ":14:5: hosts[1]: unknown host 'locl' (did you mean 'local'? "
                                                         "hosts in " + dir.str("sweeps/fleet.yaml") + ": local)");
  }
}

TEST_F(ConfigSweep, KnownHostsPassTheFleetCheck) {
  const SweepConfig sweep = parse_sweep(sweep_with({}, "hosts: [local]\n"), sweep_path);
  EXPECT_NO_THROW(check_sweep_against_fleet(sweep, load_fleet(sweep.fleet_path)));
}

TEST_F(ConfigSweep, CapacityQuestionsAreReadWithTheLatencyOptional) {
  const SweepConfig sweep = parse_sweep(sweep_with({},
                                                   "capacity:\n  - {model: m, streams: 8, fps: 10, p99_ms: 200}\n"
                                                   "  - {model: m, streams: 1, fps: 2.5}\n"),
                                        sweep_path);
  ASSERT_EQ(sweep.capacity.size(), 2u);
  EXPECT_EQ(sweep.capacity[0], (CapacityQuestion{"m", 8, 10, 0.2}));
  EXPECT_EQ(sweep.capacity[1], (CapacityQuestion{"m", 1, 2.5, std::nullopt}));
  EXPECT_TRUE(parse_sweep(sweep_with({}), sweep_path).capacity.empty());
}

TEST_F(ConfigSweep, CapacityBadQuestionsNameTheirPlaceAndKey) {
  expect_problem(sweep_with({}, "capacity:\n  - {model: n, streams: 8, fps: 10}\n"), 13, 13, "capacity[0].model",
                 "unknown model 'n'");
  expect_problem(sweep_with({}, "capacity:\n  - {model: m, streams: 0, fps: 10}\n"), 13, 25, "capacity[0].streams",
                 "expected");
  expect_problem(sweep_with({}, "capacity:\n  - {model: m, streams: 8, fps: 0}\n"), 13, 33, "capacity[0].fps",
                 "expected");
  expect_problem(sweep_with({}, "capacity:\n  - {model: m, streams: 8, fps: 1, p99_ms: -5}\n"), 13, 44,
                 "capacity[0].p99_ms", "expected");
  expect_problem(sweep_with({}, "capacity:\n  - {model: m, streams: 8}\n"), 13, 5, "capacity[0].fps",
                 "missing required key 'fps'");
  expect_problem(sweep_with({}, "capacity:\n  - {model: m, streams: 8, fps: 1, p99: 5}\n"), 13, 36, "capacity[0].p99",
                 "unknown key 'p99'");
}

}  // namespace
}  // namespace dli
