// The opencv-dnn launcher on the generated model zoo (scripts/make_models.py): loads, batch sizes, and outputs
// compared with torch's reference outputs saved beside the models.
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
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/launcher.hpp"
#include "dli/measurement.hpp"
#include "support/temp_dir.hpp"

namespace dli {

// Defined in src/launcher_opencv_dnn.cpp: the first output of a session's last request.
std::vector<float> opencv_dnn_output(const InferenceSession& session);

namespace {

namespace fs = std::filesystem;

std::string model_path(const std::string& name) { return (fs::path(DLI_MODELS_DIR) / name).string(); }

nlohmann::json read_json(const std::string& name) {
  std::ifstream in(model_path(name));
  return nlohmann::json::parse(in);
}

LoadOptions options(int batch, std::vector<std::int64_t> shape, std::map<std::string, std::string> params = {}) {
  LoadOptions result;
  result.batch = batch;
  result.threads = 2;
  result.input_shape = std::move(shape);
  result.format = "onnx";
  result.precision = "fp32";
  result.params = std::move(params);
  return result;
}

// The input the reference files were made with (make_models.py, ref_input): x[i] = ((i * 7919) % 1000) / 1000.
std::vector<float> formula_input(std::size_t count) {
  std::vector<float> values(count);
  for (std::size_t i = 0; i < count; ++i) values[i] = static_cast<float>((i * 7919) % 1000) / 1000.0f;
  return values;
}

double max_difference(const std::vector<float>& actual, const std::vector<double>& expected) {
  double worst = 0;
  for (std::size_t i = 0; i < actual.size() && i < expected.size(); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(actual[i]) - expected[i]));
  }
  return worst;
}

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

class LauncherOpenCv : public ::testing::Test {
 protected:
  void SetUp() override {
    // The set-up script generates these; a missing one is a broken set-up, never a reason to skip.
    for (const char* name : {"mobilenet_v2.onnx", "mobilenet_v2_ref.json", "resnet50.onnx", "resnet50_ref.json",
                             "digits_cnn.onnx", "digits_ref.json", "digits_test.csv"}) {
      ASSERT_TRUE(fs::exists(model_path(name)))
          << "missing generated model file " << model_path(name)
          << ": run `/usr/bin/python3 scripts/make_models.py` (scripts/setup.sh does)";
    }
    launcher = make_launcher("opencv-dnn");
    ASSERT_NE(launcher, nullptr);
    launcher->configure(2, {});
  }

  // Runs the model at batch 2 on the formula input and compares with torch's output for that input.
  void expect_matches_reference(const std::string& name, double tolerance) {
    const auto reference = read_json(name + "_ref.json");
    const auto session = launcher->load(ModelFiles{model_path(name + ".onnx"), ""}, options(2, {3, 224, 224}));
    const auto input = formula_input(2 * 3 * 224 * 224);
    session->infer(input.data(), input.size());
    const auto output = opencv_dnn_output(*session);
    const auto expected = reference.at("output").get<std::vector<double>>();
    ASSERT_EQ(output.size(), 2000u);
    ASSERT_EQ(expected.size(), 2000u);
    EXPECT_LT(max_difference(output, expected), tolerance) << name;
    // The two images differ, and so must their outputs: a batch is not one image served twice.
    const std::vector<float> first(output.begin(), output.begin() + 1000);
    const std::vector<double> second(expected.begin() + 1000, expected.end());
    EXPECT_GT(max_difference(first, second), 20 * tolerance) << name;
  }

  std::unique_ptr<Launcher> launcher;
};

TEST_F(LauncherOpenCv, DescribesItself) {
  EXPECT_EQ(launcher->name(), "opencv-dnn");
  EXPECT_EQ(launcher->version().rfind("OpenCV 4.", 0), 0u) << launcher->version();
  const auto formats = launcher->formats();
  for (const char* format : {"onnx", "caffe", "tensorflow"}) {
    EXPECT_NE(std::find(formats.begin(), formats.end(), format), formats.end()) << format;
  }
  EXPECT_EQ(std::find(formats.begin(), formats.end(), "torchscript"), formats.end());
}

TEST_F(LauncherOpenCv, LoadsMobilenetAtBatchOneAndTwo) {
  for (const int batch : {1, 2}) {
    const auto session = launcher->load(ModelFiles{model_path("mobilenet_v2.onnx"), ""}, options(batch, {3, 224, 224}));
    const auto input = make_input(batch, {3, 224, 224});
    session->infer(input.data(), input.size());
    session->infer(input.data(), input.size());
    EXPECT_EQ(opencv_dnn_output(*session).size(), static_cast<std::size_t>(batch) * 1000) << "batch " << batch;
  }
}

TEST_F(LauncherOpenCv, MobilenetMatchesTorchAtBatchTwo) { expect_matches_reference("mobilenet_v2", 1e-3); }

TEST_F(LauncherOpenCv, Resnet50MatchesTorchAtBatchTwo) { expect_matches_reference("resnet50", 1e-3); }

TEST_F(LauncherOpenCv, DigitsLogitsMatchTorchInOneBatch) {
  const auto reference = read_json("digits_ref.json");
  const auto inputs = reference.at("inputs").get<std::vector<std::vector<float>>>();
  const auto outputs = reference.at("outputs").get<std::vector<std::vector<double>>>();
  ASSERT_EQ(inputs.size(), outputs.size());
  const int batch = static_cast<int>(inputs.size());
  std::vector<float> input;
  std::vector<double> expected;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    input.insert(input.end(), inputs[i].begin(), inputs[i].end());
    expected.insert(expected.end(), outputs[i].begin(), outputs[i].end());
  }
  const auto session = launcher->load(ModelFiles{model_path("digits_cnn.onnx"), ""}, options(batch, {1, 8, 8}));
  session->infer(input.data(), input.size());
  const auto output = opencv_dnn_output(*session);
  ASSERT_EQ(output.size(), expected.size());
  EXPECT_LT(max_difference(output, expected), 1e-3);
}

TEST_F(LauncherOpenCv, DigitsAccuracyOnTheHeldOutSetEqualsTorchs) {
  const auto session = launcher->load(ModelFiles{model_path("digits_cnn.onnx"), ""}, options(1, {1, 8, 8}));
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
    const auto logits = opencv_dnn_output(*session);
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

TEST_F(LauncherOpenCv, MissingFileIsAClearError) {
  const std::string message = error_of([&] {
    launcher->load(ModelFiles{"/nonexistent/model.onnx", ""}, options(1, {1, 8, 8}));
  });
  EXPECT_NE(message.find("not found"), std::string::npos) << message;
  EXPECT_NE(message.find("/nonexistent/model.onnx"), std::string::npos) << message;
}

TEST_F(LauncherOpenCv, CorruptFileGivesOpenCvsReason) {
  testing::TempDir dir;
  const std::string path = dir.write("broken.onnx", "this is not a protobuf");
  const std::string message = error_of([&] { launcher->load(ModelFiles{path, ""}, options(1, {1, 8, 8})); });
  EXPECT_NE(message.find("Failed to parse ONNX model"), std::string::npos) << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
}

TEST_F(LauncherOpenCv, WrongInputShapeIsALoadError) {
  const std::string message = error_of([&] {
    launcher->load(ModelFiles{model_path("mobilenet_v2.onnx"), ""}, options(1, {1, 8, 8}));
  });
  EXPECT_NE(message.find("cannot load"), std::string::npos) << message;
  EXPECT_NE(message.find("channels"), std::string::npos) << message;
}

TEST_F(LauncherOpenCv, ShapeErrorsShapeInferenceMissesFailTheFirstRequestCleanly) {
  // 16x16 digits pass OpenCV's shape inference but not its dense layer: a std::runtime_error, not a cv::Exception.
  const auto session = launcher->load(ModelFiles{model_path("digits_cnn.onnx"), ""}, options(1, {1, 16, 16}));
  const auto input = make_input(1, {1, 16, 16});
  const std::string message = error_of([&] { session->infer(input.data(), input.size()); });
  EXPECT_NE(message.find("inference failed"), std::string::npos) << message;
}

TEST_F(LauncherOpenCv, RejectsAnInputOfTheWrongSize) {
  const auto session = launcher->load(ModelFiles{model_path("digits_cnn.onnx"), ""}, options(2, {1, 8, 8}));
  const auto input = make_input(1, {1, 8, 8});
  EXPECT_THROW(session->infer(input.data(), input.size()), std::invalid_argument);
}

TEST_F(LauncherOpenCv, BadParamsAndFormatsAreClearErrors) {
  const ModelFiles digits{model_path("digits_cnn.onnx"), ""};
  std::string message = error_of([&] { launcher->load(digits, options(1, {1, 8, 8}, {{"backend", "magic"}})); });
  EXPECT_NE(message.find("backend must be one of opencv"), std::string::npos) << message;
  message = error_of([&] { launcher->load(digits, options(1, {1, 8, 8}, {{"target", "tpu"}})); });
  EXPECT_NE(message.find("target must be one of cpu"), std::string::npos) << message;
  message = error_of([&] { launcher->load(digits, options(1, {1, 8, 8}, {{"threads", "4"}})); });
  EXPECT_NE(message.find("unknown parameter 'threads'"), std::string::npos) << message;
  auto torchscript = options(1, {1, 8, 8});
  torchscript.format = "torchscript";
  message = error_of([&] { launcher->load(ModelFiles{model_path("digits_cnn.pt"), ""}, torchscript); });
  EXPECT_NE(message.find("cannot load format 'torchscript'"), std::string::npos) << message;
  EXPECT_THROW(launcher->configure(1, {{"backend", "magic"}}), std::runtime_error);
}

TEST_F(LauncherOpenCv, ATargetThisBuildCannotRunIsRefusedNotSilentlyReplaced) {
  // This machine's OpenCV has no CUDA; OpenCV itself would quietly fall back to the CPU.
  const std::string message = error_of([&] {
    launcher->load(ModelFiles{model_path("digits_cnn.onnx"), ""},
                   options(1, {1, 8, 8}, {{"backend", "cuda"}, {"target", "cuda"}}));
  });
  EXPECT_NE(message.find("not available"), std::string::npos) << message;
}

TEST_F(LauncherOpenCv, SessionsRunConcurrently) {
  const ModelFiles digits{model_path("digits_cnn.onnx"), ""};
  const auto first = launcher->load(digits, options(2, {1, 8, 8}));
  const auto second = launcher->load(digits, options(2, {1, 8, 8}));
  MeasureConfig measure;
  measure.iterations = 200;
  measure.min_seconds = 0;
  measure.warmup_iterations = 2;
  const TimedRun run = run_async({first.get(), second.get()}, make_input(2, {1, 8, 8}), measure);
  EXPECT_EQ(run.request_seconds.size(), 200u);
  EXPECT_GT(run.wall_seconds, 0.0);
}

}  // namespace
}  // namespace dli
