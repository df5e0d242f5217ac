#pragma once
// Private to the config loaders: file paths named in YAML, and reading the YAML files themselves.
#include <optional>
#include <string>

namespace dli::config_files {

// Absolute and lexically normal ("a/../b" -> "b"), against the current directory when relative.
std::string absolute_path(const std::string& path);
// The folder holding `file`, which relative paths written inside that file are resolved against.
std::string folder_of(const std::string& file);
// `text` as written in a config file, made absolute against `base_folder` when relative.
std::string resolve(const std::string& text, const std::string& base_folder);
// Why `path` cannot serve as an input file (missing, a directory, unreadable), or nothing when it can.
std::optional<std::string> input_file_problem(const std::string& path);
// Why `path` cannot serve as an accuracy dataset (docs/datasets.md): a .csv file, or a folder with labels.txt.
std::optional<std::string> dataset_problem(const std::string& path);
// The whole file; throws ConfigError naming the path when it cannot be read.
std::string read_config_file(const std::string& path);

}  // namespace dli::config_files
