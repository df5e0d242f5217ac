// One test run in-process, as the agent's child runs it: with the no-op launcher and with OpenCV on digits_cnn.
#include "dli/runner.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "dli/version.hpp"

namespace dli {
namespace {

namespace fs = std::filesystem;

TestSpec spec(const std::string& framework, Mode mode, int batch, int requests = 1) {
  TestSpec result;
  result.model.name = "digits_cnn";
  result.model.format = "onnx";
  result.model.precision = "fp32";
  result.model.input_shape = {1, 8, 8};
  result.model.file_name = "digits_cnn.onnx";
  result.framework = framework;
  result.batch = batch;
  result.mode = mode;
  result.threads = 1;
  result.requests = requests;
  result.measure.iterations = 20;
  result.measure.min_seconds = 0;
  result.measure.warmup_iterations = 2;
  return result;
}

ModelFiles digits() {
  return ModelFiles{(fs::path(DLI_MODELS_DIR) / "digits_cnn.onnx").string(), ""};
}

TEST(Runner, NullLauncherSyncFillsEveryFigure) {
  const Measurement m = run_test(spec("null", Mode::kSync, 2), ModelFiles{});
  EXPECT_EQ(m.framework_version, kVersion);
  EXPECT_EQ(m.iterations, 20);
  EXPECT_EQ(m.request.count, 20);
  EXPECT_EQ(m.warmup_iterations, 2);
  EXPECT_GE(m.load_seconds, 0.0);
  EXPECT_GE(m.first_inference_seconds, 0.0);
  EXPECT_GT(m.wall_seconds, 0.0);
  EXPECT_LE(m.request.min, m.request.median);
  EXPECT_LE(m.request.median, m.request.max);
  EXPECT_DOUBLE_EQ(m.throughput.latency_s, m.request.median);
  EXPECT_GT(m.peak_rss_kb, 1000);
}

TEST(Runner, SyncFiguresFollowTheSimulatedWork) {
  auto test = spec("null", Mode::kSync, 4);
  test.params = {{"sleep_ms", "3"}, {"load_ms", "30"}};
  test.measure.iterations = 5;
  test.measure.min_seconds = 0.05;
  const Measurement m = run_test(test, ModelFiles{});
  EXPECT_GE(m.load_seconds, 0.030);
  EXPECT_GE(m.first_inference_seconds, 0.003);
  EXPECT_GE(m.wall_seconds, 0.05);
  EXPECT_GE(m.iterations, 5);
  EXPECT_GE(m.throughput.latency_s, 0.003);
  EXPECT_NEAR(m.throughput.avg_pass_s, m.request.mean, 1e-12);  // sum of request times / iterations
  EXPECT_NEAR(m.throughput.fps, 4 / m.throughput.latency_s, 1e-9);  // FPS = batch / latency
}

TEST(Runner, AsyncKeepsSeveralRequestsInFlight) {
  auto test = spec("null", Mode::kAsync, 1, 3);
  test.params = {{"sleep_ms", "5"}};
  test.measure.iterations = 30;
  const Measurement m = run_test(test, ModelFiles{});
  EXPECT_EQ(m.iterations, 30);
  EXPECT_NEAR(m.throughput.avg_pass_s, m.wall_seconds / 30, 1e-12);  // wall time / iterations
  EXPECT_NEAR(m.throughput.fps, 30 / m.wall_seconds, 1e-6);
  // Three requests at a time: the wall time is about a third of the summed request times.
  EXPECT_LT(m.wall_seconds, 0.7 * m.request.mean * 30);
  EXPECT_EQ(m.warmup_iterations, 3) << "2 split over 3 streams, at least one each";
}

TEST(Runner, UnknownLauncherNamesTheKnownOnes) {
  try {
    run_test(spec("tensorflow-1.0", Mode::kSync, 1), ModelFiles{});
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("unknown launcher 'tensorflow-1.0'"), std::string::npos) << message;
    EXPECT_NE(message.find("opencv-dnn"), std::string::npos) << message;
  }
}

TEST(Runner, BadParamValueFailsTheTest) {
  auto test = spec("null", Mode::kSync, 1);
  test.params = {{"sleep_ms", "soon"}};
  EXPECT_THROW(run_test(test, ModelFiles{}), std::runtime_error);
}

TEST(Runner, OpenCvDigitsSync) {
  ASSERT_TRUE(fs::exists(digits().model_path))
      << "missing " << digits().model_path << ": run `/usr/bin/python3 scripts/make_models.py`";
  const Measurement m = run_test(spec("opencv-dnn", Mode::kSync, 4), digits());
  EXPECT_EQ(m.framework_version.rfind("OpenCV 4.", 0), 0u) << m.framework_version;
  EXPECT_EQ(m.iterations, 20);
  EXPECT_GT(m.load_seconds, 0.0);
  EXPECT_GT(m.request.min, 0.0);
  EXPECT_GT(m.throughput.fps, 0.0);
}

TEST(Runner, OpenCvDigitsAsyncWithTwoSessions) {
  ASSERT_TRUE(fs::exists(digits().model_path))
      << "missing " << digits().model_path << ": run `/usr/bin/python3 scripts/make_models.py`";
  const Measurement m = run_test(spec("opencv-dnn", Mode::kAsync, 2, 2), digits());
  EXPECT_EQ(m.iterations, 20);
  EXPECT_GT(m.throughput.fps, 0.0);
  EXPECT_NEAR(m.throughput.fps, 2 * 20 / m.wall_seconds, 1e-6 * m.throughput.fps);
}

TEST(Runner, OpenCvMissingModelFailsWithItsPath) {
  try {
    run_test(spec("opencv-dnn", Mode::kSync, 1), ModelFiles{"/nonexistent/digits_cnn.onnx", ""});
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/digits_cnn.onnx"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace dli
