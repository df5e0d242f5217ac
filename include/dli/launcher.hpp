#pragma once
// Inference frameworks behind one interface. Adding a framework is one new file (src/launcher_<name>.cpp)
// and one line in src/launcher_registry.cpp.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dli/test_spec.hpp"

namespace dli {

// Local copies of the model files, already fetched and verified by the agent.
struct ModelFiles {
  std::string model_path;
  std::string config_path;  // empty when the format needs no second file
};

// One loaded model able to serve one request at a time. Several sessions may run concurrently
// (async mode), each on its own thread.
class InferenceSession {
 public:
  virtual ~InferenceSession() = default;
  // Copies `input` (batch x input_shape floats, NCHW) into the framework and runs one request to completion.
  // Called inside the timed loop: must not log, and should not allocate beyond what the framework does.
  virtual void infer(const float* input, std::size_t count) = 0;
};

struct LoadOptions {
  int batch = 1;
  int threads = 1;
  std::vector<std::int64_t> input_shape;  // without batch
  std::string format;
  std::string precision;
  std::map<std::string, std::string> params;
};

class Launcher {
 public:
  virtual ~Launcher() = default;
  virtual std::string name() const = 0;
  virtual std::string version() const = 0;  // framework version, recorded in results
  // Process-wide settings (thread pools); called once before any load.
  virtual void configure(int threads, const std::map<std::string, std::string>& params) = 0;
  // Throws std::runtime_error with a clear reason when the model cannot be loaded.
  virtual std::unique_ptr<InferenceSession> load(const ModelFiles& files, const LoadOptions& options) = 0;
  // Params this launcher understands; anything else is a config error.
  virtual std::vector<std::string> known_params() const = 0;
  // Model formats it can load (onnx, caffe, tensorflow, torchscript); the planner skips other pairs.
  virtual std::vector<std::string> formats() const = 0;
};

std::unique_ptr<Launcher> make_launcher(const std::string& name);  // nullptr when unknown
std::vector<std::string> launcher_names();

}  // namespace dli
