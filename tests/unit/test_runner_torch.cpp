// The libtorch framework of dli-run-torch (src/runners/torch) on the generated model zoo (scripts/make_models.py):
// outputs against torch's own reference outputs, refusals (format, device, parameters), thread settings.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/cuda.h>

#include "dli/runner/framework.hpp"
#include "torch_framework.hpp"  // src/runners/torch, through the dli_runner_torch target
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

TestSpec spec_for(int batch, std::vector<std::int64_t> shape, std::map<std::string, std::string> params = {}) {
  TestSpec spec;
  spec.framework = "libtorch";
  spec.model.name = "model";
  spec.model.format = "torchscript";
  spec.model.precision = "fp32";
  spec.model.input_shape = std::move(shape);
  spec.batch = batch;
  spec.threads = 2;
  spec.device = "cpu";
  spec.params = std::move(params);
  return spec;
}

const std::vector<std::int64_t> kImageNet = {3, 224, 224};
const std::vector<std::int64_t> kDigits = {1, 8, 8};

class RunnerTorch : public ::testing::Test {
 protected:
  void SetUp() override {
    // The set-up script generates these; a missing one is a broken set-up, never a reason to skip.
    for (const char* name : {"mobilenet_v2.pt", "mobilenet_v2_ref.json", "resnet50.pt", "resnet50_ref.json",
                             "digits_cnn.pt", "digits_ref.json"}) {
      ASSERT_TRUE(fs::exists(model_path(name)))
          << "missing generated model file " << model_path(name)
          << ": run `/usr/bin/python3 scripts/make_models.py` (scripts/setup.sh does)";
    }
    framework = make_torch_framework();
    ASSERT_NE(framework, nullptr);
    framework->configure(spec_for(1, kDigits));
  }

  std::unique_ptr<Session> load(const std::string& file, const TestSpec& spec) {
    return framework->load(ModelFiles{model_path(file), ""}, spec);
  }

  // Runs the model at batch 2 on the formula input and compares with torch's output for that input.
  void expect_matches_reference(const std::string& name, double tolerance) {
    const auto reference = read_json(name + "_ref.json");
    const auto session = load(name + ".pt", spec_for(2, kImageNet));
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

TEST_F(RunnerTorch, DescribesItself) {
  const Capabilities capabilities = framework->describe();
  EXPECT_EQ(capabilities.framework, "libtorch");
  EXPECT_EQ(capabilities.version.rfind("libtorch ", 0), 0u) << capabilities.version;
  EXPECT_GT(capabilities.version.size(), std::string("libtorch ").size()) << capabilities.version;
  EXPECT_EQ(capabilities.formats, std::vector<std::string>{"torchscript"});
  ASSERT_FALSE(capabilities.devices.empty());
  EXPECT_EQ(capabilities.devices.front(), "cpu");
  std::vector<std::string> cuda = {"cpu"};
  if (torch::cuda::is_available()) {
    for (std::size_t i = 0; i < torch::cuda::device_count(); ++i) cuda.push_back("cuda:" + std::to_string(i));
  }
  EXPECT_EQ(capabilities.devices, cuda);
}

TEST_F(RunnerTorch, MobilenetMatchesTorchAtBatchTwo) { expect_matches_reference("mobilenet_v2", 1e-4); }

TEST_F(RunnerTorch, Resnet50MatchesTorchAtBatchTwo) { expect_matches_reference("resnet50", 1e-4); }

TEST_F(RunnerTorch, DigitsLogitsMatchTorchInOneBatch) {
  const auto reference = read_json("digits_ref.json");
  const auto inputs = reference.at("inputs").get<std::vector<std::vector<float>>>();
  const auto outputs = reference.at("outputs").get<std::vector<std::vector<double>>>();
  ASSERT_EQ(inputs.size(), outputs.size());
  std::vector<float> input;
  std::vector<double> expected;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    input.insert(input.end(), inputs[i].begin(), inputs[i].end());
    expected.insert(expected.end(), outputs[i].begin(), outputs[i].end());
  }
  const auto session = load("digits_cnn.pt", spec_for(static_cast<int>(inputs.size()), kDigits));
  EXPECT_TRUE(session->last_output().empty()) << "no request yet";
  session->infer(input.data(), input.size());
  const auto output = session->last_output();
  ASSERT_EQ(output.size(), expected.size());
  EXPECT_LT(max_difference(output, expected), 1e-4);
}

// Async mode: one session per stream, each on its own thread, all at once.
TEST_F(RunnerTorch, SessionsOnSeveralThreadsAtOnceEachGetTheirOwnAnswer) {
  const auto reference = read_json("digits_ref.json");
  const auto inputs = reference.at("inputs").get<std::vector<std::vector<float>>>();
  const auto outputs = reference.at("outputs").get<std::vector<std::vector<double>>>();
  constexpr int kStreams = 3;
  std::vector<std::unique_ptr<Session>> sessions;
  for (int i = 0; i < kStreams; ++i) sessions.push_back(load("digits_cnn.pt", spec_for(1, kDigits)));
  std::vector<double> worst(kStreams, 0);
  std::vector<std::thread> threads;
  for (int stream = 0; stream < kStreams; ++stream) {
    threads.emplace_back([&, stream] {
      for (int round = 0; round < 50; ++round) {
        const std::size_t sample = static_cast<std::size_t>(stream + round) % inputs.size();
        sessions[static_cast<std::size_t>(stream)]->infer(inputs[sample].data(), inputs[sample].size());
        const auto output = sessions[static_cast<std::size_t>(stream)]->last_output();
        worst[static_cast<std::size_t>(stream)] =
            std::max(worst[static_cast<std::size_t>(stream)],
                     output.size() == 10 ? max_difference(output, outputs[sample]) : 1e9);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int stream = 0; stream < kStreams; ++stream) EXPECT_LT(worst[static_cast<std::size_t>(stream)], 1e-4);
}

TEST_F(RunnerTorch, ThreadsAreAppliedInTheSessionsThread) {
  for (const int threads : {1, 2, 1}) {
    TestSpec spec = spec_for(1, kDigits);
    spec.threads = threads;
    framework->configure(spec);
    const auto session = load("digits_cnn.pt", spec);
    const std::vector<float> input(64, 0.5f);
    int seen = 0;
    // A fresh thread, as in async mode: the count must reach it, not only the thread that called configure().
    std::thread worker([&] {
      session->infer(input.data(), input.size());
      seen = at::get_num_threads();
    });
    worker.join();
    EXPECT_EQ(seen, threads);
    EXPECT_EQ(at::get_num_threads(), threads);
    auto details = as_map(framework->details());
    EXPECT_EQ(details["intra_op_threads"], std::to_string(threads));
    EXPECT_EQ(details["inter_op_threads"], "1");
    EXPECT_EQ(at::get_num_interop_threads(), 1);
  }
}

TEST_F(RunnerTorch, DetailsSayHowTheFrameworkWasSetUp) {
  const auto session = load("digits_cnn.pt", spec_for(1, kDigits));
  auto details = as_map(framework->details());
  EXPECT_EQ(details["device"], "cpu");
  EXPECT_EQ(details["intra_op_threads"], "2");
  EXPECT_EQ(details["inter_op_threads"], "1");
  EXPECT_FALSE(details["blas"].empty());
  // This project's hosts install OpenBLAS (Debian's libtorch uses the reference BLAS otherwise, ~9x slower); its
  // own threads are pinned to 1 so that the test's thread count is the number of threads computing.
  if (details["blas"].rfind("openblas", 0) == 0) {
    EXPECT_EQ(details["blas_threads"], "1");
  }
  EXPECT_EQ(details.count("device_name"), 0u) << "a GPU's name only";
}

TEST_F(RunnerTorch, AFormatOtherThanTorchScriptIsUnsupported) {
  TestSpec spec = spec_for(1, kDigits);
  spec.model.format = "onnx";
  bool unsupported = false;
  const std::string message = error_of([&] { load("digits_cnn.onnx", spec); }, &unsupported);
  EXPECT_TRUE(unsupported) << message;
  EXPECT_NE(message.find("onnx"), std::string::npos) << message;
}

TEST_F(RunnerTorch, CudaWithoutACudaDeviceIsUnsupported) {
  // Without CUDA (this project's Debian build): any CUDA device. With CUDA: a device index past the last one.
  const bool cuda = torch::cuda::is_available();
  const std::string device = cuda ? "cuda:" + std::to_string(torch::cuda::device_count()) : "cuda";
  TestSpec spec = spec_for(1, kDigits);
  spec.device = device;
  for (const bool at_load : {false, true}) {
    bool unsupported = false;
    const std::string message = error_of(
        [&] {
          if (at_load) {
            load("digits_cnn.pt", spec);
          } else {
            make_torch_framework()->configure(spec);
          }
        },
        &unsupported);
    EXPECT_TRUE(unsupported) << message;
    EXPECT_NE(message.find(device), std::string::npos) << message;
    if (!cuda) {
      EXPECT_NE(message.find("torch::cuda::is_available() is false"), std::string::npos) << message;
    }
  }
  if (!cuda) {
    spec.device = "cuda:0";
    bool unsupported = false;
    error_of([&] { load("digits_cnn.pt", spec); }, &unsupported);
    EXPECT_TRUE(unsupported);
  }
  spec.device = "tpu";
  bool unsupported = false;
  error_of([&] { load("digits_cnn.pt", spec); }, &unsupported);
  EXPECT_TRUE(unsupported);
}

TEST_F(RunnerTorch, BadParameterValuesAreRefused) {
  for (const char* value : {"0", "-1", "1.5", "two", "", " 2", "2 ", "1025", "nan"}) {
    bool unsupported = true;
    const std::string message =
        error_of([&] { make_torch_framework()->configure(spec_for(1, kDigits, {{"inter_op_threads", value}})); },
                 &unsupported);
    EXPECT_FALSE(unsupported) << "a malformed value is a bad request: '" << value << "'";
    EXPECT_NE(message.find("inter_op_threads"), std::string::npos) << message;
  }
  bool unsupported = true;
  const std::string message =
      error_of([&] { framework->configure(spec_for(1, kDigits, {{"intra_op", "2"}})); }, &unsupported);
  EXPECT_FALSE(unsupported);
  EXPECT_NE(message.find("unknown parameter 'intra_op'"), std::string::npos) << message;
  TestSpec spec = spec_for(1, kDigits);
  spec.threads = 0;
  EXPECT_THROW(framework->configure(spec), std::runtime_error);
  // The planner's spelling of integers is accepted ("1.0" is 1).
  EXPECT_NO_THROW(framework->configure(spec_for(1, kDigits, {{"inter_op_threads", "1.0"}})));
}

TEST_F(RunnerTorch, AnInterOpThreadCountLibtorchCannotApplyIsUnsupported) {
  // libtorch sizes its inter-op pool once per process; SetUp made it 1 (the default). Another count is refused,
  // never ignored.
  bool unsupported = false;
  const std::string message =
      error_of([&] { framework->configure(spec_for(1, kDigits, {{"inter_op_threads", "3"}})); }, &unsupported);
  EXPECT_TRUE(unsupported) << message;
  EXPECT_NE(message.find("inter_op_threads"), std::string::npos) << message;
  EXPECT_EQ(at::get_num_interop_threads(), 1);
}

TEST_F(RunnerTorch, MissingFileIsAClearError) {
  bool unsupported = true;
  const std::string message = error_of(
      [&] { framework->load(ModelFiles{"/nonexistent/model.pt", ""}, spec_for(1, kDigits)); }, &unsupported);
  EXPECT_FALSE(unsupported);
  EXPECT_NE(message.find("not found"), std::string::npos) << message;
  EXPECT_NE(message.find("/nonexistent/model.pt"), std::string::npos) << message;
}

TEST_F(RunnerTorch, CorruptFileGivesLibtorchsReasonOnOneLine) {
  dli::testing::TempDir dir;
  const std::string path = dir.write("broken.pt", "this is not a zip archive");
  bool unsupported = true;
  const std::string message =
      error_of([&] { framework->load(ModelFiles{path, ""}, spec_for(1, kDigits)); }, &unsupported);
  EXPECT_FALSE(unsupported);
  EXPECT_NE(message.find("cannot load " + path), std::string::npos) << message;
  EXPECT_NE(message.find("zip"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find("frame #"), std::string::npos) << "no C++ backtrace: " << message;
}

TEST_F(RunnerTorch, WrongInputIsAnInferenceError) {
  // Three channels into the digits model: libtorch's own reason, on one line.
  const auto session = load("digits_cnn.pt", spec_for(1, {3, 8, 8}));
  const std::vector<float> input(3 * 8 * 8, 0.5f);
  const std::string message = error_of([&] { session->infer(input.data(), input.size()); });
  EXPECT_NE(message.find("inference failed"), std::string::npos) << message;
  EXPECT_NE(message.find("channels"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  // A buffer of another size than batch x input shape is the caller's mistake.
  EXPECT_THROW(session->infer(input.data(), 64), std::invalid_argument);
}

}  // namespace
}  // namespace dli::runner
