// Diagnostics, the error that carries them, and the Mode enum shared by the fleet and sweep loaders.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dli/config.hpp"

namespace dli {
namespace {

std::string join_lines(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const auto& diagnostic : diagnostics) {
    if (!text.empty()) text += '\n';
    text += diagnostic.str();
  }
  return text;
}

}  // namespace

std::string Diagnostic::str() const {
  std::string text = file;
  if (line > 0) text += ":" + std::to_string(line) + ":" + std::to_string(column);
  text += ": ";
  if (!key.empty()) text += key + ": ";
  return text + message;
}

ConfigError::ConfigError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_lines(diagnostics)), diagnostics_(std::move(diagnostics)) {}

std::string to_string(Mode mode) { return mode == Mode::kAsync ? "async" : "sync"; }

Mode mode_from_string(const std::string& text) {
  if (text == "sync") return Mode::kSync;
  if (text == "async") return Mode::kAsync;
  throw std::invalid_argument("unknown mode '" + text + "' (expected sync or async)");
}

}  // namespace dli
