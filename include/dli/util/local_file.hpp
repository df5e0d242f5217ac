#pragma once
// Local files that readers must never see half-written (reports, a test's measurement, the agent's spool).
#include <functional>
#include <ostream>
#include <string>

#include "dli/util/result.hpp"

namespace dli {

// Writes `content` to a temporary name beside `path` (unique to this process), then renames it over `path`.
// Throws std::runtime_error or std::filesystem::filesystem_error on failure.
void write_file_atomically(const std::string& path, const std::string& content);

// The same for a file too large to hold in memory first (a run's page, its results.json): `write` streams the
// content into the temporary (buffered), which is renamed over `path` once `write` returned and the stream is
// flushed. An exception from `write` leaves `path` as it was and removes the temporary.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// The same, and durable: the file and its folder are flushed to stable storage (fsync) before it returns, so a
// power cut or a killed machine keeps either the old content or the new one. Throws std::runtime_error.
void write_file_durably(const std::string& path, const std::string& content);

// Writes `content` to a new file `path` readable by its owner only (mode 0600 from its creation, an existing file
// replaced, never reused with its old mode): credentials handed to an agent. The error says why it failed.
Result<void> write_private_file(const std::string& path, const std::string& content);

// Flushes a file's content, or a folder's entries after a rename into it, to stable storage. Throws.
void sync_path(const std::string& path);

}  // namespace dli
