// The "opencv-dnn" framework of dli-run-opencv (src/runners/opencv) on the generated model zoo
// (scripts/make_models.py): loads, batch sizes, outputs compared with torch's reference outputs saved beside the
// models, and its refusals (parameters, targets this OpenCV build cannot run, formats).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/measure/measurement.hpp"
#include "dli/protocol/runner_catalogue.hpp"
#include "dli/runner/framework.hpp"
#include "dli/runner/run_test.hpp"
#include "opencv_framework.hpp"  // src/runners/opencv, through the dli_runner_opencv target
#include "support/temp_dir.hpp"
#include "support/runner_checks.hpp"

namespace dli::runner {
namespace {

using namespace dli::runner::testing;

namespace fs = std::filesystem;

std::string model_path(const std::string& name) { return (fs::path(DLI_MODELS_DIR) / name).string(); }

nlohmann::json read_json(const std::string& name) {
  std::ifstream in(model_path(name));
  return nlohmann::json::parse(in);
}

const std::vector<std::int64_t> kImageNet = {3, 224, 224};
const std::vector<std::int64_t> kDigits = {1, 8, 8};

TestSpec spec_for(int batch, std::vector<std::int64_t> shape, std::map<std::string, std::string> params = {}) {
  TestSpec spec;
  spec.framework = "opencv-dnn";
  spec.model.name = "model";
  spec.model.format = "onnx";
  spec.model.precision = "fp32";
  spec.model.input_shape = std::move(shape);
  spec.batch = batch;
  spec.threads = 2;
  spec.device = "cpu";
  spec.params = std::move(params);
  return spec;
}

class RunnerOpencv : public ::testing::Test {
 protected:
  void SetUp() override {
    // The set-up script generates these; a missing one is a broken set-up, never a reason to skip.
    for (const char* name : {"mobilenet_v2.onnx", "mobilenet_v2_ref.json", "resnet50.onnx", "resnet50_ref.json",
                             "digits_cnn.onnx", "digits_ref.json", "digits_test.csv"}) {
      ASSERT_TRUE(fs::exists(model_path(name)))
          << "missing generated model file " << model_path(name)
          << ": run `/usr/bin/python3 scripts/make_models.py` (scripts/setup.sh does)";
    }
    framework = make_opencv_framework();
    ASSERT_NE(framework, nullptr);
    framework->configure(spec_for(1, kDigits));
  }

  std::unique_ptr<Session> load(const std::string& file, const TestSpec& spec) {
    return framework->load(ModelFiles{model_path(file), ""}, spec);
  }

  // Runs the model at batch 2 on the formula input and compares with torch's output for that input.
  void expect_matches_reference(const std::string& name, double tolerance) {
    const auto reference = read_json(name + "_ref.json");
    ASSERT_EQ(reference.at("batch").get<int>(), 2);
    const auto session = load(name + ".onnx", spec_for(2, kImageNet));
    const auto input = formula_input(2 * 3 * 224 * 224);
    session->infer(input.data(), input.size());
    const auto output = session->last_output();
    const auto expected = reference.at("output").get<std::vector<double>>();
    ASSERT_EQ(output.size(), 2000u);
    ASSERT_EQ(expected.size(), 2000u);
    EXPECT_LT(max_difference(output, expected), tolerance) << name;
    // The two images differ, and so must their outputs: a batch is not one image served twice.
    const std::vector<float> first(output.begin(), output.begin() + 1000);
    EXPECT_GT(max_difference(first, expected, 1000), 20 * tolerance) << name;
    // A second request on the same session gives the same answer (the input is copied in again, not kept).
    session->infer(input.data(), input.size());
    EXPECT_EQ(session->last_output(), output) << name;
  }

  std::unique_ptr<Framework> framework;
};

TEST_F(RunnerOpencv, DescribesItself) {
  const Capabilities capabilities = framework->describe();
  EXPECT_EQ(capabilities.framework, "opencv-dnn");
  EXPECT_EQ(capabilities.version.rfind("OpenCV 4.", 0), 0u) << capabilities.version;
  EXPECT_EQ(capabilities.formats, (std::vector<std::string>{"onnx", "caffe", "tensorflow"}));
  EXPECT_EQ(capabilities.devices, std::vector<std::string>{"cpu"});
}

TEST_F(RunnerOpencv, LoadsMobilenetAtBatchOneAndTwo) {
  for (const int batch : {1, 2}) {
    const auto session = load("mobilenet_v2.onnx", spec_for(batch, kImageNet));
    EXPECT_TRUE(session->last_output().empty()) << "no request yet";
    const auto input = make_input(batch, kImageNet);
    session->infer(input.data(), input.size());
    session->infer(input.data(), input.size());
    EXPECT_EQ(session->last_output().size(), static_cast<std::size_t>(batch) * 1000) << "batch " << batch;
  }
}

TEST_F(RunnerOpencv, MobilenetMatchesTorchAtBatchTwo) { expect_matches_reference("mobilenet_v2", 1e-3); }

TEST_F(RunnerOpencv, Resnet50MatchesTorchAtBatchTwo) { expect_matches_reference("resnet50", 1e-3); }

TEST_F(RunnerOpencv, DigitsLogitsMatchTorchInOneBatch) {
  const auto reference = read_json("digits_ref.json");
  const auto inputs = reference.at("inputs").get<std::vector<std::vector<float>>>();
  const auto outputs = reference.at("outputs").get<std::vector<std::vector<double>>>();
  ASSERT_EQ(inputs.size(), outputs.size());
  ASSERT_GT(inputs.size(), 1u);
  std::vector<float> input;
  std::vector<double> expected;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    input.insert(input.end(), inputs[i].begin(), inputs[i].end());
    expected.insert(expected.end(), outputs[i].begin(), outputs[i].end());
  }
  const auto session = load("digits_cnn.onnx", spec_for(static_cast<int>(inputs.size()), kDigits));
  session->infer(input.data(), input.size());
  const auto output = session->last_output();
  ASSERT_EQ(output.size(), expected.size());
  EXPECT_LT(max_difference(output, expected), 1e-3);
}

// Every held-out image through a batch-1 session, the arg-max against its label: torch's held-out accuracy.
// (run_test's accuracy mode over the packed dataset is tested in test_run_test.cpp.)
TEST_F(RunnerOpencv, DigitsAccuracyOnTheHeldOutSetEqualsTorchs) {
  const auto session = load("digits_cnn.onnx", spec_for(1, kDigits));
  std::ifstream csv(model_path("digits_test.csv"));
  std::string line;
  int rows = 0, correct = 0;
  while (std::getline(csv, line)) {
    std::vector<float> values;
    std::stringstream fields(line);
    for (std::string field; std::getline(fields, field, ',');) values.push_back(std::stof(field));
    ASSERT_EQ(values.size(), 65u) << "64 pixels and the label";
    const int label = static_cast<int>(values.back());
    values.pop_back();
    session->infer(values.data(), values.size());
    const auto logits = session->last_output();
    ASSERT_EQ(logits.size(), 10u);
    correct += static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin()) == label;
    ++rows;
  }
  const auto reference = read_json("digits_ref.json");
  ASSERT_EQ(rows, reference.at("test_rows").get<int>());
  const double accuracy = static_cast<double>(correct) / rows;
  EXPECT_GE(accuracy, 0.97);
  EXPECT_NEAR(accuracy, reference.at("test_accuracy").get<double>(), 1.0 / rows + 1e-9)
      << "OpenCV may disagree with torch on one borderline image at most";
}

TEST_F(RunnerOpencv, MissingFileIsAClearError) {
  bool unsupported = true;
  const std::string message = error_of(
      [&] { framework->load(ModelFiles{"/nonexistent/model.onnx", ""}, spec_for(1, kDigits)); }, &unsupported);
  EXPECT_FALSE(unsupported);
  EXPECT_NE(message.find("not found"), std::string::npos) << message;
  EXPECT_NE(message.find("/nonexistent/model.onnx"), std::string::npos) << message;
}

TEST_F(RunnerOpencv, CorruptFileGivesOpenCvsReason) {
  dli::testing::TempDir dir;
  const std::string path = dir.write("broken.onnx", "this is not a protobuf");
  bool unsupported = true;
  const std::string message =
      error_of([&] { framework->load(ModelFiles{path, ""}, spec_for(1, kDigits)); }, &unsupported);
  EXPECT_FALSE(unsupported);
  EXPECT_NE(message.find("Failed to parse ONNX model"), std::string::npos) << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
}

TEST_F(RunnerOpencv, CaffeWithoutItsPrototxtIsAClearError) {
  TestSpec spec = spec_for(1, kDigits);
  spec.model.format = "caffe";
  const std::string message = error_of([&] { load("digits_cnn.onnx", spec); });
  EXPECT_NE(message.find(".prototxt"), std::string::npos) << message;
}

TEST_F(RunnerOpencv, WrongInputShapeIsALoadError) {
  const std::string message = error_of([&] { load("mobilenet_v2.onnx", spec_for(1, kDigits)); });
  EXPECT_NE(message.find("cannot load"), std::string::npos) << message;
  EXPECT_NE(message.find("channels"), std::string::npos) << message;
}

TEST_F(RunnerOpencv, ShapeErrorsShapeInferenceMissesFailTheFirstRequestCleanly) {
  // 16x16 digits pass OpenCV's shape inference but not its dense layer: a std::runtime_error, not a cv::Exception.
  const auto session = load("digits_cnn.onnx", spec_for(1, {1, 16, 16}));
  const auto input = make_input(1, {1, 16, 16});
  const std::string message = error_of([&] { session->infer(input.data(), input.size()); });
  EXPECT_NE(message.find("inference failed"), std::string::npos) << message;
}

TEST_F(RunnerOpencv, RejectsAnInputOfTheWrongSize) {
  const auto session = load("digits_cnn.onnx", spec_for(2, kDigits));
  const auto input = make_input(1, kDigits);
  EXPECT_THROW(session->infer(input.data(), input.size()), std::invalid_argument);
}

TEST_F(RunnerOpencv, RejectsMeaninglessBatchesAndShapes) {
  EXPECT_NE(error_of([&] { load("digits_cnn.onnx", spec_for(0, kDigits)); }).find("batch"), std::string::npos);
  EXPECT_NE(error_of([&] { load("digits_cnn.onnx", spec_for(1, {})); }).find("input shape is empty"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load("digits_cnn.onnx", spec_for(1, {1, 0, 8})); }).find("dimensions"), std::string::npos);
}

TEST_F(RunnerOpencv, BadParamsAreRefusedAsBadRequests) {
  struct Case {
    std::map<std::string, std::string> params;
    std::string says;
  };
  for (const Case& bad : {Case{{{"backend", "magic"}}, "backend: expected one of opencv, default, cuda, got 'magic'"},
                          Case{{{"target", "tpu"}}, "target: expected one of cpu, opencl"},
                          Case{{{"threads", "4"}}, "unknown parameter 'threads'"}}) {
    bool unsupported = true;
    const std::string message =
        error_of([&] { make_opencv_framework()->configure(spec_for(1, kDigits, bad.params)); }, &unsupported);
    EXPECT_FALSE(unsupported) << "a malformed value is a bad request, not something this host lacks: " << message;
    EXPECT_NE(message.find(bad.says), std::string::npos) << message;
  }
}

// The catalogue decides which names are valid (one definition for `plan` and the runner); each must mean an
// OpenCV value here. What this build cannot run is Unsupported, never a "no OpenCV value" logic error.
TEST_F(RunnerOpencv, EveryBackendAndTargetOfTheCatalogueHasAnOpenCvValue) {
  const RunnerEntry* entry = find_runner_entry("opencv-dnn");
  ASSERT_NE(entry, nullptr);
  for (const auto& rule : entry->params) {
    ASSERT_FALSE(rule.choices.empty()) << rule.name;
    for (const auto& choice : rule.choices) {
      try {
        make_opencv_framework()->configure(spec_for(1, kDigits, {{rule.name, choice}}));
      } catch (const Unsupported&) {
      } catch (const std::exception& error) {
        ADD_FAILURE() << rule.name << "=" << choice << ": " << error.what();
      }
    }
  }
}

TEST_F(RunnerOpencv, ATargetThisBuildCannotRunIsUnsupportedNotSilentlyReplaced) {
  // This machine's OpenCV has no CUDA; OpenCV itself would quietly fall back to the CPU.
  bool unsupported = false;
  const std::string message = error_of(
      [&] { make_opencv_framework()->configure(spec_for(1, kDigits, {{"backend", "cuda"}, {"target", "cuda"}})); },
      &unsupported);
  EXPECT_TRUE(unsupported) << message;
  EXPECT_NE(message.find("not available"), std::string::npos) << message;
  EXPECT_NE(message.find("'cuda'"), std::string::npos) << message;
  // What it can run is accepted, and said in the details.
  const auto cpu = make_opencv_framework();
  EXPECT_NO_THROW(cpu->configure(spec_for(1, kDigits, {{"backend", "opencv"}, {"target", "cpu"}})));
  auto details = as_map(cpu->details());
  EXPECT_EQ(details["backend"], "opencv");
  EXPECT_EQ(details["target"], "cpu");
  EXPECT_EQ(details["intra_op_threads"], "2");
}

TEST_F(RunnerOpencv, AWrongFormatIsUnsupportedThroughRunTest) {
  RunnerRequest request;
  request.spec = spec_for(1, kDigits);
  request.spec.model.format = "torchscript";
  request.spec.measure.iterations = 3;
  request.spec.measure.min_seconds = 0;
  request.model_path = model_path("digits_cnn.pt");
  const RunnerResult result = run_test(*make_opencv_framework(), request);
  EXPECT_EQ(result.status, RunnerStatus::kUnsupported) << result.reason;
  EXPECT_NE(result.reason.find("torchscript"), std::string::npos) << result.reason;
  EXPECT_FALSE(result.measurement.has_value());
  EXPECT_EQ(result.framework_version.rfind("OpenCV 4.", 0), 0u) << "known even when refused";
}

// Async mode: one session per stream, each on its own thread, all at once, each with its own answer.
TEST_F(RunnerOpencv, SessionsOnSeveralThreadsAtOnceEachGetTheirOwnAnswer) {
  const auto reference = read_json("digits_ref.json");
  const auto inputs = reference.at("inputs").get<std::vector<std::vector<float>>>();
  const auto outputs = reference.at("outputs").get<std::vector<std::vector<double>>>();
  constexpr int kStreams = 3;
  std::vector<std::unique_ptr<Session>> sessions;
  for (int i = 0; i < kStreams; ++i) sessions.push_back(load("digits_cnn.onnx", spec_for(1, kDigits)));
  std::vector<double> worst(kStreams, 0);
  std::vector<std::thread> threads;
  for (int stream = 0; stream < kStreams; ++stream) {
    threads.emplace_back([&, stream] {
      auto& session = *sessions[static_cast<std::size_t>(stream)];
      double& mine = worst[static_cast<std::size_t>(stream)];
      for (int round = 0; round < 50; ++round) {
        const std::size_t sample = static_cast<std::size_t>(stream + round) % inputs.size();
        session.infer(inputs[sample].data(), inputs[sample].size());
        const auto output = session.last_output();
        mine = std::max(mine, output.size() == 10 ? max_difference(output, outputs[sample]) : 1e9);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int stream = 0; stream < kStreams; ++stream) EXPECT_LT(worst[static_cast<std::size_t>(stream)], 1e-3);
}

TEST_F(RunnerOpencv, SessionsRunConcurrentlyInTheAsyncLoop) {
  const auto first = load("digits_cnn.onnx", spec_for(2, kDigits));
  const auto second = load("digits_cnn.onnx", spec_for(2, kDigits));
  MeasureConfig measure;
  measure.iterations = 200;
  measure.min_seconds = 0;
  measure.warmup_iterations = 2;
  const TimedRun run = run_async({first.get(), second.get()}, make_input(2, kDigits), measure);
  EXPECT_EQ(run.request_seconds.size(), 200u);
  EXPECT_GT(run.wall_seconds, 0.0);
  const auto output = first->last_output();
  ASSERT_EQ(output.size(), 20u);
  const auto other = second->last_output();
  EXPECT_LT(max_difference(output, std::vector<double>(other.begin(), other.end())), 1e-5)
      << "the same input gives the same output in each session";
}

}  // namespace
}  // namespace dli::runner
