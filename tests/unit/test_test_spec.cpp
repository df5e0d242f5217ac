#include "dli/protocol/test_spec.hpp"

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/util/sha256.hpp"

namespace dli {
namespace {

TestSpec sample_spec() {
  TestSpec spec;
  spec.host = "local";
  spec.model.name = "mobilenet_v2";
  spec.model.format = "onnx";
  spec.model.precision = "fp32";
  spec.model.input_shape = {3, 224, 224};
  spec.model.file_name = "mobilenet_v2.onnx";
  spec.model.sha256 = std::string(64, 'a');
  spec.framework = "opencv-dnn";
  spec.params = {{"backend", "opencv"}, {"target", "cpu"}};
  spec.batch = 1;
  spec.mode = Mode::kSync;
  spec.threads = 2;
  spec.requests = 1;
  spec.measure.iterations = 20;
  spec.measure.min_seconds = 1.5;
  spec.measure.warmup_iterations = 3;
  spec.measure.warmup_seconds = 0;
  spec.measure.timeout_seconds = 300;
  return spec;
}

TEST(TestSpec, CanonicalTextIsCompactJsonWithSortedKeys) {
  EXPECT_EQ(canonical_spec(sample_spec()),
            R"({"batch":1,"dataset":"","device":"cpu","framework":"opencv-dnn","measure":{"iterations":20,"min_seconds":1.5,)"
            R"("warmup_iterations":3,"warmup_seconds":0.0},"mode":"sync","model":{"config_name":"",)"
            R"("file_name":"mobilenet_v2.onnx","format":"onnx","input_shape":[3,224,224],"name":"mobilenet_v2",)"
            R"("precision":"fp32"},"params":{"backend":"opencv","target":"cpu"},"requests":1,"threads":2})");
}

TEST(TestSpec, IdIsFirstSixteenHexDigitsOfTheCanonicalTextHash) {
  const TestSpec spec = sample_spec();
  EXPECT_EQ(test_id(spec), sha256_hex(canonical_spec(spec)).substr(0, 16));
  EXPECT_EQ(test_id(spec).size(), 16u);
  EXPECT_EQ(test_id(spec).find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(TestSpec, SameSpecGivesSameIdAndIdFieldItselfIsIgnored) {
  TestSpec copy = sample_spec();
  copy.id = "whatever";
  EXPECT_EQ(test_id(copy), test_id(sample_spec()));
}

// The watchdogs (timeout, memory limit) leave the id alone: results stay comparable when only they change.
TEST(TestSpec, HostHashesTimeoutAndMemoryLimitDoNotChangeTheId) {
  const std::string id = test_id(sample_spec());
  const std::vector<std::function<void(TestSpec&)>> neutral = {
      [](TestSpec& s) { s.host = "other-host"; },
      [](TestSpec& s) { s.model.sha256 = std::string(64, 'b'); },
      [](TestSpec& s) { s.model.config_sha256 = std::string(64, 'c'); },
      [](TestSpec& s) { s.measure.timeout_seconds = 60; },
      [](TestSpec& s) { s.measure.memory_limit_mb = 2048; },
  };
  for (std::size_t i = 0; i < neutral.size(); ++i) {
    TestSpec spec = sample_spec();
    neutral[i](spec);
    EXPECT_EQ(test_id(spec), id) << "change " << i;
  }
}

// Every repeat of a test is the same test: one id; the store tells them apart by task_key.
TEST(TestSpec, RepeatsShareTheIdAndDifferInTheirTaskKeyAndLabel) {
  TestSpec spec = sample_spec();
  spec.id = test_id(spec);
  const std::string id = spec.id;
  EXPECT_EQ(task_key(spec), id);
  spec.measure.repeats = 3;
  spec.measure.max_repeat_cv = 0.01;
  spec.repeat = 2;
  EXPECT_EQ(test_id(spec), id);
  EXPECT_EQ(task_key(spec), id + "-r2");
  EXPECT_EQ(test_label(spec), "mobilenet_v2/opencv-dnn/b1/sync/t2/rep2of3");
}

TEST(TestSpec, SettingsAddedLaterAtTheirDefaultsKeepTheCanonicalTextOfBefore) {
  // The text a spec had before protocol 4: ids of tests planned then do not change.
  EXPECT_EQ(canonical_spec(sample_spec()).find("max_cv"), std::string::npos);
  EXPECT_EQ(canonical_spec(sample_spec()).find("max_busy_share"), std::string::npos);
  EXPECT_EQ(canonical_spec(sample_spec()).find("pin_cpus"), std::string::npos);
  EXPECT_EQ(canonical_spec(sample_spec()).find("samples_per_query"), std::string::npos);
  EXPECT_EQ(canonical_spec(sample_spec()).find("target_qps"), std::string::npos);
}

TEST(TestSpec, EveryIdentityFieldChangesTheId) {
  const std::vector<std::function<void(TestSpec&)>> changes = {
      [](TestSpec& s) { s.model.name = "resnet50"; },
      [](TestSpec& s) { s.model.format = "caffe"; },
      [](TestSpec& s) { s.model.precision = "fp16"; },
      [](TestSpec& s) { s.model.input_shape = {3, 224, 225}; },
      [](TestSpec& s) { s.model.input_shape = {3, 224}; },
      [](TestSpec& s) { s.model.file_name = "mobilenet_v2_opt.onnx"; },
      [](TestSpec& s) { s.model.config_name = "deploy.prototxt"; },
      [](TestSpec& s) { s.framework = "null"; },
      [](TestSpec& s) { s.params["target"] = "opencl"; },
      [](TestSpec& s) { s.params.erase("backend"); },
      [](TestSpec& s) { s.params["extra"] = "1"; },
      [](TestSpec& s) { s.batch = 2; },
      [](TestSpec& s) { s.mode = Mode::kAsync; },
      [](TestSpec& s) { s.threads = 4; },
      [](TestSpec& s) { s.requests = 2; },
      [](TestSpec& s) { s.device = "cuda"; },
      [](TestSpec& s) { s.device = "cuda:1"; },
      [](TestSpec& s) {
        s.mode = Mode::kAccuracy;
        s.dataset = {"digits_test", std::string(64, 'd')};
      },
      [](TestSpec& s) { s.measure.iterations = 21; },
      [](TestSpec& s) { s.measure.min_seconds = 1.25; },
      [](TestSpec& s) { s.measure.warmup_iterations = 4; },
      [](TestSpec& s) { s.measure.warmup_seconds = 0.5; },
      // Since protocol 4: the scenarios and their settings.
      [](TestSpec& s) { s.mode = Mode::kSingleStream; },
      [](TestSpec& s) { s.mode = Mode::kOffline; },
      [](TestSpec& s) {
        s.mode = Mode::kMultiStream;
        s.samples_per_query = 4;
      },
      [](TestSpec& s) {
        s.mode = Mode::kServer;
        s.target_qps = 50;
      },
      [](TestSpec& s) { s.measure.max_iterations = 1000; },
      [](TestSpec& s) { s.measure.max_seconds = 30; },
      [](TestSpec& s) { s.measure.max_cv = 0.1; },
      [](TestSpec& s) { s.measure.max_busy_share = 0; },
      [](TestSpec& s) { s.measure.pin_cpus = true; },
      [](TestSpec& s) { s.measure.latency_bound_s = 0.015; },
      [](TestSpec& s) { s.measure.latency_percentile = 95; },
      [](TestSpec& s) { s.measure.server_search = true; },
      [](TestSpec& s) { s.measure.search_trials = 4; },
  };
  std::vector<std::string> ids = {test_id(sample_spec())};
  for (std::size_t i = 0; i < changes.size(); ++i) {
    TestSpec spec = sample_spec();
    changes[i](spec);
    const std::string id = test_id(spec);
    for (const auto& earlier : ids) EXPECT_NE(id, earlier) << "change " << i;
    ids.push_back(id);
  }
}

TEST(TestSpec, LabelsNameModelLauncherBatchModeThreadsAndRequestsInAsyncMode) {
  TestSpec spec = sample_spec();
  EXPECT_EQ(test_label(spec), "mobilenet_v2/opencv-dnn/b1/sync/t2");
  spec.mode = Mode::kAsync;
  spec.requests = 4;
  spec.batch = 8;
  EXPECT_EQ(test_label(spec), "mobilenet_v2/opencv-dnn/b8/async/t2/r4");
  spec.device = "cuda:0";
  EXPECT_EQ(test_label(spec), "mobilenet_v2/opencv-dnn/b8/async/t2/r4/cuda:0");
}

TEST(TestSpec, ModeNamesRoundTrip) {
  EXPECT_EQ(to_string(Mode::kSync), "sync");
  EXPECT_EQ(to_string(Mode::kAsync), "async");
  EXPECT_EQ(mode_from_string("sync"), Mode::kSync);
  EXPECT_EQ(mode_from_string("async"), Mode::kAsync);
  EXPECT_EQ(to_string(Mode::kAccuracy), "accuracy");
  EXPECT_EQ(mode_from_string("accuracy"), Mode::kAccuracy);
  EXPECT_THROW(mode_from_string("Sync"), std::invalid_argument);
  const std::vector<std::pair<Mode, std::string>> scenarios = {{Mode::kSingleStream, "single_stream"},
                                                               {Mode::kMultiStream, "multi_stream"},
                                                               {Mode::kServer, "server"},
                                                               {Mode::kOffline, "offline"}};
  for (const auto& [mode, name] : scenarios) {
    EXPECT_EQ(to_string(mode), name);
    EXPECT_EQ(mode_from_string(name), mode);
    EXPECT_TRUE(is_scenario(mode));
  }
  EXPECT_FALSE(is_scenario(Mode::kAsync));
}

TEST(TestSpec, ScenarioLabelsAndReportedPercentiles) {
  TestSpec spec = sample_spec();
  spec.mode = Mode::kServer;
  spec.requests = 2;
  spec.target_qps = 50;
  EXPECT_EQ(test_label(spec), "mobilenet_v2/opencv-dnn/b1/server/t2/r2/q50");
  spec.mode = Mode::kMultiStream;
  spec.requests = 1;
  spec.samples_per_query = 8;
  EXPECT_EQ(test_label(spec), "mobilenet_v2/opencv-dnn/b1/multi_stream/t2/n8");
  EXPECT_EQ(reported_percentile(Mode::kSync, 99), 50) << "the seed's modes report the median";
  EXPECT_EQ(reported_percentile(Mode::kSingleStream, 0), 90);
  EXPECT_EQ(reported_percentile(Mode::kMultiStream, 0), 99);
  EXPECT_EQ(reported_percentile(Mode::kServer, 0), 99);
  EXPECT_EQ(reported_percentile(Mode::kServer, 95), 95);
  EXPECT_EQ(reported_percentile(Mode::kOffline, 95), 50);
}

}  // namespace
}  // namespace dli
