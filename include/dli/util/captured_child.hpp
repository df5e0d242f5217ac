#pragma once
// A short helper command whose standard output is its answer (a runner's `describe`, dli-gemm-peak): run by
// run_child with its output and its error output kept apart, in a temporary folder removed afterwards.
#include <string>

#include "dli/util/child_process.hpp"

namespace dli {

struct CapturedChild {
  ChildOutcome outcome;
  std::string output;     // all it printed on standard output
  std::string complaint;  // the first line of its error output, at most 300 characters (then "...")
};

// `options` as for run_child; its output_path and error_path are replaced.
CapturedChild run_captured(ChildOptions options);

// Empty when it exited with 0; otherwise why it gave no answer ("exited with code 3: <complaint>", "killed by
// signal 9", "no answer within 10 s", the spawn's error).
std::string why_no_answer(const CapturedChild& captured, double timeout_seconds);

}  // namespace dli
