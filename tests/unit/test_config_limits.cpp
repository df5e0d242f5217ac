// Limits of fleet and sweep files (include/dli/config/config_limits.hpp, docs/config.md "Limits"): refused with
// exact places and messages, before the YAML is turned into nodes, and in bounded time.
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/config/config.hpp"
#include "dli/config/config_limits.hpp"
#include "support/config_problems.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

using namespace config_limits;

class ConfigLimits : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::string fleet_path = dir.str("fleet.yaml");
  std::string sweep_path = dir.str("sweep.yaml");

  void SetUp() override {
    dir.write("m.onnx", "model bytes");
    dir.write("fleet.yaml", "hosts: [{name: local, kind: local}]\n");
  }

  std::vector<Diagnostic> fleet_problems(const std::string& yaml) const {
    return testing::diagnostics_of([&] { parse_fleet(yaml, fleet_path); }, yaml.substr(0, 200));
  }
  std::vector<Diagnostic> sweep_problems(const std::string& yaml) const {
    return testing::diagnostics_of([&] { parse_sweep(yaml, sweep_path); }, yaml.substr(0, 200));
  }
};

// A sweep whose lists are given; the rest is valid.
std::string sweep_text(const std::string& batch_sizes, const std::string& modes, const std::string& requests) {
  return "name: s\nfleet: fleet.yaml\nmodels: [{name: m, file: m.onnx, format: onnx, input_shape: [1]}]\n"
         "launchers: [opencv-dnn]\nbatch_sizes: " + batch_sizes + "\nmodes: " + modes + "\nthreads: [1]\n"
         "async_requests: " + requests + "\n";
}

std::string integers(int from, int to) {
  std::string text = "[";
  for (int i = from; i <= to; ++i) text += (i > from ? "," : "") + std::to_string(i);
  return text + "]";
}

TEST_F(ConfigLimits, TooLongTextIsRefusedWithItsKeyPath) {
  const auto problems = fleet_problems("hosts:\n  - name: " + std::string(5000, 'a') + "\n    kind: local\n");
  testing::expect_single_problem(problems, fleet_path, 2, 11, "hosts[0].name",
                                 "a text of 5000 bytes, longer than the limit of 4096 (docs/config.md, Limits)");
}

TEST_F(ConfigLimits, TextOfExactlyTheLimitIsAccepted) {
  const FleetConfig fleet = parse_fleet(
      "hosts:\n  - name: a\n    kind: local\n    labels: {note: " + std::string(kMaxTextBytes, 'x') + "}\n",
      fleet_path);
  EXPECT_EQ(fleet.hosts.at(0).labels.at("note").size(), kMaxTextBytes);
}

TEST_F(ConfigLimits, TooLongKeyIsRefusedAtItsMap) {
  // An explicit key ("? "): YAML limits implicit keys to 1024 characters itself.
  const auto problems = fleet_problems("hosts: [{name: a, kind: local}]\n? " + std::string(4097, 'k') + "\n: 1\n");
  testing::expect_single_problem(problems, fleet_path, 2, 3, "",
                                 "a key of 4097 bytes, longer than the limit of 4096 (docs/config.md, Limits)");
}

TEST_F(ConfigLimits, EveryTooLongTextIsReported) {
  const std::string long_text(4100, 'x');
  const auto problems = fleet_problems("hosts:\n  - name: a\n    kind: local\n    labels: {a: " + long_text +
                                       ", b: " + long_text + "}\n");
  ASSERT_EQ(problems.size(), 2u) << testing::listing(problems);
  EXPECT_EQ(problems[0].key, "hosts[0].labels.a");
  EXPECT_EQ(problems[1].key, "hosts[0].labels.b");
  EXPECT_EQ(problems[1].line, 4);
}

TEST_F(ConfigLimits, TooLongListStopsTheParse) {
  std::string items;
  for (std::size_t i = 0; i <= kMaxItems; ++i) items += "x,";
  const auto problems = sweep_problems("name: s\nbatch_sizes: [" + items + "]\n");
  testing::expect_single_problem(problems, sweep_path, 2, 14, "batch_sizes",
                                 "more than 10000 items in one list (the limit; docs/config.md, Limits)");
}

TEST_F(ConfigLimits, TooLargeMapStopsTheParse) {
  std::string labels;
  for (std::size_t i = 0; i <= kMaxItems; ++i) labels += "k" + std::to_string(i) + ": v, ";
  const auto problems = fleet_problems("hosts:\n  - name: a\n    kind: local\n    labels: {" + labels + "}\n");
  testing::expect_single_problem(problems, fleet_path, 4, 13, "hosts[0].labels",
                                 "more than 10000 entries in one map (the limit; docs/config.md, Limits)");
}

TEST_F(ConfigLimits, TooManyValuesInOneFileStopTheParse) {
  // 9000 hosts of 27 values each pass 200000 values while every list and map is within its limit.
  std::string yaml = "hosts:\n";
  for (int i = 0; i < 9000; ++i) {
    yaml += "  - {name: h" + std::to_string(i) + ", kind: local, labels: {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, "
            "h: 8, i: 9, j: 10}}\n";
  }
  const auto problems = fleet_problems(yaml);
  ASSERT_EQ(problems.size(), 1u) << testing::listing(problems);
  EXPECT_EQ(problems[0].message, "more than 200000 values in one file (the limit; docs/config.md, Limits)");
  // Before the hosts: the document's map, `hosts` and its list. Each host is 27 values: its map, 2 for name, 2 for
  // kind, 1 for `labels`, its map and 2 for each of 10 labels. Host n (from 1) is on line n + 1.
  const std::size_t host = (kMaxNodes + 1 - 3 + 26) / 27;
  EXPECT_EQ(problems[0].line, static_cast<int>(host + 1));
  EXPECT_EQ(problems[0].key.rfind("hosts[" + std::to_string(host - 1) + "]", 0), 0u) << problems[0].key;
}

TEST_F(ConfigLimits, DeepNestingStopsTheParse) {
  const auto problems = fleet_problems("hosts: " + std::string(1000, '[') + std::string(1000, ']') + "\n");
  ASSERT_EQ(problems.size(), 1u) << testing::listing(problems);
  EXPECT_EQ(problems[0].message, "lists and maps nested deeper than 32 levels (the limit; docs/config.md, Limits)");
  EXPECT_EQ(problems[0].line, 1);
  EXPECT_EQ(problems[0].column, 8 + 31);
  EXPECT_EQ(problems[0].key.rfind("hosts[0][0]", 0), 0u) << problems[0].key;
}

TEST_F(ConfigLimits, TooBigFileIsRefusedBeforeItIsRead) {
  const std::string path = dir.write("big.yaml", std::string(kMaxFileBytes + 1, '#'));
  try {
    load_fleet(path);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.diagnostics().size(), 1u) << error.what();
    EXPECT_EQ(error.diagnostics()[0].str(), path + ": the file is 16777217 bytes, larger than the limit of 16777216 "
                                                   "bytes (16 MiB; docs/config.md, Limits)");
  }
}

TEST_F(ConfigLimits, OnlyTheFirstHundredProblemsAreListedAndTheRestCounted) {
  std::string yaml = "hosts:\n";
  for (int i = 0; i < 150; ++i) yaml += "  - {name: 'bad name', kind: local}\n";
  const auto problems = fleet_problems(yaml);
  ASSERT_EQ(problems.size(), kMaxDiagnostics + 1);
  EXPECT_EQ(problems[0].line, 2);
  EXPECT_EQ(problems[99].line, 101);
  EXPECT_EQ(problems[100].str(), fleet_path + ": and 50 more problems (only the first 100 are listed)");
}

TEST_F(ConfigLimits, DuplicateKeysAreFoundInLinearTime) {
  std::string labels;
  for (std::size_t i = 0; i + 1 < kMaxItems; ++i) labels += "k" + std::to_string(i) + ": v, ";
  const std::string yaml = "hosts:\n  - name: a\n    kind: local\n    labels: {" + labels + "k7: again}\n";
  const auto start = std::chrono::steady_clock::now();
  const auto problems = fleet_problems(yaml);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(problems.size(), 1u) << testing::listing(problems);
  EXPECT_EQ(problems[0].key, "hosts[0].labels.k7");
  EXPECT_EQ(problems[0].message, "duplicate key 'k7' (first at line 4)");
  EXPECT_LT(seconds, 2.0) << "10000 keys should take milliseconds";
}

TEST_F(ConfigLimits, MaxTestsPerHostIsTheProductOfTheLists) {
  SweepConfig sweep;
  sweep.models.resize(3);
  sweep.models[0].name = "a";
  sweep.models[1].name = "a";  // the same model in another format
  sweep.models[2].name = "b";
  sweep.launchers.resize(2);
  sweep.devices = {"cpu", "cuda"};
  sweep.batch_sizes = {1, 2, 4};
  sweep.modes = {Mode::kSync, Mode::kAsync};
  sweep.async_requests = {2, 4, 8};
  sweep.threads = {1, 2};
  EXPECT_EQ(max_tests_per_host(sweep), 3.0 * 2 * 2 * 3 * (1 + 3) * 2);
  sweep.accuracy.resize(1);
  sweep.accuracy[0].model = "a";
  EXPECT_EQ(max_tests_per_host(sweep), 3.0 * 2 * 2 * 3 * (1 + 3) * 2 + 2 * 2 * 2);
}

TEST_F(ConfigLimits, SweepWithTooManyTestsPerHostIsRefused) {
  // 400 batch sizes x (1 sync + 256 async request counts) = 102800 tests on every host.
  const auto problems = sweep_problems(sweep_text(integers(1, 400), "[sync, async]", integers(1, 256)));
  testing::expect_single_problem(problems, sweep_path, 1, 1, "",
                                 "the sweep asks each host for up to 102800 tests (models x launchers x devices x "
                                 "batch sizes x modes and request counts x threads), more than the limit of 100000 "
                                 "(docs/config.md, Limits)");
}

TEST_F(ConfigLimits, RunWithTooManyTestsIsRefusedAgainstTheFleet) {
  const SweepConfig sweep = parse_sweep(sweep_text(integers(1, 350), "[sync, async]", integers(1, 256)), sweep_path);
  EXPECT_EQ(max_tests_per_host(sweep), 350.0 * 257);
  FleetConfig fleet;
  fleet.path = fleet_path;
  fleet.hosts.resize(11);
  for (std::size_t i = 0; i < fleet.hosts.size(); ++i) fleet.hosts[i].name = "h" + std::to_string(i);
  EXPECT_NO_THROW(check_sweep_against_fleet(sweep, fleet));  // 989450 tests
  fleet.hosts.resize(12);
  fleet.hosts[11].name = "h11";
  try {
    check_sweep_against_fleet(sweep, fleet);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.diagnostics().size(), 1u) << error.what();
    EXPECT_EQ(error.diagnostics()[0].str(),
              sweep_path + ": hosts: the run would plan up to 1079400 tests (12 hosts), more than the limit of 1000000 "
                           "in one run (docs/config.md, Limits): split the fleet or the sweep");
  }
}

}  // namespace
}  // namespace dli
