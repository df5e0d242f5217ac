#pragma once
// What a C++ runner implements: one framework behind a small interface. runner_main (runner_main.hpp) does the
// rest the same way for every framework: the runner protocol (docs/runners.md), the timed loops, the statistics.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "dli/measure/measurement.hpp"
#include "dli/protocol/test_spec.hpp"

namespace dli::runner {

// The framework, this build or this host cannot do what the test asks (format, device, parameter value):
// the test is recorded `unsupported` with this message, never measured as something else.
class Unsupported : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Local copies of the model files, fetched and verified by the agent.
struct ModelFiles {
  std::string model_path;
  std::string config_path;  // empty when the format needs no second file
};

// What `<runner> describe` reports (docs/runners.md, "describe").
struct Capabilities {
  std::string framework;                 // the sweep's name for it: "opencv-dnn", "libtorch", ...
  std::string version;                   // the framework's own version, e.g. "OpenCV 4.6.0"
  std::vector<std::string> formats;      // model formats it loads
  std::vector<std::string> devices;      // devices usable on this host now: "cpu", "cuda:0", ...
};

// One loaded model serving one request at a time. In async mode several sessions run at once, each on its own
// thread.
class Session : public TimedRequest {
 public:
  // infer(input, count): copies `input` (batch x input shape floats, NCHW) into the framework, runs one request to
  // completion and has its output ready on the host. Called inside the timed loop: must not log, and should not
  // allocate beyond what the framework itself does.
  // The first output of the last infer(), flattened (batch x outputs per image). Outside timed loops only
  // (accuracy, reference checks).
  virtual std::vector<float> last_output() const = 0;
};

class Framework {
 public:
  virtual ~Framework() = default;
  virtual Capabilities describe() = 0;
  // Process-wide settings (thread pools) from the spec; checks the spec's params. Called once, before any load.
  // Throws Unsupported, or std::runtime_error for a bad request.
  virtual void configure(const TestSpec& spec) = 0;
  // Loads one session for the spec's model, batch, device and params. Throws Unsupported or std::runtime_error.
  virtual std::unique_ptr<Session> load(const ModelFiles& files, const TestSpec& spec) = 0;
  // Details recorded with the result (docs/runners.md, "details"): how the framework was set up for this test,
  // e.g. {"intra_op_threads": "2", "input_memory": "pageable"}. Called after the timed loops.
  virtual std::vector<std::pair<std::string, std::string>> details() { return {}; }
};

}  // namespace dli::runner
