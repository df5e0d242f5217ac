#pragma once
// The command line of dli-run-command (docs/command-runner.md): a pattern with {placeholders}, each replaced by its
// value as one shell word. Pure functions, no I/O.
#include <map>
#include <string>

namespace dli::command_runner {

// `text` as one POSIX shell word: in single quotes, each ' written as '\''. The empty string gives ''.
std::string shell_quote(const std::string& text);

// Replaces each {name} in `pattern` with shell_quote(values.at(name)); `{{` is a literal `{` and `}}` a literal `}`.
// Everything else is copied as it is, for /bin/sh -c to read.
// Throws std::invalid_argument, naming the problem and its position, for a name that is not a key of `values`
// ("unknown placeholder {modle}"), an empty or malformed name, a `{` that is never closed or a lone `}`.
std::string expand_command(const std::string& pattern, const std::map<std::string, std::string>& values);

}  // namespace dli::command_runner
