// The "null" framework of dli-run-null (src/runners/null): describe(), its parameters (sleep_ms, load_ms, fault),
// the simulated work and load time, and its refusals. Its crash/abort/hang faults end or block the process, so they
// are exercised through the real executable (tests/e2e/test_runner_protocol.cpp); here only `exit` and
// `eat_memory`, in death tests (forked children).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/protocol/runner_catalogue.hpp"
#include "dli/runner/framework.hpp"
#include "dli/util/version.hpp"
#include "null_framework.hpp"  // src/runners/null, through the dli_runner_null target
#include "support/runner_checks.hpp"

namespace dli::runner {
namespace {

using namespace dli::runner::testing;

using Params = std::map<std::string, std::string>;

TestSpec spec_for(const Params& params = {}, int batch = 1) {
  TestSpec spec;
  spec.framework = "null";
  spec.model.name = "digits_cnn";
  spec.model.format = "onnx";
  spec.model.precision = "fp32";
  spec.model.input_shape = {1, 8, 8};
  spec.batch = batch;
  spec.threads = 1;
  spec.device = "cpu";
  spec.params = params;
  return spec;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(RunnerNull, DescribesItself) {
  const Capabilities capabilities = make_null_framework()->describe();
  EXPECT_EQ(capabilities.framework, "null");
  EXPECT_EQ(capabilities.version, std::string("dli ") + kVersion);
  EXPECT_EQ(capabilities.formats, std::vector<std::string>{"*"}) << "loads any format (it reads no file)";
  EXPECT_EQ(capabilities.devices, std::vector<std::string>{"cpu"});
}

// The planner's catalogue (docs/runners.md section 1) and the framework agree on the parameter names: every name the
// catalogue lists is accepted, and a name it does not list is refused.
TEST(RunnerNull, AcceptsExactlyTheCataloguesParameters) {
  const RunnerEntry* entry = find_runner_entry("null");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->executable, "dli-run-null");
  std::vector<std::string> names;
  for (const auto& rule : entry->params) names.push_back(rule.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"fault", "load_ms", "sleep_ms"}));
  const auto framework = make_null_framework();
  EXPECT_NO_THROW(framework->configure(spec_for({{"sleep_ms", "0"}, {"load_ms", "0.5"}, {"fault", "none"}})));
  // Every fault the catalogue allows is a value the framework knows (configure only checks; it injects nothing).
  for (const auto& rule : entry->params) {
    if (rule.name != "fault") continue;
    for (const auto& choice : rule.choices) {
      EXPECT_NO_THROW(framework->configure(spec_for({{"fault", choice}}))) << choice;
    }
  }
}

TEST(RunnerNull, LoadsAnythingAndServesRequestsWithoutReadingFiles) {
  const auto framework = make_null_framework();
  framework->configure(spec_for());
  const auto session = framework->load(ModelFiles{"/no/such/model.onnx", "/no/such/config"}, spec_for({}, 4));
  const std::vector<float> input(4 * 64, 0.5f);
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 100000; ++i) session->infer(input.data(), input.size());
  EXPECT_LT(seconds_since(started), 0.5) << "no work per request (well under 5 us each, even on a busy machine)";
  EXPECT_TRUE(session->last_output().empty()) << "it computes nothing";
  EXPECT_TRUE(framework->details().empty());
}

TEST(RunnerNull, RejectsAnInputOfTheWrongSize) {
  const auto session = make_null_framework()->load(ModelFiles{}, spec_for({}, 2));
  const std::vector<float> input(2 * 64 + 1, 0.5f);
  EXPECT_THROW(session->infer(input.data(), 64), std::invalid_argument) << "batch 1's worth";
  EXPECT_THROW(session->infer(input.data(), input.size()), std::invalid_argument) << "one float too many";
  EXPECT_NO_THROW(session->infer(input.data(), 2 * 64));
}

TEST(RunnerNull, SleepMsIsTheWorkOfEachRequest) {
  const auto session = make_null_framework()->load(ModelFiles{}, spec_for({{"sleep_ms", "15"}}));
  const std::vector<float> input(64, 0.5f);
  const auto started = std::chrono::steady_clock::now();
  session->infer(input.data(), input.size());
  session->infer(input.data(), input.size());
  const double elapsed = seconds_since(started);
  EXPECT_GE(elapsed, 0.030);
  EXPECT_LT(elapsed, 0.5);
}

TEST(RunnerNull, FractionalSleepIsHonoured) {
  const auto session = make_null_framework()->load(ModelFiles{}, spec_for({{"sleep_ms", "2.5"}}));
  const std::vector<float> input(64, 0.5f);
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) session->infer(input.data(), input.size());
  EXPECT_GE(seconds_since(started), 0.010) << "2.5 ms is not rounded down to 2 ms";
}

TEST(RunnerNull, LoadMsIsTheLoadTime) {
  const auto framework = make_null_framework();
  auto started = std::chrono::steady_clock::now();
  const auto session = framework->load(ModelFiles{}, spec_for({{"load_ms", "40"}, {"fault", "none"}}));
  EXPECT_GE(seconds_since(started), 0.040);
  // load_ms is the load's time, not each request's.
  const std::vector<float> input(64, 0.5f);
  started = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) session->infer(input.data(), input.size());
  EXPECT_LT(seconds_since(started), 0.040);
}

TEST(RunnerNull, BadValuesAreClearErrors) {
  const auto framework = make_null_framework();
  for (const char* bad : {"-1", "abc", "", "1.5ms", "nan", "inf", "1e30", " 5", "86400001"}) {
    for (const bool at_load : {false, true}) {
      bool unsupported = true;
      const std::string message = error_of(
          [&] {
            if (at_load) {
              framework->load(ModelFiles{}, spec_for({{"sleep_ms", bad}}));
            } else {
              framework->configure(spec_for({{"sleep_ms", bad}}));
            }
          },
          &unsupported);
      EXPECT_FALSE(unsupported) << "a malformed value is a bad request: '" << bad << "'";
      EXPECT_NE(message.find("sleep_ms"), std::string::npos) << bad << ": " << message;
      EXPECT_NE(message.find(std::string("'") + bad + "'"), std::string::npos) << message;
    }
  }
  EXPECT_NE(error_of([&] { framework->load(ModelFiles{}, spec_for({{"load_ms", "-0.5"}})); }).find("load_ms"),
            std::string::npos);
  const std::string fault = error_of([&] { framework->load(ModelFiles{}, spec_for({{"fault", "explode"}})); });
  EXPECT_NE(fault.find("crash, abort, hang, exit"), std::string::npos) << fault;
  EXPECT_NE(fault.find("'explode'"), std::string::npos) << fault;
  const std::string unknown = error_of([&] { framework->load(ModelFiles{}, spec_for({{"sleeep_ms", "1"}})); });
  EXPECT_NE(unknown.find("unknown parameter 'sleeep_ms'"), std::string::npos) << unknown;
}

TEST(RunnerNull, ConfigureChecksParamsBeforeAnyLoad) {
  const auto framework = make_null_framework();
  EXPECT_THROW(framework->configure(spec_for({{"fault", "sometimes"}})), std::runtime_error);
  EXPECT_THROW(framework->configure(spec_for({{"sleep_ms", "-3"}})), std::runtime_error);
  EXPECT_THROW(framework->configure(spec_for({{"threads", "2"}})), std::runtime_error);
  // A fault is injected at load, never by configure: the process survives this.
  EXPECT_NO_THROW(framework->configure(spec_for({{"fault", "crash"}})));
  EXPECT_NO_THROW(framework->configure(spec_for({{"sleep_ms", "0"}, {"load_ms", "0.5"}, {"fault", "none"}})));
}

TEST(RunnerNull, RejectsMeaninglessShapes) {
  const auto framework = make_null_framework();
  auto empty = spec_for();
  empty.model.input_shape.clear();
  EXPECT_NE(error_of([&] { framework->load(ModelFiles{}, empty); }).find("input shape is empty"), std::string::npos);
  for (const std::vector<std::int64_t>& shape : {std::vector<std::int64_t>{3, 0, 4}, {1, -8, 8}}) {
    auto bad = spec_for();
    bad.model.input_shape = shape;
    EXPECT_NE(error_of([&] { framework->load(ModelFiles{}, bad); }).find("at least 1"), std::string::npos);
  }
  auto huge = spec_for();
  huge.model.input_shape = {1LL << 40, 1LL << 40};
  EXPECT_NE(error_of([&] { framework->load(ModelFiles{}, huge); }).find("too large"), std::string::npos);
}

TEST(RunnerNullDeathTest, ExitFaultEndsTheProcessWithCodeThreeDuringLoad) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const auto framework = make_null_framework();
  const TestSpec spec = spec_for({{"fault", "exit"}});
  framework->configure(spec);  // checks the value, injects nothing
  EXPECT_EXIT(framework->load(ModelFiles{}, spec), ::testing::ExitedWithCode(3), "fault=exit");
}

// This process's virtual size in bytes (VmSize), so that a limit can be set just above what it already uses.
std::uint64_t virtual_size_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;  // "VmSize:   123456 kB"
  }
  return 0;
}

// In a forked copy of this test (death tests below): sets RLIMIT_AS to 128 MiB above the test program's size
// (libraries mapped), so that the allocation fails there and not on the machine, then loads with fault=eat_memory.
// Exits 0 when the load threw std::bad_alloc.
[[noreturn]] void eat_under_a_limit() {
  const auto framework = make_null_framework();
  const std::uint64_t size = virtual_size_bytes();
  const std::uint64_t bytes = size + (std::uint64_t{128} << 20);
  const rlimit limit{bytes, bytes};
  if (size == 0 || ::setrlimit(RLIMIT_AS, &limit) != 0) std::_Exit(2);
  try {
    framework->load(ModelFiles{}, spec_for({{"fault", "eat_memory"}}));
  } catch (const std::bad_alloc&) {
    std::_Exit(0);
  }
  std::_Exit(1);
}

// Without any address-space limit: exits 0 when the load refused to eat, saying why (on stderr).
[[noreturn]] void eat_without_a_limit() {
  const auto framework = make_null_framework();
  const rlimit none{RLIM_INFINITY, RLIM_INFINITY};
  if (::setrlimit(RLIMIT_AS, &none) != 0) std::_Exit(2);
  const std::string message = error_of([&] { framework->load(ModelFiles{}, spec_for({{"fault", "eat_memory"}})); });
  std::fprintf(stderr, "%s\n", message.c_str());
  std::_Exit(message.find("needs a memory limit (measure.memory_limit_mb)") != std::string::npos ? 0 : 1);
}

TEST(RunnerNullDeathTest, EatMemoryFaultAllocatesUntilTheAddressSpaceLimitThrowsBadAlloc) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(eat_under_a_limit(), ::testing::ExitedWithCode(0),
              "fault=eat_memory, allocating until the address-space limit");
}

TEST(RunnerNullDeathTest, EatMemoryFaultRefusesToRunWithoutALimit) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(eat_without_a_limit(), ::testing::ExitedWithCode(0), "so that it exhausts the test and not the host");
}

}  // namespace
}  // namespace dli::runner
