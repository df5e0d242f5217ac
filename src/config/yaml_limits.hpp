#pragma once
// Private to the config loaders: the size limits of a YAML text (include/dli/config/config_limits.hpp), checked on
// the parser's events before any node is built. yaml-cpp builds every node in memory, a few hundred bytes each, so
// a 16 MiB file of one-character list items would take gigabytes: the nodes are counted first, without keeping any.
#include <string>

#include "yaml_reader.hpp"

namespace dli::config_yaml {

// Reports texts longer than the limit (each, with its key path) and stops at the first list or map with too many
// entries, too many values in the file, or too deep nesting. Also reports YAML syntax errors. True when the text
// is within every limit and parses.
bool check_yaml_limits(const std::string& text, Problems& problems);

}  // namespace dli::config_yaml
