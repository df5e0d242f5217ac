#pragma once
// Local files that readers must never see half-written (reports, a test's measurement).
#include <string>

namespace dli {

// Writes `content` to a temporary name beside `path` (unique to this process), then renames it over `path`.
// Throws std::runtime_error or std::filesystem::filesystem_error on failure.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace dli
