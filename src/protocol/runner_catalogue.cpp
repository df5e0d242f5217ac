// The known runners and their parameter rules (docs/runners.md, section 1).
#include "dli/protocol/runner_catalogue.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "dli/protocol/thread_share.hpp"

namespace dli {
namespace {

using Kind = ParamRule::Kind;

ParamRule integer(std::string name, double min, double max) { return {std::move(name), Kind::kInteger, min, max, {}, false}; }
ParamRule number(std::string name, double min, double max) { return {std::move(name), Kind::kNumber, min, max, {}, false}; }
ParamRule choice(std::string name, std::vector<std::string> choices) {
  return {std::move(name), Kind::kChoice, 0, 0, std::move(choices), false};
}
ParamRule text(std::string name, bool required) { return {std::move(name), Kind::kText, 0, 0, {}, required}; }

constexpr double kDayMs = 24.0 * 3600 * 1000;  // beyond a day a duration is a typo, and near nanosecond overflow
constexpr double kMaxThreads = 1024;

// The C++ runners share the timed loops (include/dli/measure), so they run every mode; the script runners and the
// command runner run the seed's modes.
const std::vector<std::string>& every_mode() {
  static const std::vector<std::string> modes = {"sync",         "async",  "accuracy", "single_stream",
                                                 "multi_stream", "server", "offline"};
  return modes;
}
const std::vector<std::string>& seed_modes() {
  static const std::vector<std::string> modes = {"sync", "async", "accuracy"};
  return modes;
}

// A framework whose sessions each have their own intra-op pool: any share of the threads per request in flight.
RunnerEntry runner(std::string framework, std::string executable, std::vector<std::string> formats,
                   std::vector<ParamRule> params, std::vector<std::string> modes) {
  return {std::move(framework), std::move(executable), std::move(formats), std::move(params), std::move(modes), 0, ""};
}

// A framework whose intra-op pool is one per process: with several requests in flight each can only honestly have
// one thread (the pool set to 1, each request computing in its own thread). Measured with OpenCV 4.6 (TBB): with 16
// threads and 2 requests in flight, one request got the pool and the other next to nothing (bimodal latencies).
RunnerEntry one_thread_per_request(RunnerEntry entry, std::string limitation) {
  entry.max_share_in_flight = 1;
  entry.share_limit_reason = std::move(limitation);
  return entry;
}

const char* const kOpenCvPool =
    "OpenCV's thread pool is one per process (TBB in Debian 12's OpenCV 4.6), shared by the parallel regions of "
    "every request, so a request in flight cannot have threads of its own";
const char* const kTorchPool =
    "torch's intra-op thread count (at::set_num_threads) is process-wide, not a per-request setting";

std::vector<RunnerEntry> make_catalogue() {
  return {
      runner("null", "dli-run-null", {"*"},
             {number("sleep_ms", 0, kDayMs), number("load_ms", 0, kDayMs),
              choice("fault", {"none", "crash", "abort", "hang", "exit", "eat_memory"})},
             every_mode()),
      one_thread_per_request(runner("opencv-dnn", "dli-run-opencv", {"onnx", "caffe", "tensorflow"},
                                    {choice("backend", {"opencv", "default", "cuda"}),
                                     choice("target", {"cpu", "opencl", "opencl-fp16", "cuda", "cuda-fp16"})},
                                    every_mode()),
                             kOpenCvPool),
      one_thread_per_request(runner("libtorch", "dli-run-torch", {"torchscript"},
                                    {integer("inter_op_threads", 1, kMaxThreads)}, every_mode()),
                             kTorchPool),
      runner("onnxruntime", "dli-run-onnxruntime", {"onnx"},
             {integer("inter_op_threads", 1, kMaxThreads), choice("execution_mode", {"sequential", "parallel"}),
              choice("graph_optimization_level", {"disabled", "basic", "extended", "all"})},
             seed_modes()),
      one_thread_per_request(runner("pytorch", "dli-run-pytorch", {"torchscript"},
                                    {integer("inter_op_threads", 1, kMaxThreads)}, seed_modes()),
                             kTorchPool),
      runner("command", "dli-run-command", {"*"},
             {text("command", true), text("formats", false), text("devices", false)}, seed_modes()),
  };
}

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

// The whole text must be a decimal number, as in YAML: strtod alone would also take hex, "inf" and "nan".
std::optional<double> parse_number(const std::string& text) {
  if (text.empty() || text.size() > 64 || text.find_first_not_of("0123456789.eE+-") != std::string::npos) {
    return std::nullopt;
  }
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  for (const char c : text + ",") {
    if (c == ',') {
      const auto first = item.find_first_not_of(' ');
      if (first != std::string::npos) items.push_back(item.substr(first, item.find_last_not_of(' ') - first + 1));
      item.clear();
    } else {
      item += c;
    }
  }
  return items;
}

}  // namespace

std::optional<std::string> why_mode_unsupported(const RunnerEntry& entry, const std::string& mode) {
  if (std::find(entry.modes.begin(), entry.modes.end(), mode) != entry.modes.end()) return std::nullopt;
  return entry.framework + " does not implement mode " + mode + " (it runs " + join(entry.modes) + ")";
}

std::optional<std::string> why_threads_unsupported(const RunnerEntry& entry, Mode mode, int threads, int requests) {
  const int in_flight = requests_in_flight(mode, requests);
  if (const auto why = why_share_impossible(threads, in_flight)) return entry.framework + ": " + *why;
  const int share = threads / in_flight;
  if (in_flight < 2 || entry.max_share_in_flight == 0 || share <= entry.max_share_in_flight) return std::nullopt;
  return fmt::format(
      "{} cannot give each of {} requests in flight {} threads: {}; with requests in flight it runs {} thread(s) "
      "per request (threads = {} x requests)",
      entry.framework, in_flight, share, entry.share_limit_reason, entry.max_share_in_flight,
      entry.max_share_in_flight);
}

const std::vector<RunnerEntry>& runner_catalogue() {
  static const std::vector<RunnerEntry> catalogue = make_catalogue();
  return catalogue;
}

const RunnerEntry* find_runner_entry(const std::string& framework) {
  for (const auto& entry : runner_catalogue()) {
    if (entry.framework == framework) return &entry;
  }
  return nullptr;
}

std::vector<std::string> known_frameworks() {
  std::vector<std::string> names;
  for (const auto& entry : runner_catalogue()) names.push_back(entry.framework);
  return names;
}

std::optional<std::string> check_param_value(const ParamRule& rule, const std::string& value) {
  switch (rule.kind) {
    case Kind::kInteger: {
      const auto parsed = parse_number(value);
      if (parsed && *parsed >= rule.min && *parsed <= rule.max && std::floor(*parsed) == *parsed) return std::nullopt;
      return fmt::format("an integer from {} to {}, got '{}'", rule.min, rule.max, value);
    }
    case Kind::kNumber: {
      const auto parsed = parse_number(value);
      if (parsed && *parsed >= rule.min && *parsed <= rule.max) return std::nullopt;
      return fmt::format("a number from {} to {}, got '{}'", rule.min, rule.max, value);
    }
    case Kind::kChoice:
      if (std::find(rule.choices.begin(), rule.choices.end(), value) != rule.choices.end()) return std::nullopt;
      return fmt::format("one of {}, got '{}'", join(rule.choices), value);
    case Kind::kText:
      if (!rule.required || !value.empty()) return std::nullopt;
      return std::string("a non-empty text");
  }
  return std::nullopt;
}

std::vector<std::string> check_params(const RunnerEntry& entry,
                                      const std::map<std::string, std::string>& params) {
  std::vector<std::string> problems;
  for (const auto& param : params) {
    // Named, not a structured binding: a lambda may not capture a binding in C++17 (clang refuses it).
    const std::string& name = param.first;
    const std::string& value = param.second;
    const auto rule = std::find_if(entry.params.begin(), entry.params.end(),
                                   [&](const ParamRule& each) { return each.name == name; });
    if (rule == entry.params.end()) {
      std::vector<std::string> known;
      for (const auto& each : entry.params) known.push_back(each.name);
      problems.push_back(fmt::format("unknown parameter '{}' for {} ({})", name, entry.framework,
                                     known.empty() ? "it takes none" : "known: " + join(known)));
    } else if (const auto complaint = check_param_value(*rule, value)) {
      problems.push_back(fmt::format("{}: expected {}", name, *complaint));
    }
  }
  for (const auto& rule : entry.params) {
    const bool given = std::any_of(params.begin(), params.end(), [&](const auto& each) { return each.first == rule.name; });
    if (rule.required && !given) problems.push_back(fmt::format("{} needs the parameter '{}'", entry.framework, rule.name));
  }
  return problems;
}

CheckedParams::CheckedParams(const std::string& framework, const std::map<std::string, std::string>& params)
    : entry_(find_runner_entry(framework)), params_(params) {
  if (!entry_) throw std::invalid_argument("no runner rules for framework '" + framework + "'");
  const auto problems = check_params(*entry_, params_);
  if (!problems.empty()) throw std::invalid_argument(problems.front());
}

const ParamRule& CheckedParams::rule(const std::string& name, bool numeric) const {
  for (const auto& each : entry_->params) {
    const bool is_numeric = each.kind == Kind::kInteger || each.kind == Kind::kNumber;
    if (each.name == name && is_numeric == numeric) return each;
  }
  // A runner asking for a parameter its catalogue entry does not define, or as another kind: a programming error.
  throw std::logic_error(fmt::format("{} has no {} parameter '{}' in the runner catalogue", entry_->framework,
                                     numeric ? "numeric" : "text", name));
}

std::optional<double> CheckedParams::number(const std::string& name) const {
  rule(name, true);
  const auto found = params_.find(name);
  if (found == params_.end()) return std::nullopt;
  return parse_number(found->second);  // checked by the constructor
}

std::optional<std::string> CheckedParams::text(const std::string& name) const {
  rule(name, false);
  const auto found = params_.find(name);
  if (found == params_.end()) return std::nullopt;
  return found->second;
}

std::vector<std::string> formats_for(const RunnerEntry& entry,
                                     const std::map<std::string, std::string>& params) {
  for (const auto& [name, value] : params) {
    if (name == "formats" && entry.formats == std::vector<std::string>{"*"}) return split_list(value);
  }
  return entry.formats;
}

}  // namespace dli
