#include "report_plots.hpp"

#include <map>
#include <set>
#include <tuple>

#include "report_format.hpp"

namespace dli::report {

namespace {

std::string series_name(const TestSpec& spec) {
  const std::string params = format_params(spec.params);
  return spec.framework + (params.empty() ? "" : " " + params);
}

std::string mode_text(const TestSpec& spec) {
  std::string text = to_string(spec.mode);
  if (uses_streams(spec.mode)) text += ", " + std::to_string(spec.requests) + " in flight";
  return text;
}

// Groups of VALID rows that differ only in `varying`; one line per framework within a group; groups with a single
// value of `varying` are not plotted (a line needs two points).
template <class Key, class KeyOf, class XOf, class YOf, class TitleOf>
void add_plots(const std::vector<ReportRow>& rows, KeyOf key_of, XOf x_of, YOf y_of, TitleOf title_of,
               const std::string& x_label, const std::string& y_label, std::vector<LinePlot>& plots) {
  std::map<Key, std::map<std::string, std::map<double, double>>> groups;
  std::map<Key, const ReportRow*> first;
  for (const auto& row : rows) {
    const Measurement* m = measured(row);
    if (m == nullptr || !m->verdict.valid) continue;
    const auto key = key_of(row);
    if (!key) continue;
    groups[*key][series_name(row.spec)][x_of(row.spec)] = y_of(*m);
    first.emplace(*key, &row);
  }
  for (const auto& [key, lines] : groups) {
    std::set<double> xs;
    for (const auto& line : lines) {
      for (const auto& point : line.second) xs.insert(point.first);
    }
    if (xs.size() < 2) continue;
    LinePlot plot;
    plot.title = title_of(first[key]->spec);
    plot.x_label = x_label;
    plot.y_label = y_label;
    plot.log2_x = true;
    for (const auto& [name, points] : lines) {
      PlotSeries series{name, {}};
      for (const auto& point : points) series.points.push_back(point);
      plot.series.push_back(std::move(series));
    }
    plots.push_back(std::move(plot));
  }
}

}  // namespace

std::vector<LinePlot> run_plots(const std::vector<ReportRow>& rows) {
  std::vector<LinePlot> plots;
  using ByBatch = std::tuple<std::string, std::string, std::string, std::string, int, int>;
  add_plots<ByBatch>(
      rows,
      [](const ReportRow& row) -> std::optional<ByBatch> {
        if (row.spec.mode != Mode::kSync && row.spec.mode != Mode::kAsync && row.spec.mode != Mode::kOffline) {
          return std::nullopt;
        }
        return ByBatch{row.spec.model.name, row.spec.host, row.spec.device, to_string(row.spec.mode),
                       row.spec.threads, row.spec.requests};
      },
      [](const TestSpec& spec) { return static_cast<double>(spec.batch); },
      [](const Measurement& m) { return m.throughput.fps; },
      [](const TestSpec& spec) {
        return spec.model.name + " on " + spec.host + ", " + device_label(spec.device) + ": FPS by batch (" +
               mode_text(spec) + ", " + std::to_string(spec.threads) + " threads)";
      },
      "batch size", "FPS (frames/s, higher is better)", plots);
  using ByThreads = std::tuple<std::string, std::string, std::string, int>;
  add_plots<ByThreads>(
      rows,
      [](const ReportRow& row) -> std::optional<ByThreads> {
        if (row.spec.mode != Mode::kSync) return std::nullopt;
        return ByThreads{row.spec.model.name, row.spec.host, row.spec.device, row.spec.batch};
      },
      [](const TestSpec& spec) { return static_cast<double>(spec.threads); },
      [](const Measurement& m) { return m.throughput.latency_s * 1000.0; },
      [](const TestSpec& spec) {
        return spec.model.name + " on " + spec.host + ", " + device_label(spec.device) + ": latency by threads (sync, batch " +
               std::to_string(spec.batch) + ")";
      },
      "threads", "median latency (ms, lower is better)", plots);
  if (plots.size() > kMaxPlots) plots.resize(kMaxPlots);
  return plots;
}

}  // namespace dli::report
