// dli::runner::run_test: one test in this process, as a runner's `run` does it (docs/runners.md 3.2,
// docs/methodology.md), with the null framework, with OpenCV on digits_cnn, and with a scripted framework that
// shows the order of the steps and the padding of accuracy batches exactly; and count_top_k's ranking rules.
#include "dli/protocol/assess.hpp"
#include "dli/runner/run_test.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/protocol/dataset.hpp"
#include "dli/util/version.hpp"
#include "null_framework.hpp"    // src/runners/null, through dli_runner_null
#include "opencv_framework.hpp"  // src/runners/opencv, through dli_runner_opencv
#include "support/temp_dir.hpp"

namespace dli::runner {
namespace {

namespace fs = std::filesystem;

std::string model_path(const std::string& name) { return (fs::path(DLI_MODELS_DIR) / name).string(); }

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
  result.threads = requests;  // one thread for each request in flight: a division every framework honours
  result.requests = requests;
  result.device = "cpu";
  result.measure.iterations = 20;
  result.measure.min_seconds = 0;
  result.measure.warmup_iterations = 2;
  return result;
}

RunnerRequest request_for(const TestSpec& test, const std::string& model = "") {
  RunnerRequest request;
  request.spec = test;
  request.model_path = model;
  return request;
}

RunnerRequest digits_request(Mode mode, int batch, int requests = 1) {
  return request_for(spec("opencv-dnn", mode, batch, requests), model_path("digits_cnn.onnx"));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The figures the agent computes from a runner's raw times (assess.hpp).
Measurement figures(const RunnerResult& result, const TestSpec& test) { return assess(*result.measurement, test); }

// A result's figures as the methodology defines them, whatever the framework: prints the result on failure.
void expect_consistent(const RunnerResult& result, const TestSpec& test) {
  ASSERT_EQ(result.status, RunnerStatus::kOk) << result.reason;
  EXPECT_TRUE(result.reason.empty()) << result.reason;
  ASSERT_TRUE(result.measurement.has_value());
  EXPECT_FALSE(result.accuracy.has_value());
  const Measurement m = figures(result, test);
  EXPECT_EQ(m.framework_version, result.framework_version);
  EXPECT_GE(m.iterations, test.measure.iterations);
  EXPECT_EQ(m.request.count, m.iterations);
  EXPECT_GE(m.warmup_iterations, std::max(test.measure.warmup_iterations, 1));
  EXPECT_GE(m.load_seconds, 0.0);
  EXPECT_GE(m.first_inference_seconds, 0.0);
  EXPECT_GE(m.wall_seconds, test.measure.min_seconds);
  EXPECT_GT(m.wall_seconds, 0.0);
  EXPECT_LE(m.request.min, m.request.median);
  EXPECT_LE(m.request.median, m.request.max);
  EXPECT_LE(m.request.median, m.request.p90);
  EXPECT_LE(m.request.p90, m.request.p99);
  EXPECT_GT(m.peak_rss_kb, 1000);
  EXPECT_DOUBLE_EQ(m.throughput.latency_s, m.request.median);
  if (test.mode == Mode::kSync) {
    EXPECT_NEAR(m.throughput.avg_pass_s, m.request.mean, 1e-12);                     // sum of request times / n
    // One request after another: their times fit in the wall time of the loop.
    EXPECT_LE(m.request.mean * static_cast<double>(m.iterations), m.wall_seconds * (1 + 1e-9) + 1e-9);
    EXPECT_NEAR(m.throughput.fps, test.batch / m.throughput.latency_s, 1e-9 * m.throughput.fps);  // batch / latency
  } else {
    const double n = static_cast<double>(m.iterations);
    EXPECT_NEAR(m.throughput.avg_pass_s, m.wall_seconds / n, 1e-12);                  // wall time / n
    EXPECT_NEAR(m.throughput.fps, test.batch * n / m.wall_seconds, 1e-9 * m.throughput.fps);  // batch * n / wall
  }
}

// ---- the null framework ----

TEST(RunTest, NullSyncFillsEveryFigure) {
  const TestSpec test = spec("null", Mode::kSync, 2);
  const RunnerResult result = run_test(*make_null_framework(), request_for(test));
  expect_consistent(result, test);
  EXPECT_EQ(result.framework_version, std::string("dli ") + kVersion);
  // min_s 0: the stop rule ends the loop as soon as `iterations` requests are done, and warm-up runs exactly its
  // count.
  EXPECT_EQ(figures(result, test).iterations, 20);
  EXPECT_EQ(result.measurement->warmup_iterations, 2);
}

TEST(RunTest, SyncFiguresFollowTheSimulatedWork) {
  auto test = spec("null", Mode::kSync, 4);
  test.params = {{"sleep_ms", "3"}, {"load_ms", "30"}};
  test.measure.iterations = 5;
  test.measure.min_seconds = 0.05;
  const RunnerResult result = run_test(*make_null_framework(), request_for(test));
  expect_consistent(result, test);
  const Measurement m = figures(result, test);
  EXPECT_GE(m.load_seconds, 0.030);
  EXPECT_GE(m.first_inference_seconds, 0.003);
  EXPECT_GE(m.wall_seconds, 0.05);
  // The stop rule ends the loop as soon as both conditions hold: when it ran on past `iterations` for min_s, min_s
  // had not yet passed before its last request.
  if (m.iterations > test.measure.iterations) {
    EXPECT_LT(m.wall_seconds - m.request.max, test.measure.min_seconds);
  }
  EXPECT_GE(m.request.min, 0.003);
  EXPECT_GE(m.throughput.latency_s, 0.003);
  EXPECT_LT(m.throughput.fps, 4 / 0.003);
}

TEST(RunTest, AsyncKeepsSeveralRequestsInFlight) {
  auto test = spec("null", Mode::kAsync, 1, 3);
  test.params = {{"sleep_ms", "5"}};
  test.measure.iterations = 30;
  const RunnerResult result = run_test(*make_null_framework(), request_for(test));
  expect_consistent(result, test);
  const Measurement m = figures(result, test);
  EXPECT_EQ(m.iterations, 30) << "the stop rule counts the requests of all streams";
  // Three requests at a time: the wall time is about a third of the summed request times.
  EXPECT_LT(m.wall_seconds, 0.7 * m.request.mean * 30);
  EXPECT_EQ(m.warmup_iterations, 3) << "2 split over 3 streams, at least one each";
}

TEST(RunTest, ASpecForAnotherFrameworkFails) {
  const RunnerResult result =
      run_test(*make_null_framework(), request_for(spec("tensorflow-1.0", Mode::kSync, 1)));
  EXPECT_EQ(result.status, RunnerStatus::kFailed);
  EXPECT_NE(result.reason.find("null"), std::string::npos) << result.reason;
  EXPECT_NE(result.reason.find("tensorflow-1.0"), std::string::npos) << result.reason;
  EXPECT_FALSE(result.measurement.has_value());
}

TEST(RunTest, BadParamValueFailsTheTestNamingTheParam) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"sleep_ms", "soon"}, {"load_ms", "-1"}, {"fault", "often"}}) {
    auto test = spec("null", Mode::kSync, 1);
    test.params = {{name, value}};
    const RunnerResult result = run_test(*make_null_framework(), request_for(test));
    EXPECT_EQ(result.status, RunnerStatus::kFailed) << name;
    EXPECT_NE(result.reason.find(name), std::string::npos) << result.reason;
    EXPECT_NE(result.reason.find("'" + value + "'"), std::string::npos) << result.reason;
    EXPECT_FALSE(result.measurement.has_value());
  }
  auto test = spec("opencv-dnn", Mode::kSync, 1);
  test.params = {{"intra_op", "2"}};
  const RunnerResult result = run_test(*make_opencv_framework(), request_for(test, model_path("digits_cnn.onnx")));
  EXPECT_EQ(result.status, RunnerStatus::kFailed);
  EXPECT_NE(result.reason.find("intra_op"), std::string::npos) << result.reason;
}

TEST(RunTest, EachStreamReportsTheShareOfTheThreadsItWasGiven) {
  auto test = spec("null", Mode::kAsync, 1, 2);
  test.threads = 4;
  const RunnerResult result = run_test(*make_null_framework(), request_for(test));
  ASSERT_EQ(result.status, RunnerStatus::kOk) << result.reason;
  EXPECT_EQ(result.measurement->stream_threads, (std::vector<int>{2, 2}));
  EXPECT_EQ(figures(result, test).streams.size(), 2u);
  test.mode = Mode::kSync;  // one request in flight has them all
  EXPECT_EQ(run_test(*make_null_framework(), request_for(test)).measurement->stream_threads, std::vector<int>{4});
}

TEST(RunTest, OpenCvRefusesMoreThanOneThreadPerRequestInFlight) {
  RunnerRequest request = digits_request(Mode::kAsync, 1, 2);
  request.spec.threads = 4;
  const RunnerResult result = run_test(*make_opencv_framework(), request);
  EXPECT_EQ(result.status, RunnerStatus::kUnsupported);
  EXPECT_EQ(result.reason.rfind("opencv-dnn cannot give each of 2 requests in flight 2 threads: OpenCV's thread pool", 0),
            0u)
      << result.reason;
  request.spec.threads = 2;
  const RunnerResult honoured = run_test(*make_opencv_framework(), request);
  ASSERT_EQ(honoured.status, RunnerStatus::kOk) << honoured.reason;
  EXPECT_EQ(honoured.measurement->stream_threads, (std::vector<int>{1, 1})) << "cv::getNumThreads() in each stream";
}

TEST(RunTest, MeaninglessCountsFailTheTest) {
  for (const char* field : {"batch", "threads", "requests"}) {
    auto test = spec("null", Mode::kSync, 1);
    (std::string(field) == "batch" ? test.batch : std::string(field) == "threads" ? test.threads : test.requests) = 0;
    const RunnerResult result = run_test(*make_null_framework(), request_for(test));
    EXPECT_EQ(result.status, RunnerStatus::kFailed) << field;
    EXPECT_NE(result.reason.find(field), std::string::npos) << result.reason;
  }
}

TEST(RunTest, CudaIsUnsupportedByFrameworksWithoutIt) {
  for (const std::string framework : {"null", "opencv-dnn"}) {
    auto test = spec(framework, Mode::kSync, 1);
    test.device = "cuda";
    test.params = framework == "null" ? std::map<std::string, std::string>{{"load_ms", "500"}}
                                      : std::map<std::string, std::string>{};
    auto runner = framework == "null" ? make_null_framework() : make_opencv_framework();
    const auto started = std::chrono::steady_clock::now();
    const RunnerResult result = run_test(*runner, request_for(test, model_path("digits_cnn.onnx")));
    EXPECT_EQ(result.status, RunnerStatus::kUnsupported) << framework << ": " << result.reason;
    EXPECT_NE(result.reason.find("cuda"), std::string::npos) << result.reason;
    EXPECT_FALSE(result.measurement.has_value());
    EXPECT_FALSE(result.framework_version.empty()) << "known even when refused";
    EXPECT_LT(seconds_since(started), 0.4) << "refused before anything is loaded";
  }
}

TEST(RunTest, AFormatTheFrameworkDoesNotLoadIsUnsupported) {
  auto test = spec("opencv-dnn", Mode::kSync, 1);
  test.model.format = "torchscript";
  const RunnerResult result = run_test(*make_opencv_framework(), request_for(test, model_path("digits_cnn.pt")));
  EXPECT_EQ(result.status, RunnerStatus::kUnsupported) << result.reason;
  EXPECT_NE(result.reason.find("torchscript"), std::string::npos) << result.reason;
  EXPECT_NE(result.reason.find("onnx"), std::string::npos) << "says what it loads: " << result.reason;
  // The null framework loads any format.
  test = spec("null", Mode::kSync, 1);
  test.model.format = "torchscript";
  EXPECT_EQ(run_test(*make_null_framework(), request_for(test)).status, RunnerStatus::kOk);
}

// ---- OpenCV on digits_cnn ----

TEST(RunTest, OpenCvDigitsSync) {
  ASSERT_TRUE(fs::exists(model_path("digits_cnn.onnx"))) << "run `/usr/bin/python3 scripts/make_models.py`";
  const RunnerRequest request = digits_request(Mode::kSync, 4);
  const RunnerResult result = run_test(*make_opencv_framework(), request);
  expect_consistent(result, request.spec);
  EXPECT_EQ(result.framework_version.rfind("OpenCV 4.", 0), 0u) << result.framework_version;
  EXPECT_GT(result.measurement->load_seconds, 0.0);
  EXPECT_GT(figures(result, request.spec).request.min, 0.0);
  EXPECT_EQ(result.details.at("backend"), "opencv");
  EXPECT_EQ(result.details.at("target"), "cpu");
  EXPECT_EQ(result.details.at("intra_op_threads"), "1");
}

TEST(RunTest, OpenCvDigitsAsyncWithTwoSessions) {
  ASSERT_TRUE(fs::exists(model_path("digits_cnn.onnx"))) << "run `/usr/bin/python3 scripts/make_models.py`";
  const RunnerRequest request = digits_request(Mode::kAsync, 2, 2);
  const RunnerResult result = run_test(*make_opencv_framework(), request);
  expect_consistent(result, request.spec);
  EXPECT_EQ(figures(result, request.spec).iterations, 20);
  EXPECT_EQ(result.measurement->warmup_iterations, 2) << "1 per stream";
  EXPECT_GT(figures(result, request.spec).throughput.fps, 0.0);
}

TEST(RunTest, OpenCvMissingModelFailsWithItsPath) {
  RunnerRequest request = digits_request(Mode::kSync, 1);
  request.model_path = "/nonexistent/digits_cnn.onnx";
  const RunnerResult result = run_test(*make_opencv_framework(), request);
  EXPECT_EQ(result.status, RunnerStatus::kFailed);
  EXPECT_NE(result.reason.find("/nonexistent/digits_cnn.onnx"), std::string::npos) << result.reason;
}

// ---- accuracy ----

class RunTestAccuracy : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"digits_cnn.onnx", "digits_ref.json", "digits_test.csv"}) {
      ASSERT_TRUE(fs::exists(model_path(name)))
          << "missing generated model file " << model_path(name) << ": run `/usr/bin/python3 scripts/make_models.py`";
    }
    const Dataset digits = load_dataset(model_path("digits_test.csv"), {1, 8, 8}, 10);
    packed = dir.write("digits.dlidata", pack_dataset(digits));
    std::ifstream in(model_path("digits_ref.json"));
    reference = nlohmann::json::parse(in);
  }

  RunnerResult run_digits(int batch) const {
    RunnerRequest request = digits_request(Mode::kAccuracy, batch);
    request.dataset_path = packed;
    return run_test(*make_opencv_framework(), request);
  }

  dli::testing::TempDir dir;
  std::string packed;
  nlohmann::json reference;
};

TEST_F(RunTestAccuracy, DigitsTopOneIsTorchsHeldOutAccuracy) {
  const RunnerResult result = run_digits(1);
  ASSERT_EQ(result.status, RunnerStatus::kOk) << result.reason;
  ASSERT_TRUE(result.accuracy.has_value());
  EXPECT_FALSE(result.measurement.has_value()) << "accuracy mode measures no speed";
  const Accuracy& accuracy = *result.accuracy;
  const auto rows = reference.at("test_rows").get<std::int64_t>();
  EXPECT_EQ(accuracy.samples, rows);
  // Counted in images: top-1 hits equal torch's (make_models.py's held-out accuracy over the same rows).
  EXPECT_EQ(std::llround(accuracy.top1 * static_cast<double>(rows)),
            std::llround(reference.at("test_accuracy").get<double>() * static_cast<double>(rows)))
      << "top-1 " << accuracy.top1 << ", torch " << reference.at("test_accuracy");
  EXPECT_NEAR(accuracy.top1, reference.at("test_accuracy").get<double>(), 1e-9);
  EXPECT_GE(accuracy.top5, accuracy.top1);
  EXPECT_LE(accuracy.top5, 1.0);
  EXPECT_GT(accuracy.top5, 0.99);
}

TEST_F(RunTestAccuracy, BatchFourPadsTheLastBatchAndScoresTheSame) {
  const auto rows = reference.at("test_rows").get<std::int64_t>();
  ASSERT_NE(rows % 4, 0) << "the last batch of 4 must be a padded one for this test to mean anything";
  const RunnerResult single = run_digits(1);
  const RunnerResult batched = run_digits(4);
  ASSERT_EQ(single.status, RunnerStatus::kOk) << single.reason;
  ASSERT_EQ(batched.status, RunnerStatus::kOk) << batched.reason;
  ASSERT_TRUE(batched.accuracy.has_value());
  EXPECT_EQ(batched.accuracy->samples, rows) << "padding is not counted";
  EXPECT_NEAR(batched.accuracy->top1, reference.at("test_accuracy").get<double>(), 1e-9);
  EXPECT_DOUBLE_EQ(batched.accuracy->top1, single.accuracy->top1);
  EXPECT_DOUBLE_EQ(batched.accuracy->top5, single.accuracy->top5);
}

TEST_F(RunTestAccuracy, WithoutADatasetTheTestFails) {
  RunnerRequest request = digits_request(Mode::kAccuracy, 1);
  const RunnerResult result = run_test(*make_opencv_framework(), request);
  EXPECT_EQ(result.status, RunnerStatus::kFailed);
  EXPECT_NE(result.reason.find("dataset_path"), std::string::npos) << result.reason;
  request.dataset_path = dir.str("missing.dlidata");
  const RunnerResult missing = run_test(*make_opencv_framework(), request);
  EXPECT_EQ(missing.status, RunnerStatus::kFailed);
  EXPECT_NE(missing.reason.find(dir.str("missing.dlidata")), std::string::npos) << missing.reason;
  request.dataset_path = dir.write("garbage.dlidata", "DLIDATA1 but nothing after it");
  EXPECT_EQ(run_test(*make_opencv_framework(), request).status, RunnerStatus::kFailed);
}

TEST_F(RunTestAccuracy, ADatasetOfAnotherShapeFails) {
  Dataset other;
  other.shape = {1, 4, 4};
  other.classes = 10;
  other.samples.assign(2 * 16, 0.5f);
  other.labels = {1, 2};
  RunnerRequest request = digits_request(Mode::kAccuracy, 1);
  request.dataset_path = dir.write("small.dlidata", pack_dataset(other));
  const RunnerResult result = run_test(*make_opencv_framework(), request);
  EXPECT_EQ(result.status, RunnerStatus::kFailed);
  EXPECT_NE(result.reason.find("shape"), std::string::npos) << result.reason;
}

TEST_F(RunTestAccuracy, AFrameworkWithoutOutputsCannotBeScored) {
  RunnerRequest request = request_for(spec("null", Mode::kAccuracy, 1));
  request.dataset_path = packed;
  const RunnerResult result = run_test(*make_null_framework(), request);
  EXPECT_EQ(result.status, RunnerStatus::kFailed) << "never an accuracy of 0 from a framework computing nothing";
  EXPECT_FALSE(result.accuracy.has_value());
}

// ---- the order of the steps and the padding, with a scripted framework ----

// Formats onnx, devices cpu and cuda:0; each image's output is one-hot at its first input value (so a sample
// whose first value equals its label is a top-1 hit). Records what run_test asked of it.
class ScriptedFramework : public Framework {
 public:
  struct Log {
    int configured = 0;
    int loaded = 0;
    std::mutex mutex;                         // async sessions record from their own threads
    std::vector<std::vector<float>> batches;  // every input infer() was given
  };

  explicit ScriptedFramework(int classes) : classes_(classes) {}

  Capabilities describe() override { return {"scripted", "scripted 1.0", {"onnx"}, {"cpu", "cuda:0"}}; }
  void configure(const TestSpec& /*spec*/) override { ++log.configured; }
  std::unique_ptr<Session> load(const ModelFiles& /*files*/, const TestSpec& spec) override {
    ++log.loaded;
    std::size_t per_image = 1;
    for (const auto dim : spec.model.input_shape) per_image *= static_cast<std::size_t>(dim);
    return std::make_unique<ScriptedSession>(log, classes_, per_image);
  }
  std::vector<std::pair<std::string, std::string>> details() override { return {{"scripted", "yes"}}; }

  Log log;

 private:
  class ScriptedSession : public Session {
   public:
    ScriptedSession(Log& log, int classes, std::size_t per_image) : log_(log), classes_(classes), per_image_(per_image) {}
    void infer(const float* input, std::size_t count) override {
      {
        const std::lock_guard<std::mutex> lock(log_.mutex);
        log_.batches.emplace_back(input, input + count);
      }
      output_.assign(count / per_image_ * static_cast<std::size_t>(classes_), 0.0f);
      for (std::size_t image = 0; image < count / per_image_; ++image) {
        const auto hot = static_cast<std::size_t>(input[image * per_image_]);
        output_[image * static_cast<std::size_t>(classes_) + hot] = 1.0f;
      }
    }
    std::vector<float> last_output() const override { return output_; }

   private:
    Log& log_;
    int classes_;
    std::size_t per_image_;
    std::vector<float> output_;
  };

  int classes_;
};

TEST(RunTest, RefusalsComeBeforeConfigureAndLoad) {
  auto test = spec("scripted", Mode::kSync, 1);
  test.model.format = "caffe";
  ScriptedFramework wrong_format(3);
  EXPECT_EQ(run_test(wrong_format, request_for(test)).status, RunnerStatus::kUnsupported);
  EXPECT_EQ(wrong_format.log.configured, 0);
  EXPECT_EQ(wrong_format.log.loaded, 0);

  test.model.format = "onnx";
  test.device = "cuda:1";
  ScriptedFramework wrong_device(3);
  const RunnerResult refused = run_test(wrong_device, request_for(test));
  EXPECT_EQ(refused.status, RunnerStatus::kUnsupported);
  EXPECT_NE(refused.reason.find("cuda:1"), std::string::npos) << refused.reason;
  EXPECT_EQ(wrong_device.log.loaded, 0);

  // "cuda" is offered when any cuda:N is; a sync test then loads once and records the framework's details.
  test.device = "cuda";
  ScriptedFramework cuda(3);
  const RunnerResult ran = run_test(cuda, request_for(test));
  EXPECT_EQ(ran.status, RunnerStatus::kOk) << ran.reason;
  EXPECT_EQ(cuda.log.configured, 1);
  EXPECT_EQ(cuda.log.loaded, 1);
  EXPECT_EQ(ran.details.at("scripted"), "yes");
  EXPECT_EQ(ran.framework_version, "scripted 1.0");
}

// A framework whose every allocation for the model fails, as one past the agent's RLIMIT_AS would.
class GreedyFramework : public Framework {
 public:
  Capabilities describe() override { return {"greedy", "greedy 1.0", {"onnx"}, {"cpu"}}; }
  void configure(const TestSpec& /*spec*/) override {}
  std::unique_ptr<Session> load(const ModelFiles& /*files*/, const TestSpec& /*spec*/) override {
    throw std::bad_alloc();
  }
};

TEST(RunTest, AFailedAllocationIsAFailureThatNamesTheMemoryLimit) {
  GreedyFramework framework;
  TestSpec limited = spec("greedy", Mode::kSync, 1);
  limited.measure.memory_limit_mb = 256;
  const RunnerResult over = run_test(framework, request_for(limited));
  EXPECT_EQ(over.status, RunnerStatus::kFailed);
  EXPECT_EQ(over.reason, "memory limit of 256 MiB exceeded (std::bad_alloc)");

  const RunnerResult unlimited = run_test(framework, request_for(spec("greedy", Mode::kSync, 1)));
  EXPECT_EQ(unlimited.status, RunnerStatus::kFailed);
  EXPECT_EQ(unlimited.reason, "out of memory (std::bad_alloc)") << "no limit was set, so none can be blamed";
}

TEST(RunTest, AsyncLoadsOneSessionPerRequestInFlight) {
  ScriptedFramework framework(3);
  const RunnerResult result = run_test(framework, request_for(spec("scripted", Mode::kAsync, 1, 4)));
  ASSERT_EQ(result.status, RunnerStatus::kOk) << result.reason;
  EXPECT_EQ(framework.log.configured, 1);
  EXPECT_EQ(framework.log.loaded, 4);
}

TEST(RunTest, AccuracyPadsTheLastBatchWithItsLastSampleAndIgnoresThePadding) {
  // Five one-value samples over three classes; samples 0, 1, 2 and 4 are hits, sample 3 is not.
  Dataset data;
  data.shape = {1, 1, 1};
  data.classes = 3;
  data.samples = {0, 1, 2, 0, 1};
  data.labels = {0, 1, 2, 2, 1};
  dli::testing::TempDir dir;
  auto test = spec("scripted", Mode::kAccuracy, 2);
  test.model.input_shape = {1, 1, 1};
  RunnerRequest request = request_for(test);
  request.dataset_path = dir.write("five.dlidata", pack_dataset(data));
  ScriptedFramework framework(3);
  const RunnerResult result = run_test(framework, request);
  ASSERT_EQ(result.status, RunnerStatus::kOk) << result.reason;
  ASSERT_TRUE(result.accuracy.has_value());
  EXPECT_EQ(result.accuracy->samples, 5);
  EXPECT_DOUBLE_EQ(result.accuracy->top1, 4.0 / 5);
  EXPECT_DOUBLE_EQ(result.accuracy->top5, 1.0) << "with three classes every label is in the top five";
  // Every sample once, in order, in batches of 2; the last one padded with a copy of sample 4.
  EXPECT_EQ(framework.log.batches,
            (std::vector<std::vector<float>>{{0, 1}, {2, 0}, {1, 1}}));
  EXPECT_EQ(framework.log.loaded, 1);
}

// ---- count_top_k ----

TEST(RunTestCountTopK, TiesGoToTheLowerIndex) {
  const std::vector<float> outputs = {1, 1, 0};  // classes 0 and 1 tie
  const std::int32_t zero[] = {0};
  const std::int32_t one[] = {1};
  EXPECT_EQ(count_top_k(outputs, zero, 1, 1).top1, 1);
  const TopK second = count_top_k(outputs, one, 1, 1);
  EXPECT_EQ(second.top1, 0) << "class 1 ranks after class 0, which ties with it";
  EXPECT_EQ(second.top5, 1);
  // All equal: only class 0 is the first choice.
  const std::vector<float> flat(8, 0.25f);
  const std::int32_t last[] = {7};
  EXPECT_EQ(count_top_k(flat, zero, 1, 1).top1, 1);
  EXPECT_EQ(count_top_k(flat, last, 1, 1).top5, 0) << "class 7 ranks eighth among eight equal outputs";
}

TEST(RunTestCountTopK, TopFiveIsTheFiveHighest) {
  const std::vector<float> outputs = {0.1f, 0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f};  // ranks: 1 2 3 4 5 6 0
  for (std::int32_t label = 0; label < 7; ++label) {
    const std::int32_t labels[] = {label};
    const TopK hits = count_top_k(outputs, labels, 1, 1);
    EXPECT_EQ(hits.top1, label == 1 ? 1 : 0) << label;
    EXPECT_EQ(hits.top5, label >= 1 && label <= 5 ? 1 : 0) << label;
  }
}

TEST(RunTestCountTopK, WithFewerThanFiveClassesEveryLabelIsInTheTopFive) {
  const std::vector<float> outputs = {3, 2, 1, 1, 2, 3};  // two images, three classes
  const std::int32_t labels[] = {2, 0};                   // each the lowest of its image
  const TopK hits = count_top_k(outputs, labels, 2, 2);
  EXPECT_EQ(hits.top1, 0);
  EXPECT_EQ(hits.top5, 2);
}

TEST(RunTestCountTopK, PaddingIsIgnored) {
  // Three images of two classes; the third is padding, a hit if it were counted.
  const std::vector<float> outputs = {0, 1, 1, 0, 0, 1};
  const std::int32_t labels[] = {1, 1, 1};
  const TopK hits = count_top_k(outputs, labels, 3, 2);
  EXPECT_EQ(hits.top1, 1);
  EXPECT_EQ(hits.top5, 2);
  EXPECT_EQ(count_top_k(outputs, labels, 3, 3).top1, 2);
  const TopK none = count_top_k(outputs, labels, 3, 0);
  EXPECT_EQ(none.top1, 0);
  EXPECT_EQ(none.top5, 0);
  // The labels of padding are never read: an out-of-range one there is no error.
  const std::int32_t padded[] = {1, 1, 99};
  EXPECT_NO_THROW(count_top_k(outputs, padded, 3, 2));
}

TEST(RunTestCountTopK, ALabelOutOfRangeThrows) {
  const std::vector<float> outputs = {0.2f, 0.3f, 0.5f};
  for (const std::int32_t bad : {3, 10, -1}) {
    const std::int32_t labels[] = {bad};
    EXPECT_THROW(count_top_k(outputs, labels, 1, 1), std::runtime_error) << bad;
  }
  const std::int32_t fine[] = {2};
  EXPECT_EQ(count_top_k(outputs, fine, 1, 1).top1, 1);
}

TEST(RunTestCountTopK, OutputsThatDoNotSplitIntoTheBatchThrow) {
  const std::int32_t labels[] = {0, 0};
  EXPECT_THROW(count_top_k({1, 2, 3}, labels, 2, 2), std::runtime_error);
  EXPECT_THROW(count_top_k({}, labels, 1, 1), std::runtime_error);
  EXPECT_THROW(count_top_k({1, 2}, labels, 0, 0), std::runtime_error);
}

}  // namespace
}  // namespace dli::runner
