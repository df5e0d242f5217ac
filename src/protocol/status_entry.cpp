#include "dli/protocol/status_entry.hpp"

#include <charconv>

#include <fmt/format.h>

namespace dli {

std::string status_entry_name(const std::string& host, std::uint64_t seq, HostState state) {
  return fmt::format("{}.{}.{}.json", host, seq, to_string(state));
}

std::optional<StatusEntry> parse_status_entry(const std::string& name) {
  // Parsed from the right: a host name may hold dots, a sequence number and a state never do.
  const std::string suffix = ".json";
  if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  const std::string stem = name.substr(0, name.size() - suffix.size());
  const auto state_dot = stem.rfind('.');
  if (state_dot == std::string::npos || state_dot == 0) return std::nullopt;
  const auto seq_dot = stem.rfind('.', state_dot - 1);
  if (seq_dot == std::string::npos || seq_dot == 0) return std::nullopt;
  StatusEntry entry;
  entry.host = stem.substr(0, seq_dot);
  const std::string digits = stem.substr(seq_dot + 1, state_dot - seq_dot - 1);
  if (digits.empty() || digits.size() > 19) return std::nullopt;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), entry.seq);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  try {
    entry.state = host_state_from_string(stem.substr(state_dot + 1));
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
  if (entry.host.front() == '.') return std::nullopt;  // the store's temporary files
  entry.name = name;
  return entry;
}

StatusListing latest_statuses(const std::vector<std::string>& names) {
  StatusListing listing;
  for (const auto& name : names) {
    auto entry = parse_status_entry(name);
    if (!entry) continue;
    auto [at, inserted] = listing.latest.emplace(entry->host, *entry);
    if (inserted) continue;
    StatusEntry& held = at->second;
    // Two writers can pick the same number (an agent and the integrator that declared it lost); the final word
    // is the one that ends the host's story.
    const bool newer = entry->seq > held.seq ||
                       (entry->seq == held.seq && host_finished(entry->state) && !host_finished(held.state));
    if (newer) {
      listing.superseded.push_back(held.name);
      held = *entry;
    } else {
      listing.superseded.push_back(entry->name);
    }
  }
  return listing;
}

}  // namespace dli
