#pragma once
// Test support: a host's newest heartbeat document, read straight from a store's folder on this machine
// (runs/<run>/status/<host>.<seq>.<state>.json, docs/protocol.md 4.4). Empty when there is none.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dli/protocol/status_entry.hpp"

namespace dli::testing {

inline std::string latest_status_document(const std::string& store_dir, const std::string& run_id,
                                          const std::string& host) {
  const std::filesystem::path folder = std::filesystem::path(store_dir) / "runs" / run_id / "status";
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    names.push_back(entry.path().filename().string());
  }
  const StatusListing listing = latest_statuses(names);
  const auto found = listing.latest.find(host);
  if (found == listing.latest.end()) return "";
  std::ifstream in(folder / found->second.name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace dli::testing
