// The "opencv-dnn" launcher: OpenCV's DNN module (ONNX, Caffe and TensorFlow importers), one cv::dnn::Net per
// session.
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

#include "dli/launcher.hpp"

namespace dli {
namespace {

const std::vector<std::string> kParamNames = {"backend", "target"};
const std::vector<std::string> kFormats = {"onnx", "caffe", "tensorflow"};

// Names users write for OpenCV's enums; which ones this build can run is asked at load time.
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
  std::string names;
  for (const auto& [name, value] : table) {
    if (name == text) return value;
    names += (names.empty() ? "" : ", ") + name;
  }
  throw std::runtime_error("opencv-dnn: " + what + " must be one of " + names + "; got '" + text + "'");
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

OpenCvParams parse_params(const std::map<std::string, std::string>& params) {
  OpenCvParams parsed;
  for (const auto& [key, value] : params) {
    if (key == "backend") {
      parsed.backend = lookup(kBackends, "backend", value);
      parsed.backend_name = value;
    } else if (key == "target") {
      parsed.target = lookup(kTargets, "target", value);
      parsed.target_name = value;
    } else {
      throw std::runtime_error("opencv-dnn: unknown parameter '" + key + "' (known: backend, target)");
    }
  }
  return parsed;
}

// OpenCV silently falls back to the CPU for a target it cannot run: refuse instead, or results would be mislabelled.
void require_available(const OpenCvParams& params) {
  const auto targets = cv::dnn::getAvailableTargets(params.backend);
  if (std::find(targets.begin(), targets.end(), params.target) != targets.end()) return;
  std::string available;
  for (const auto target : targets) available += (available.empty() ? "" : ", ") + name_of(kTargets, target);
  throw std::runtime_error("opencv-dnn: target '" + params.target_name + "' is not available with backend '" +
                           params.backend_name + "' in this OpenCV build (available: " +
                           (available.empty() ? "none" : available) + ")");
}

// OpenCV's message without its trailing newline.
std::string message_of(const cv::Exception& error) {
  std::string text = error.what();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::vector<int> blob_dims(const LoadOptions& options) {
  if (options.batch < 1) throw std::runtime_error("opencv-dnn: batch must be at least 1");
  if (options.input_shape.empty()) throw std::runtime_error("opencv-dnn: the input shape is empty");
  std::vector<int> dims = {options.batch};
  long long count = options.batch;
  for (const auto dim : options.input_shape) {
    if (dim < 1 || dim > INT_MAX) throw std::runtime_error("opencv-dnn: input dimensions must be from 1 to INT_MAX");
    count *= dim;
    if (count > INT_MAX) throw std::runtime_error("opencv-dnn: input tensor too large for OpenCV");
    dims.push_back(static_cast<int>(dim));
  }
  return dims;
}

class OpenCvSession : public InferenceSession {
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

  const std::vector<cv::Mat>& outputs() const { return outputs_; }

 private:
  cv::dnn::Net net_;
  std::vector<int> dims_;  // batch, then the input shape
  std::size_t count_ = 0;
  std::vector<cv::String> output_names_;
  std::vector<cv::Mat> outputs_;
};

class OpenCvDnnLauncher : public Launcher {
 public:
  std::string name() const override { return "opencv-dnn"; }
  std::string version() const override { return std::string("OpenCV ") + CV_VERSION; }

  void configure(int threads, const std::map<std::string, std::string>& params) override {
    if (threads < 1) throw std::runtime_error("opencv-dnn: threads must be at least 1");
    parse_params(params);  // bad values fail before any load
    cv::setNumThreads(threads);
  }

  std::unique_ptr<InferenceSession> load(const ModelFiles& files, const LoadOptions& options) override {
    const OpenCvParams params = parse_params(options.params);
    if (std::find(kFormats.begin(), kFormats.end(), options.format) == kFormats.end()) {
      throw std::runtime_error("opencv-dnn: cannot load format '" + options.format + "' (it loads onnx, caffe, tensorflow)");
    }
    require_file(files.model_path, "model");
    if (!files.config_path.empty()) require_file(files.config_path, "config");
    if (options.format == "caffe" && files.config_path.empty()) {
      throw std::runtime_error("opencv-dnn: a Caffe model needs its .prototxt as the config file");
    }
    const std::vector<int> dims = blob_dims(options);
    require_available(params);
    try {
      cv::dnn::Net net = cv::dnn::readNet(files.model_path, files.config_path, options.format);
      if (net.empty()) throw std::runtime_error("opencv-dnn: no layers read from " + files.model_path);
      net.setPreferableBackend(params.backend);
      net.setPreferableTarget(params.target);
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

  std::vector<std::string> known_params() const override { return kParamNames; }
  std::vector<std::string> formats() const override { return kFormats; }

 private:
  static void require_file(const std::string& path, const char* what) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
      throw std::runtime_error(std::string("opencv-dnn: ") + what + " file not found: " + path);
    }
  }
};

}  // namespace

std::unique_ptr<Launcher> make_opencv_dnn_launcher() { return std::make_unique<OpenCvDnnLauncher>(); }

// For tests comparing outputs with a reference: the first output of the last request, flattened.
// Throws std::invalid_argument when `session` is not an opencv-dnn session.
std::vector<float> opencv_dnn_output(const InferenceSession& session) {
  const auto* opencv = dynamic_cast<const OpenCvSession*>(&session);
  if (opencv == nullptr) throw std::invalid_argument("not an opencv-dnn session");
  if (opencv->outputs().empty()) return {};
  const cv::Mat output = opencv->outputs().front();
  if (!output.isContinuous() || output.type() != CV_32F) throw std::runtime_error("unexpected output layout");
  const auto* begin = output.ptr<float>();
  return std::vector<float>(begin, begin + output.total());
}

}  // namespace dli
