#pragma once
// The daemon's metrics in Prometheus' text exposition format (version 0.0.4), for node_exporter's textfile
// collector (docs/daemon.md, "Metrics"): one series per sweep of each counter, from the state's records.
#include <string>

#include "dli/daemon/daemon_state.hpp"

namespace dli {

std::string render_metrics(const DaemonState& state);

}  // namespace dli
