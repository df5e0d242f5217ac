#include "dli/status/status_board.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "dli/util/clock.hpp"

namespace dli {

Result<StatusListing> StatusBoard::scan() {
  auto names = store_.list(layout::status_dir(run_id_));
  if (!names) return names.error();
  return latest_statuses(names.value());
}

Result<HostStatus> StatusBoard::read(const StatusEntry& entry) {
  const std::string key = layout::status_entry(run_id_, entry.name);
  auto text = store_.get(key);
  if (!text) return text.error();
  try {
    return host_status_from_json(nlohmann::json::parse(text.value()));
  } catch (const std::exception& error) {
    return Error{fmt::format("{}: {}", key, error.what())};
  }
}

Result<std::map<std::string, HostStatus>> StatusBoard::read_all(std::vector<std::string>& problems) {
  auto listing = scan();
  if (!listing) return listing.error();
  std::map<std::string, HostStatus> statuses;
  for (const auto& [host, entry] : listing.value().latest) {
    auto status = read(entry);
    if (!status) {
      problems.push_back(status.error().message);
      continue;
    }
    statuses.emplace(host, std::move(status).value());
  }
  return statuses;
}

void StatusWriter::continue_after(const StatusListing& listing) {
  for (const auto& name : listing.superseded) {
    const auto entry = parse_status_entry(name);
    if (entry && entry->host == host_) replaced_.push_back(name);
  }
  if (const auto latest = listing.latest.find(host_); latest != listing.latest.end()) {
    seq_ = std::max(seq_, latest->second.seq);
    replaced_.push_back(latest->second.name);
  }
}

Status StatusWriter::continue_after_store() {
  auto listing = StatusBoard(store_, run_id_).scan();
  if (!listing) return listing.error();
  continue_after(listing.value());
  return {};
}

Status StatusWriter::write(HostStatus status) {
  status.updated_at = utc_now_iso8601();
  std::uint64_t next = seq_ + 1;
  if (clock_numbers_) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    next = std::max(next, static_cast<std::uint64_t>(now.count()));
  }
  const std::string name = status_entry_name(host_, next, status.state);
  const std::string key = layout::status_entry(run_id_, name);
  const std::string document = to_json(status).dump(1);
  Status written = store_.put(key, document);
  if (!written && written.error().kind == ErrorKind::kNoSpace && !replaced_.empty()) {
    (void)store_.remove(layout::status_entry(run_id_, replaced_.back()));
    written = store_.put(key, document);
  }
  if (!written) return written;
  seq_ = next;
  // Leftovers cost a reader nothing but listing bytes: one that cannot be removed now is retried next time.
  std::vector<std::string> kept;
  for (const auto& old : replaced_) {
    if (old != name && !store_.remove(layout::status_entry(run_id_, old))) kept.push_back(old);
  }
  replaced_ = std::move(kept);
  replaced_.push_back(name);
  return {};
}

}  // namespace dli
