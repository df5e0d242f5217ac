#include "expand_command.hpp"

#include <stdexcept>

namespace dli::command_runner {

namespace {

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

std::string known_names(const std::map<std::string, std::string>& values) {
  std::string names;
  for (const auto& [name, value] : values) names += (names.empty() ? "{" : ", {") + name + "}";
  return names;
}

[[noreturn]] void refuse(const std::string& what, std::size_t position) {
  throw std::invalid_argument(what + " at position " + std::to_string(position));
}

}  // namespace

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string expand_command(const std::string& pattern, const std::map<std::string, std::string>& values) {
  std::string line;
  std::size_t at = 0;
  while (at < pattern.size()) {
    const char c = pattern[at];
    if (c == '}') {
      if (at + 1 < pattern.size() && pattern[at + 1] == '}') {
        line += '}';
        at += 2;
        continue;
      }
      refuse("unbalanced '}' (write }} for a literal brace)", at);
    }
    if (c != '{') {
      line += c;
      ++at;
      continue;
    }
    if (at + 1 < pattern.size() && pattern[at + 1] == '{') {
      line += '{';
      at += 2;
      continue;
    }
    const std::size_t close = pattern.find('}', at + 1);
    if (close == std::string::npos) refuse("unbalanced '{' (write {{ for a literal brace)", at);
    const std::string name = pattern.substr(at + 1, close - at - 1);
    if (name.empty()) refuse("empty placeholder {}", at);
    for (char n : name) {
      if (!is_name_char(n)) {
        refuse("malformed placeholder {" + name + "} (names are lower-case letters, digits and _; write {{ for a "
               "literal brace)", at);
      }
    }
    const auto value = values.find(name);
    if (value == values.end()) refuse("unknown placeholder {" + name + "} (known: " + known_names(values) + ")", at);
    line += shell_quote(value->second);
    at = close + 1;
  }
  return line;
}

}  // namespace dli::command_runner
