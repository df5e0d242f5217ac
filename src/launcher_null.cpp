// The "null" launcher: no inference at all. It measures the harness itself (timing overhead, orchestration) and
// injects faults so the agent can prove it records crashing, hanging and failing tests.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <thread>

#include "dli/launcher.hpp"
#include "dli/version.hpp"

namespace dli {
namespace {

enum class Fault { kNone, kCrash, kAbort, kHang, kExit };

struct NullParams {
  std::chrono::nanoseconds sleep{0};  // simulated work per request
  std::chrono::nanoseconds load{0};   // simulated load time
  Fault fault = Fault::kNone;
};

const std::vector<std::string> kParamNames = {"sleep_ms", "fault", "load_ms"};
constexpr double kMaxMilliseconds = 24.0 * 3600 * 1000;  // a day: beyond it a typo, and near nanosecond overflow

std::chrono::nanoseconds parse_milliseconds(const std::string& key, const std::string& text) {
  const auto bad = [&]() {
    return std::runtime_error("null launcher: " + key + " must be a number of milliseconds from 0 to " +
                              std::to_string(static_cast<long long>(kMaxMilliseconds)) + ", got '" + text + "'");
  };
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) throw bad();
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  // The whole text must be the number; NaN fails both comparisons.
  if (end != text.c_str() + text.size() || errno == ERANGE || !(value >= 0 && value <= kMaxMilliseconds)) throw bad();
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(value * 1e6)));
}

Fault parse_fault(const std::string& text) {
  if (text == "none") return Fault::kNone;
  if (text == "crash") return Fault::kCrash;
  if (text == "abort") return Fault::kAbort;
  if (text == "hang") return Fault::kHang;
  if (text == "exit") return Fault::kExit;
  throw std::runtime_error("null launcher: fault must be one of none, crash, abort, hang, exit; got '" + text + "'");
}

NullParams parse_params(const std::map<std::string, std::string>& params) {
  NullParams parsed;
  for (const auto& [key, value] : params) {
    if (key == "sleep_ms") {
      parsed.sleep = parse_milliseconds(key, value);
    } else if (key == "load_ms") {
      parsed.load = parse_milliseconds(key, value);
    } else if (key == "fault") {
      parsed.fault = parse_fault(value);
    } else {
      throw std::runtime_error("null launcher: unknown parameter '" + key + "' (known: sleep_ms, fault, load_ms)");
    }
  }
  return parsed;
}

// Ends (or blocks) the process the way a broken framework would. Says so first: the agent keeps the log's tail.
[[noreturn]] void inject(Fault fault) {
  switch (fault) {
    case Fault::kCrash:
      std::fprintf(stderr, "null launcher: fault=crash, raising SIGSEGV during load\n");
      std::fflush(stderr);
      std::signal(SIGSEGV, SIG_DFL);  // a handler installed by someone else must not turn it into anything milder
      std::raise(SIGSEGV);
      break;
    case Fault::kAbort:
      std::fprintf(stderr, "null launcher: fault=abort, calling std::abort during load\n");
      std::fflush(stderr);
      std::abort();
    case Fault::kHang:
      std::fprintf(stderr, "null launcher: fault=hang, blocking forever during load\n");
      std::fflush(stderr);
      for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
    case Fault::kExit:
      std::fprintf(stderr, "null launcher: fault=exit, exiting with code 3 during load\n");
      std::exit(3);
    case Fault::kNone:
      break;
  }
  std::abort();  // unreachable for real faults; kNone is never passed here
}

class NullSession : public InferenceSession {
 public:
  NullSession(std::size_t count, std::chrono::nanoseconds sleep) : count_(count), sleep_(sleep) {}

  void infer(const float* /*input*/, std::size_t count) override {
    if (count != count_) throw std::invalid_argument("null launcher: input has the wrong number of floats");
    if (sleep_.count() > 0) std::this_thread::sleep_for(sleep_);
  }

 private:
  std::size_t count_;
  std::chrono::nanoseconds sleep_;
};

class NullLauncher : public Launcher {
 public:
  std::string name() const override { return "null"; }
  std::string version() const override { return kVersion; }

  void configure(int threads, const std::map<std::string, std::string>& params) override {
    if (threads < 1) throw std::runtime_error("null launcher: threads must be at least 1");
    parse_params(params);  // bad values fail before any load
  }

  std::unique_ptr<InferenceSession> load(const ModelFiles& /*files*/, const LoadOptions& options) override {
    const NullParams params = parse_params(options.params);
    const auto known = formats();
    if (std::find(known.begin(), known.end(), options.format) == known.end()) {
      throw std::runtime_error("null launcher: unknown model format '" + options.format + "'");
    }
    if (options.batch < 1) throw std::runtime_error("null launcher: batch must be at least 1");
    if (options.input_shape.empty()) throw std::runtime_error("null launcher: the input shape is empty");
    std::size_t count = static_cast<std::size_t>(options.batch);
    for (const auto dim : options.input_shape) {
      if (dim < 1) throw std::runtime_error("null launcher: input dimensions must be at least 1");
      if (count > std::numeric_limits<std::size_t>::max() / static_cast<std::size_t>(dim)) {
        throw std::runtime_error("null launcher: input shape too large");
      }
      count *= static_cast<std::size_t>(dim);
    }
    if (params.load.count() > 0) std::this_thread::sleep_for(params.load);
    if (params.fault != Fault::kNone) inject(params.fault);
    return std::make_unique<NullSession>(count, params.sleep);
  }

  std::vector<std::string> known_params() const override { return kParamNames; }
  std::vector<std::string> formats() const override { return {"onnx", "caffe", "tensorflow", "torchscript"}; }
};

}  // namespace

std::unique_ptr<Launcher> make_null_launcher() { return std::make_unique<NullLauncher>(); }

}  // namespace dli
