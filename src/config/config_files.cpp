#include "config_files.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "dli/config/config.hpp"
#include "dli/config/config_limits.hpp"

namespace dli::config_files {

namespace fs = std::filesystem;

std::string absolute_path(const std::string& path) {
  std::error_code ignored;  // absolute() fails only when the current directory is gone; keep the path as given then
  fs::path absolute = fs::absolute(path, ignored);
  if (absolute.empty()) absolute = path;
  return absolute.lexically_normal().string();
}

std::string folder_of(const std::string& file) { return fs::path(absolute_path(file)).parent_path().string(); }

std::string resolve(const std::string& text, const std::string& base_folder) {
  const fs::path path(text);
  if (path.is_absolute()) return path.lexically_normal().string();
  return (fs::path(base_folder) / path).lexically_normal().string();
}

std::optional<std::string> input_file_problem(const std::string& path) {
  std::error_code error;
  const auto status = fs::status(path, error);
  if (status.type() == fs::file_type::not_found) return "file '" + path + "' does not exist";
  if (error) return "cannot access '" + path + "': " + error.message();
  if (fs::is_directory(status)) return "'" + path + "' is a directory, expected a file";
  if (!fs::is_regular_file(status)) return "'" + path + "' is not a regular file";
  if (::access(path.c_str(), R_OK) != 0) return "file '" + path + "' is not readable: " + std::strerror(errno);
  return std::nullopt;
}

std::optional<std::string> dataset_problem(const std::string& path) {
  std::error_code error;
  const auto status = fs::status(path, error);
  if (status.type() == fs::file_type::not_found) return "dataset '" + path + "' does not exist";
  if (error) return "cannot access '" + path + "': " + error.message();
  if (fs::is_directory(status)) {
    if (input_file_problem((fs::path(path) / "labels.txt").string())) {
      return "dataset folder '" + path + "' has no readable labels.txt (docs/datasets.md)";
    }
    return std::nullopt;
  }
  if (fs::path(path).extension() != ".csv") return "dataset '" + path + "' is neither a folder nor a .csv file";
  return input_file_problem(path);
}

std::string read_config_file(const std::string& path) {
  if (auto problem = input_file_problem(path)) throw ConfigError({Diagnostic{path, 0, 0, "", "cannot read: " + *problem}});
  const auto too_big = [&path](const std::string& size) {
    return ConfigError({Diagnostic{path, 0, 0, "",
                                   "the file is " + size + ", larger than the limit of " +
                                       std::to_string(config_limits::kMaxFileBytes) +
                                       " bytes (16 MiB; docs/config.md, Limits)"}});
  };
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (!error && size > config_limits::kMaxFileBytes) throw too_big(std::to_string(size) + " bytes");
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) throw ConfigError({Diagnostic{path, 0, 0, "", "cannot open the file"}});
  // In pieces, stopping past the limit in case the file grows between the check and the read. Not into a buffer
  // of the limit's size: zeroing 16 MiB (and faulting its pages in) cost each run 0.05-0.2 s per file.
  std::string text;
  char piece[64 * 1024];
  while (in.read(piece, sizeof piece) || in.gcount() > 0) {
    text.append(piece, static_cast<std::size_t>(in.gcount()));
    if (text.size() > config_limits::kMaxFileBytes) throw too_big("more than that");
  }
  return text;
}

}  // namespace dli::config_files
