// The registry and the no-op launcher. Its crash/abort/hang faults are exercised in child processes by the agent's
// end-to-end tests; here only `exit`, in a death test (a forked child).
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "dli/launcher.hpp"
#include "dli/version.hpp"

namespace dli {
namespace {

using Params = std::map<std::string, std::string>;

LoadOptions options(const Params& params = {}, int batch = 1) {
  LoadOptions result;
  result.batch = batch;
  result.input_shape = {1, 8, 8};
  result.format = "onnx";
  result.precision = "fp32";
  result.params = params;
  return result;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The message of the std::runtime_error `action` throws; empty (and a failure) when it throws nothing.
template <class Action>
std::string error_of(Action action) {
  try {
    action();
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a std::runtime_error";
  return "";
}

TEST(LauncherNull, RegistryListsEveryLauncherUnderItsOwnName) {
  const auto names = launcher_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "null"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "opencv-dnn"), names.end());
  for (const auto& name : names) {
    const auto launcher = make_launcher(name);
    ASSERT_NE(launcher, nullptr) << name;
    EXPECT_EQ(launcher->name(), name);
    EXPECT_FALSE(launcher->version().empty()) << name;
    EXPECT_FALSE(launcher->formats().empty()) << name;
  }
  EXPECT_EQ(make_launcher("tensorflow-lite-of-my-dreams"), nullptr);
  EXPECT_EQ(make_launcher(""), nullptr);
}

TEST(LauncherNull, DescribesItself) {
  const auto launcher = make_launcher("null");
  EXPECT_EQ(launcher->version(), kVersion);
  const auto params = launcher->known_params();
  for (const char* name : {"sleep_ms", "fault", "load_ms"}) {
    EXPECT_NE(std::find(params.begin(), params.end(), name), params.end()) << name;
  }
  const auto formats = launcher->formats();
  for (const char* format : {"onnx", "caffe", "tensorflow", "torchscript"}) {
    EXPECT_NE(std::find(formats.begin(), formats.end(), format), formats.end()) << format;
  }
}

TEST(LauncherNull, LoadsAnythingAndServesRequestsWithoutReadingFiles) {
  const auto launcher = make_launcher("null");
  launcher->configure(2, {});
  const auto session = launcher->load(ModelFiles{"/no/such/model.onnx", ""}, options({}, 4));
  const std::vector<float> input(4 * 64, 0.5f);
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 100000; ++i) session->infer(input.data(), input.size());
  EXPECT_LT(seconds_since(started), 0.5) << "no work per request (well under 5 us each, even on a busy machine)";
}

TEST(LauncherNull, RejectsAnInputOfTheWrongSize) {
  const auto session = make_launcher("null")->load(ModelFiles{}, options({}, 2));
  const std::vector<float> input(64, 0.5f);  // batch 1's worth
  EXPECT_THROW(session->infer(input.data(), input.size()), std::invalid_argument);
}

TEST(LauncherNull, SleepMsIsTheWorkOfEachRequest) {
  const auto session = make_launcher("null")->load(ModelFiles{}, options({{"sleep_ms", "15"}}));
  const std::vector<float> input(64, 0.5f);
  const auto started = std::chrono::steady_clock::now();
  session->infer(input.data(), input.size());
  session->infer(input.data(), input.size());
  const double elapsed = seconds_since(started);
  EXPECT_GE(elapsed, 0.030);
  EXPECT_LT(elapsed, 0.5);
}

TEST(LauncherNull, FractionalSleepIsHonoured) {
  const auto session = make_launcher("null")->load(ModelFiles{}, options({{"sleep_ms", "2.5"}}));
  const std::vector<float> input(64, 0.5f);
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) session->infer(input.data(), input.size());
  EXPECT_GE(seconds_since(started), 0.010);
}

TEST(LauncherNull, LoadMsIsTheLoadTime) {
  const auto launcher = make_launcher("null");
  const auto started = std::chrono::steady_clock::now();
  launcher->load(ModelFiles{}, options({{"load_ms", "40"}, {"fault", "none"}}));
  EXPECT_GE(seconds_since(started), 0.040);
}

TEST(LauncherNull, BadValuesAreClearErrors) {
  const auto launcher = make_launcher("null");
  for (const char* bad : {"-1", "abc", "", "1.5ms", "nan", "inf", "1e30", " 5"}) {
    const std::string message = error_of([&] { launcher->load(ModelFiles{}, options({{"sleep_ms", bad}})); });
    EXPECT_NE(message.find("sleep_ms"), std::string::npos) << bad << ": " << message;
    EXPECT_NE(message.find(std::string("'") + bad + "'"), std::string::npos) << message;
  }
  EXPECT_NE(error_of([&] { launcher->load(ModelFiles{}, options({{"load_ms", "-0.5"}})); }).find("load_ms"),
            std::string::npos);
  const std::string fault = error_of([&] { launcher->load(ModelFiles{}, options({{"fault", "explode"}})); });
  EXPECT_NE(fault.find("crash, abort, hang, exit"), std::string::npos) << fault;
  EXPECT_NE(fault.find("'explode'"), std::string::npos) << fault;
  const std::string unknown = error_of([&] { launcher->load(ModelFiles{}, options({{"sleeep_ms", "1"}})); });
  EXPECT_NE(unknown.find("unknown parameter 'sleeep_ms'"), std::string::npos) << unknown;
}

TEST(LauncherNull, ConfigureChecksParamsBeforeAnyLoad) {
  const auto launcher = make_launcher("null");
  EXPECT_THROW(launcher->configure(1, {{"fault", "sometimes"}}), std::runtime_error);
  EXPECT_THROW(launcher->configure(1, {{"sleep_ms", "-3"}}), std::runtime_error);
  EXPECT_THROW(launcher->configure(0, {}), std::runtime_error);
  EXPECT_NO_THROW(launcher->configure(1, {{"sleep_ms", "0"}, {"load_ms", "0.5"}, {"fault", "none"}}));
}

TEST(LauncherNull, RejectsMeaninglessShapes) {
  const auto launcher = make_launcher("null");
  EXPECT_THROW(launcher->load(ModelFiles{}, options({}, 0)), std::runtime_error);
  auto empty = options();
  empty.input_shape.clear();
  EXPECT_THROW(launcher->load(ModelFiles{}, empty), std::runtime_error);
  auto zero = options();
  zero.input_shape = {3, 0, 4};
  EXPECT_THROW(launcher->load(ModelFiles{}, zero), std::runtime_error);
}

TEST(LauncherNullDeathTest, ExitFaultEndsTheProcessWithCodeThreeDuringLoad) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(make_launcher("null")->load(ModelFiles{}, options({{"fault", "exit"}})), ::testing::ExitedWithCode(3),
              "fault=exit");
}

}  // namespace
}  // namespace dli
