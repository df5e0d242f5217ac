// The "opencv-dnn" framework of dli-run-opencv: OpenCV's DNN module (ONNX, Caffe and TensorFlow importers), one
// cv::dnn::Net per session.
#include <algorithm>
#include <climits>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>

#include "dli/protocol/runner_catalogue.hpp"
#include "dli/protocol/thread_share.hpp"
#include "opencv_framework.hpp"

namespace dli::runner {
namespace {

const std::vector<std::string> kFormats = {"onnx", "caffe", "tensorflow"};

// What each name of the runner catalogue (src/protocol/runner_catalogue.cpp) means to OpenCV; the catalogue decides
// which names are valid. Which ones this build can run is asked at load time.
const std::vector<std::pair<std::string, cv::dnn::Backend>> kBackends = {
    {"opencv", cv::dnn::DNN_BACKEND_OPENCV},
    {"default", cv::dnn::DNN_BACKEND_DEFAULT},
    {"cuda", cv::dnn::DNN_BACKEND_CUDA},
};
const std::vector<std::pair<std::string, cv::dnn::Target>> kTargets = {
    {"cpu", cv::dnn::DNN_TARGET_CPU},
    {"opencl", cv::dnn::DNN_TARGET_OPENCL},
    {"opencl-fp16", cv::dnn::DNN_TARGET_OPENCL_FP16},
    {"cuda", cv::dnn::DNN_TARGET_CUDA},
    {"cuda-fp16", cv::dnn::DNN_TARGET_CUDA_FP16},
};

template <class Enum>
Enum lookup(const std::vector<std::pair<std::string, Enum>>& table, const std::string& what, const std::string& text) {
  for (const auto& [name, value] : table) {
    if (name == text) return value;
  }
  // The catalogue accepted a name this table lacks: a programming error, caught by the unit tests.
  throw std::logic_error("opencv-dnn: the runner catalogue's " + what + " '" + text + "' has no OpenCV value");
}

template <class Enum>
std::string name_of(const std::vector<std::pair<std::string, Enum>>& table, int value) {
  for (const auto& [name, known] : table) {
    if (known == value) return name;
  }
  return std::to_string(value);
}

struct OpenCvParams {
  cv::dnn::Backend backend = cv::dnn::DNN_BACKEND_OPENCV;
  cv::dnn::Target target = cv::dnn::DNN_TARGET_CPU;
  std::string backend_name = "opencv";
  std::string target_name = "cpu";
};

// By the runner catalogue's rules, the same that `plan` checked.
OpenCvParams parse_params(const std::map<std::string, std::string>& params) {
  const CheckedParams checked = [&] {
    try {
      return CheckedParams("opencv-dnn", params);
    } catch (const std::invalid_argument& error) {
      throw std::runtime_error(std::string("opencv-dnn: ") + error.what());
    }
  }();
  OpenCvParams parsed;
  if (const auto backend = checked.text("backend")) {
    parsed.backend = lookup(kBackends, "backend", *backend);
    parsed.backend_name = *backend;
  }
  if (const auto target = checked.text("target")) {
    parsed.target = lookup(kTargets, "target", *target);
    parsed.target_name = *target;
  }
  return parsed;
}

// OpenCV silently falls back to the CPU for a target it cannot run: refuse instead, or results would be mislabelled.
void require_available(const OpenCvParams& params) {
  const auto targets = cv::dnn::getAvailableTargets(params.backend);
  if (std::find(targets.begin(), targets.end(), params.target) != targets.end()) return;
  std::string available;
  for (const auto target : targets) available += (available.empty() ? "" : ", ") + name_of(kTargets, target);
  throw Unsupported("opencv-dnn: target '" + params.target_name + "' is not available with backend '" +
                           params.backend_name + "' in this OpenCV build (available: " +
                           (available.empty() ? "none" : available) + ")");
}

// OpenCV's message without its trailing newline.
std::string message_of(const cv::Exception& error) {
  std::string text = error.what();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::vector<int> blob_dims(const TestSpec& spec) {
  if (spec.batch < 1) throw std::runtime_error("opencv-dnn: batch must be at least 1");
  if (spec.model.input_shape.empty()) throw std::runtime_error("opencv-dnn: the input shape is empty");
  std::vector<int> dims = {spec.batch};
  long long count = spec.batch;
  for (const auto dim : spec.model.input_shape) {
    if (dim < 1 || dim > INT_MAX) throw std::runtime_error("opencv-dnn: input dimensions must be from 1 to INT_MAX");
    count *= dim;
    if (count > INT_MAX) throw std::runtime_error("opencv-dnn: input tensor too large for OpenCV");
    dims.push_back(static_cast<int>(dim));
  }
  return dims;
}

class OpenCvSession : public Session {
 public:
  OpenCvSession(cv::dnn::Net net, std::vector<int> dims)
      : net_(std::move(net)), dims_(std::move(dims)), output_names_(net_.getUnconnectedOutLayersNames()) {
    count_ = 1;
    for (const int dim : dims_) count_ *= static_cast<std::size_t>(dim);
  }

  void infer(const float* input, std::size_t count) override {
    if (count != count_) throw std::invalid_argument("opencv-dnn: input has the wrong number of floats");
    try {
      // A header over the caller's buffer (OpenCV only reads it); setInput copies it into the network, as an
      // application's call would. Outputs land in Mats the session keeps, so OpenCV can reuse their memory.
      const cv::Mat blob(static_cast<int>(dims_.size()), dims_.data(), CV_32F, const_cast<float*>(input));
      net_.setInput(blob);
      net_.forward(outputs_, output_names_);  // named outputs: no per-request lookup of the layer list
    } catch (const cv::Exception& error) {
      throw std::runtime_error("opencv-dnn: inference failed: " + message_of(error));
    }
  }

  int threads_in_this_thread() override { return cv::getNumThreads(); }

  std::vector<float> last_output() const override {
    if (outputs_.empty()) return {};
    const cv::Mat& output = outputs_.front();
    if (!output.isContinuous() || output.type() != CV_32F) throw std::runtime_error("opencv-dnn: unexpected output layout");
    const auto* begin = output.ptr<float>();
    return std::vector<float>(begin, begin + output.total());
  }

 private:
  cv::dnn::Net net_;
  std::vector<int> dims_;  // batch, then the input shape
  std::size_t count_ = 0;
  std::vector<cv::String> output_names_;
  std::vector<cv::Mat> outputs_;
};

class OpenCvDnnFramework : public Framework {
 public:
  Capabilities describe() override { return {"opencv-dnn", std::string("OpenCV ") + CV_VERSION, kFormats, {"cpu"}}; }

  void configure(const TestSpec& spec) override {
    params_ = parse_params(spec.params);  // bad values fail before any load
    require_available(params_);
    // Each request in flight gets its share of `threads` (docs/methodology.md). The pool (TBB in Debian 12's
    // OpenCV 4.6) is one per process, shared by every request's parallel regions, so with several requests in
    // flight the catalogue allows only a share of 1: each request then computes in its own stream's thread.
    const int share = thread_share(spec);
    cv::setNumThreads(share);
    // OpenCV takes any count and silently runs with what its pool has: refuse what it would not honour.
    if (cv::getNumThreads() != share) {
      throw Unsupported("opencv-dnn: asked for " + std::to_string(share) + " threads, OpenCV runs " +
                        std::to_string(cv::getNumThreads()));
    }
  }

  std::unique_ptr<Session> load(const ModelFiles& files, const TestSpec& spec) override {
    require_file(files.model_path, "model");
    if (!files.config_path.empty()) require_file(files.config_path, "config");
    const std::string& format = spec.model.format;
    if (format == "caffe" && files.config_path.empty()) {
      throw std::runtime_error("opencv-dnn: a Caffe model needs its .prototxt as the config file");
    }
    const std::vector<int> dims = blob_dims(spec);
    try {
      cv::dnn::Net net = cv::dnn::readNet(files.model_path, files.config_path, format);
      if (net.empty()) throw std::runtime_error("opencv-dnn: no layers read from " + files.model_path);
      net.setPreferableBackend(params_.backend);
      net.setPreferableTarget(params_.target);
      // Shape inference for this batch and input shape: a mismatched shape is reported as a load error now
      // rather than by the first request. It computes no layer, so first-inference costs stay where they are.
      std::vector<int> layer_ids;
      std::vector<std::vector<cv::dnn::MatShape>> in_shapes, out_shapes;
      net.getLayersShapes(cv::dnn::MatShape(dims), layer_ids, in_shapes, out_shapes);
      return std::make_unique<OpenCvSession>(std::move(net), dims);
    } catch (const cv::Exception& error) {
      throw std::runtime_error("opencv-dnn: cannot load " + files.model_path + ": " + message_of(error));
    }
  }

  std::vector<std::pair<std::string, std::string>> details() override {
    return {{"backend", params_.backend_name}, {"target", params_.target_name},
            {"intra_op_threads", std::to_string(cv::getNumThreads())}};
  }

 private:
  static void require_file(const std::string& path, const char* what) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
      throw std::runtime_error(std::string("opencv-dnn: ") + what + " file not found: " + path);
    }
  }

  OpenCvParams params_;
};

}  // namespace

std::unique_ptr<Framework> make_opencv_framework() { return std::make_unique<OpenCvDnnFramework>(); }

}  // namespace dli::runner
