// The one rule for names that become store key segments (include/dli/protocol/names.hpp).
#include "dli/protocol/names.hpp"

#include <fmt/format.h>

namespace dli {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

// A character as a message can show it: control and non-ASCII bytes in hex, so that nothing invisible is printed.
std::string shown(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte >= 0x7f) return fmt::format("the byte 0x{:02x}", byte);
  if (c == ' ') return "a space";
  return fmt::format("the character '{}'", c);
}

}  // namespace

namespace {

std::optional<std::string> problem_within(std::string_view name, std::size_t max_bytes) {
  if (name.empty()) return "it is empty";
  if (name.size() > max_bytes) return fmt::format("it is {} bytes long, longer than {}", name.size(), max_bytes);
  for (const char c : name) {
    if (!is_name_char(c)) return shown(c) + " is not allowed";
  }
  if (name.front() == '.') return "it starts with '.'";
  if (name.front() == '-') return "it starts with '-'";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> name_problem(std::string_view name) { return problem_within(name, kMaxNameBytes); }
std::optional<std::string> run_id_problem(std::string_view run_id) { return problem_within(run_id, kMaxRunIdBytes); }

std::string name_rule() {
  return fmt::format("1 to {} letters, digits, '_', '.' or '-', not starting with '.' or '-'", kMaxNameBytes);
}

}  // namespace dli
