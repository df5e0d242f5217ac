#pragma once
// The runners dli knows (docs/runners.md, section 1): which executable serves a framework, which model formats it
// loads and which parameters it takes, with each parameter's rule. The planner validates a sweep against it
// without linking any framework; the C++ runners check their parameters with the same rules.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dli/protocol/test_spec.hpp"

namespace dli {

struct ParamRule {
  enum class Kind { kInteger, kNumber, kChoice, kText };
  std::string name;
  Kind kind = Kind::kText;
  double min = 0;  // kInteger, kNumber: inclusive bounds
  double max = 0;
  std::vector<std::string> choices;  // kChoice
  bool required = false;
};

struct RunnerEntry {
  std::string framework;             // the sweep's name: "libtorch"
  std::string executable;            // "dli-run-torch"
  std::vector<std::string> formats;  // "*": any
  std::vector<ParamRule> params;
  // The modes it implements (docs/runners.md, section 1); a test of another mode is skipped at plan time with the
  // reason, and refused by the runner, never measured as something else.
  std::vector<std::string> modes;
  // The most threads the framework can give each of several requests in flight (docs/methodology.md, "Threads and
  // requests in flight"); 0: any share. A framework whose thread pool is process-wide cannot give two requests
  // their own pools: 1, with `share_limit_reason` naming the limitation.
  int max_share_in_flight = 0;
  std::string share_limit_reason;
};

// Why `entry` cannot run `mode` ("onnxruntime does not implement mode server (it runs sync, async, accuracy)"), or
// nothing when it can.
std::optional<std::string> why_mode_unsupported(const RunnerEntry& entry, const std::string& mode);

// Why `entry` cannot give each of a test's requests in flight its share of `threads` (the division itself, or the
// framework's limit), or nothing when it can. Sync modes (one request in flight) always can.
std::optional<std::string> why_threads_unsupported(const RunnerEntry& entry, Mode mode, int threads, int requests);

const std::vector<RunnerEntry>& runner_catalogue();
const RunnerEntry* find_runner_entry(const std::string& framework);  // nullptr when unknown
std::vector<std::string> known_frameworks();

// The rule's complaint about `value` ("an integer from 1 to 1024"), or nullopt when it is fine.
std::optional<std::string> check_param_value(const ParamRule& rule, const std::string& value);
// Every problem with a set of params: unknown names, bad values, missing required ones; empty when valid.
std::vector<std::string> check_params(const RunnerEntry& entry, const std::map<std::string, std::string>& params);

// A test's params read by its framework's rules, for the C++ runners: what `plan` accepted is exactly what a runner
// reads, by one definition. The constructor throws std::invalid_argument with the first problem (unknown name, bad
// value, missing required one), in check_params' words.
class CheckedParams {
 public:
  CheckedParams(const std::string& framework, const std::map<std::string, std::string>& params);
  // The value of a kInteger or kNumber parameter; nothing when not given.
  std::optional<double> number(const std::string& name) const;
  // The value of a kChoice (one of its choices) or kText parameter; nothing when not given.
  std::optional<std::string> text(const std::string& name) const;

 private:
  const ParamRule& rule(const std::string& name, bool numeric) const;
  const RunnerEntry* entry_;
  std::map<std::string, std::string> params_;
};

// Formats the framework loads given its params (the command runner narrows "*" with its `formats` param).
std::vector<std::string> formats_for(const RunnerEntry& entry, const std::map<std::string, std::string>& params);

}  // namespace dli
