// The "null" framework: no inference at all. It measures the harness itself (timing overhead, orchestration) and
// injects faults so the agent can prove it records crashing, hanging and failing tests.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "dli/protocol/runner_catalogue.hpp"
#include "dli/protocol/thread_share.hpp"
#include "dli/util/version.hpp"
#include "null_framework.hpp"

namespace dli::runner {
namespace {

enum class Fault { kNone, kCrash, kAbort, kHang, kExit, kEatMemory };

struct NullParams {
  std::chrono::nanoseconds sleep{0};  // simulated work per request
  std::chrono::nanoseconds load{0};   // simulated load time
  Fault fault = Fault::kNone;
};

// Milliseconds within the catalogue's bounds (at most a day), so the conversion to nanoseconds cannot overflow.
std::chrono::nanoseconds nanoseconds_of(double milliseconds) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(milliseconds * 1e6)));
}

// The catalogue names the faults; this is what each one does. A name without a meaning here is a programming error.
Fault fault_named(const std::string& text) {
  if (text == "none") return Fault::kNone;
  if (text == "crash") return Fault::kCrash;
  if (text == "abort") return Fault::kAbort;
  if (text == "hang") return Fault::kHang;
  if (text == "exit") return Fault::kExit;
  if (text == "eat_memory") return Fault::kEatMemory;
  throw std::logic_error("dli-run-null: the runner catalogue's fault '" + text + "' is not implemented");
}

// By the runner catalogue's rules (src/protocol/runner_catalogue.cpp), the same that `plan` checked.
NullParams parse_params(const std::map<std::string, std::string>& params) {
  CheckedParams checked = [&] {
    try {
      return CheckedParams("null", params);
    } catch (const std::invalid_argument& error) {
      throw std::runtime_error(std::string("dli-run-null: ") + error.what());
    }
  }();
  NullParams parsed;
  if (const auto ms = checked.number("sleep_ms")) parsed.sleep = nanoseconds_of(*ms);
  if (const auto ms = checked.number("load_ms")) parsed.load = nanoseconds_of(*ms);
  if (const auto fault = checked.text("fault")) parsed.fault = fault_named(*fault);
  return parsed;
}

// Allocates and touches memory until an allocation fails, as a framework given too large a model would; the
// std::bad_alloc leaves like a framework's. Only under an address-space limit, and one well below this machine's
// memory: without it the host, not the test, would run out (the kernel's OOM killer picks any process).
[[noreturn]] void eat_memory() {
  rlimit limit{};
  const auto physical = static_cast<unsigned long long>(::sysconf(_SC_PHYS_PAGES)) *
                        static_cast<unsigned long long>(::sysconf(_SC_PAGESIZE));
  if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > physical / 2) {
    throw std::runtime_error(
        "dli-run-null: fault=eat_memory needs a memory limit (measure.memory_limit_mb) below half of this "
        "machine's memory, so that it exhausts the test and not the host");
  }
  std::fprintf(stderr, "dli-run-null: fault=eat_memory, allocating until the address-space limit of %llu MiB stops it\n",
               static_cast<unsigned long long>(limit.rlim_cur) >> 20);
  std::fflush(stderr);
  constexpr std::size_t kBlock = std::size_t{16} << 20;
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<std::unique_ptr<char[]>> eaten;
  eaten.reserve(limit.rlim_cur / kBlock + 1);  // so that the vector itself never needs to grow
  for (;;) {
    eaten.push_back(std::unique_ptr<char[]>(new char[kBlock]));  // throws std::bad_alloc at the limit
    // Touched page by page through a volatile pointer: resident, not just reserved, and not optimised away.
    volatile char* bytes = eaten.back().get();
    for (std::size_t at = 0; at < kBlock; at += page) bytes[at] = 1;
  }
}

// Ends (or blocks) the process the way a broken framework would. Says so first: the agent keeps the log's tail.
[[noreturn]] void inject(Fault fault) {
  switch (fault) {
    case Fault::kCrash:
      std::fprintf(stderr, "dli-run-null: fault=crash, raising SIGSEGV during load\n");
      std::fflush(stderr);
      std::signal(SIGSEGV, SIG_DFL);  // a handler installed by someone else must not turn it into anything milder
      std::raise(SIGSEGV);
      break;
    case Fault::kAbort:
      std::fprintf(stderr, "dli-run-null: fault=abort, calling std::abort during load\n");
      std::fflush(stderr);
      std::abort();
    case Fault::kHang:
      std::fprintf(stderr, "dli-run-null: fault=hang, blocking forever during load\n");
      std::fflush(stderr);
      for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
    case Fault::kExit:
      std::fprintf(stderr, "dli-run-null: fault=exit, exiting with code 3 during load\n");
      std::exit(3);
    case Fault::kEatMemory:
      eat_memory();
    case Fault::kNone:
      break;
  }
  std::abort();  // unreachable for real faults; kNone is never passed here
}

class NullSession : public Session {
 public:
  NullSession(std::size_t count, std::chrono::nanoseconds sleep, int threads)
      : count_(count), sleep_(sleep), threads_(threads) {}

  void infer(const float* /*input*/, std::size_t count) override {
    if (count != count_) throw std::invalid_argument("dli-run-null: input has the wrong number of floats");
    if (sleep_.count() > 0) std::this_thread::sleep_for(sleep_);
  }

  std::vector<float> last_output() const override { return {}; }  // computes nothing

  // No pool to ask: it reports the share it was given, so the division itself can be checked end to end.
  int threads_in_this_thread() override { return threads_; }

 private:
  std::size_t count_;
  std::chrono::nanoseconds sleep_;
  int threads_;
};

class NullFramework : public Framework {
 public:
  Capabilities describe() override { return {"null", std::string("dli ") + kVersion, {"*"}, {"cpu"}}; }

  void configure(const TestSpec& spec) override {
    parse_params(spec.params);  // bad values fail before any load
  }

  std::unique_ptr<Session> load(const ModelFiles& /*files*/, const TestSpec& spec) override {
    const NullParams params = parse_params(spec.params);
    if (spec.batch < 1) throw std::runtime_error("dli-run-null: batch must be at least 1");
    if (spec.model.input_shape.empty()) throw std::runtime_error("dli-run-null: the input shape is empty");
    std::size_t count = static_cast<std::size_t>(spec.batch);
    for (const auto dim : spec.model.input_shape) {
      if (dim < 1) throw std::runtime_error("dli-run-null: input dimensions must be at least 1");
      if (count > std::numeric_limits<std::size_t>::max() / static_cast<std::size_t>(dim)) {
        throw std::runtime_error("dli-run-null: input shape too large");
      }
      count *= static_cast<std::size_t>(dim);
    }
    if (params.load.count() > 0) std::this_thread::sleep_for(params.load);
    if (params.fault != Fault::kNone) inject(params.fault);
    return std::make_unique<NullSession>(count, params.sleep, thread_share(spec));
  }
};

}  // namespace

std::unique_ptr<Framework> make_null_framework() { return std::make_unique<NullFramework>(); }

}  // namespace dli::runner
