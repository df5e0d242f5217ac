#pragma once
// Private to the config loaders: where things are, as a fleet file or a lab file names them (docs/config.md).
#include <optional>
#include <string>

#include "yaml_reader.hpp"

namespace dli::config_yaml {

// A store URL with a scheme, checked as the store will read it (check_store_url), without connecting.
std::optional<std::string> read_store_url(const Field& field, Problems& problems);

// The history database (docs/history.md): a file (relative to `base_folder`, made absolute), sqlite:///path, or a
// PostgreSQL URL without a password (libpq reads it from ~/.pgpass).
std::optional<std::string> read_history_location(const Field& field, const std::string& base_folder,
                                                 Problems& problems);

}  // namespace dli::config_yaml
