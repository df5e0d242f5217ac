#include "dli/integrator/early_shells.hpp"

#include <algorithm>
#include <utility>

namespace dli {

void EarlyShells::open(const SweepConfig& sweep, const FleetConfig& fleet) {
  const std::size_t limit = static_cast<std::size_t>(std::max(1, fleet.parallel));
  for (const HostConfig& host : fleet.hosts) {
    if (shells_.size() >= limit) break;
    const bool selected =
        sweep.hosts.empty() || std::find(sweep.hosts.begin(), sweep.hosts.end(), host.name) != sweep.hosts.end();
    if (!selected || !host.maintenance.empty()) continue;
    Prepared prepared;
    prepared.shell = make_host_shell(host);
    HostShell* shell = prepared.shell.get();
    prepared.ready = std::async(std::launch::async, [shell] { shell->prepare_start(); });
    shells_.emplace(host.name, std::move(prepared));
  }
}

std::optional<EarlyShells::Prepared> EarlyShells::take(const std::string& host) {
  const auto found = shells_.find(host);
  if (found == shells_.end()) return std::nullopt;
  Prepared prepared = std::move(found->second);
  shells_.erase(found);
  return prepared;
}

}  // namespace dli
