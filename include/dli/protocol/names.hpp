#pragma once
// Names that become one segment of a store key or a local path: host names (runs/<run>/hosts/<host>/), sweep names
// (inside run ids), model names (test labels, report rows). One rule for all of them, so that whatever the
// configuration accepts can be written to every store and every file system (docs/config.md, "Names").
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dli {

// Long enough for any real host or model name; short enough that a run id (YYYYMMDD-HHMMSS-<sweep name>-N) and
// every key built from names stay far below the 255-byte limit of a path segment.
inline constexpr std::size_t kMaxNameBytes = 64;

// Why `name` is not usable as a name, e.g. "the character '/' is not allowed", or nothing when it is. A name is 1 to
// kMaxNameBytes of A-Z a-z 0-9 '_' '.' '-', not starting with '.' (hidden files, "." and "..") or '-' (it would read
// as an option on a command line).
std::optional<std::string> name_problem(std::string_view name);
inline bool is_valid_name(std::string_view name) { return !name_problem(name).has_value(); }

// A run id, "YYYYMMDD-HHMMSS-<sweep name>[-N]": the same characters, at most kMaxRunIdBytes.
inline constexpr std::size_t kMaxRunIdBytes = kMaxNameBytes + 32;
std::optional<std::string> run_id_problem(std::string_view run_id);

// The rule in words, for messages: "1 to 64 letters, digits, '_', '.' or '-', not starting with '.' or '-'".
std::string name_rule();

}  // namespace dli
