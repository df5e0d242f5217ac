#include "dli/util/captured_child.hpp"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

namespace dli {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string first_line(std::string text) {
  text = text.substr(0, text.find('\n'));
  return text.size() > 300 ? text.substr(0, 300) + "..." : text;
}

}  // namespace

CapturedChild run_captured(ChildOptions options) {
  CapturedChild captured;
  char folder[] = "/tmp/dli-captured-XXXXXX";
  if (::mkdtemp(folder) == nullptr) {
    captured.outcome.kind = ChildOutcome::Kind::kSpawnFailed;
    captured.outcome.error = "cannot make a temporary folder";
    return captured;
  }
  options.output_path = std::string(folder) + "/out";
  options.error_path = std::string(folder) + "/err";
  captured.outcome = run_child(options);
  captured.output = read_text(options.output_path);
  captured.complaint = first_line(read_text(options.error_path));
  std::error_code ignored;
  std::filesystem::remove_all(folder, ignored);
  return captured;
}

std::string why_no_answer(const CapturedChild& captured, double timeout_seconds) {
  const ChildOutcome& outcome = captured.outcome;
  switch (outcome.kind) {
    case ChildOutcome::Kind::kSpawnFailed: return outcome.error;
    case ChildOutcome::Kind::kTimedOut: return fmt::format("no answer within {:g} s", timeout_seconds);
    case ChildOutcome::Kind::kSignaled: return fmt::format("killed by signal {}", outcome.signal);
    case ChildOutcome::Kind::kExited: break;
  }
  if (outcome.exit_code == 0) return "";
  return fmt::format("exited with code {}{}", outcome.exit_code,
                     captured.complaint.empty() ? "" : ": " + captured.complaint);
}

}  // namespace dli
