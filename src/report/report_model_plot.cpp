// One model across hosts and frameworks (report_plots.hpp).
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "report_format.hpp"
#include "report_plots.hpp"

namespace dli::report {

namespace {

struct Best {
  double fps = 0;
  std::string configuration;  // "batch 4, 2 threads, async, 2 in flight"
};

std::string configuration_of(const TestSpec& spec) {
  std::string text = fmt::format("batch {}, {} thread{}, {}", spec.batch, spec.threads, spec.threads == 1 ? "" : "s",
                                 to_string(spec.mode));
  if (uses_streams(spec.mode)) text += fmt::format(", {} in flight", spec.requests);
  const std::string params = format_params(spec.params);
  return params.empty() ? text : params + ", " + text;
}

}  // namespace

std::vector<BarPlot> model_plots(const std::vector<ReportRow>& rows) {
  // (model, device) -> host -> framework -> best
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::map<std::string, Best>>> best;
  for (const auto& row : rows) {
    const Measurement* m = measured(row);
    if (m == nullptr || !m->verdict.valid || row.spec.mode == Mode::kAccuracy) continue;
    Best& slot = best[{row.spec.model.name, row.spec.device}][row.spec.host][row.spec.framework];
    if (m->throughput.fps > slot.fps) slot = {m->throughput.fps, configuration_of(row.spec)};
  }
  std::vector<BarPlot> plots;
  for (const auto& [key, hosts] : best) {
    std::set<std::string> frameworks;
    std::size_t bars = 0;
    for (const auto& [host, by_framework] : hosts) {
      for (const auto& entry : by_framework) frameworks.insert(entry.first);
      bars += by_framework.size();
    }
    if (bars < 2) continue;
    // The fastest hosts first (by their best bar), at most kMaxHostsPerModelPlot of them.
    std::vector<std::pair<double, std::string>> ranked;
    for (const auto& [host, by_framework] : hosts) {
      double top = 0;
      for (const auto& entry : by_framework) top = std::max(top, entry.second.fps);
      ranked.emplace_back(-top, host);
    }
    std::sort(ranked.begin(), ranked.end());
    BarPlot plot;
    plot.title = fmt::format("{}, {}: best FPS per host and framework{}", key.first, device_label(key.second),
                             ranked.size() > kMaxHostsPerModelPlot
                                 ? fmt::format(" (the {} fastest of {} hosts)", kMaxHostsPerModelPlot, ranked.size())
                                 : std::string());
    plot.x_label = "host (best of any batch size, threads and mode; which on hover)";
    plot.y_label = "FPS (frames/s, higher is better)";
    plot.series.assign(frameworks.begin(), frameworks.end());
    for (std::size_t h = 0; h < std::min(ranked.size(), kMaxHostsPerModelPlot); ++h) {
      const auto& by_framework = hosts.at(ranked[h].second);
      BarGroup group{ranked[h].second, {}, {}};
      for (const auto& framework : plot.series) {
        const auto found = by_framework.find(framework);
        group.values.push_back(found == by_framework.end() ? std::nullopt : std::optional<double>(found->second.fps));
        group.notes.push_back(found == by_framework.end() ? "" : found->second.configuration);
      }
      plot.groups.push_back(std::move(group));
    }
    plots.push_back(std::move(plot));
  }
  return plots;
}

}  // namespace dli::report
