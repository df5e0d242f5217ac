#include "dli/integrator/history_record.hpp"

#include <filesystem>

#include "dli/history/history.hpp"

namespace dli {

std::string default_history_location(const std::string& out_dir) {
  const std::filesystem::path folder = std::filesystem::path(out_dir).lexically_normal();
  const std::filesystem::path parent = folder.has_filename() ? folder.parent_path() : folder.parent_path().parent_path();
  return (parent / "history.sqlite").string();
}

void judge_changes(std::vector<ReportRow>& rows,
                   const std::map<std::pair<std::string, std::string>, std::vector<double>>& earlier) {
  for (auto& row : rows) {
    row.change.reset();
    const Measurement* m = row.result && row.result->status == TestStatus::kOk && row.result->measurement
                               ? &*row.result->measurement
                               : nullptr;
    if (m == nullptr || !m->verdict.valid) continue;  // an untrustworthy figure is not compared
    const auto series = earlier.find({row.spec.host, row.spec.id});
    const std::vector<double> none;
    const std::optional<double> repeat_cv =
        row.repeats && row.repeats->repeats.size() >= 2 ? std::optional<double>(row.repeats->cv) : std::nullopt;
    row.change = judge_change(series == earlier.end() ? none : series->second, headline_value(row.spec, *m),
                              higher_is_better(row.spec.mode), repeat_cv);
  }
}

Result<int> record_history(Collected& collected, const std::string& location) {
  HistoryRun run;
  run.run_id = collected.manifest.run_id;
  run.sweep_name = collected.manifest.sweep_name;
  run.created_at = collected.manifest.created_at;
  for (const auto& host : collected.manifest.hosts) {
    const HostStatus* last = nullptr;
    for (const auto& state : collected.host_states) {
      if (state.host == host.name) last = &state;
    }
    const HostInfo* description = nullptr;
    for (const auto& [name, info] : collected.hosts) {
      if (name == host.name) description = &info;
    }
    run.hosts.push_back(history_host(host.name, last, description));
  }
  for (const auto& [name, reason] : collected.manifest.maintenance) run.hosts.push_back({name, "maintenance", reason});
  run.rows = history_rows(collected.rows);
  run.capacity = collected.manifest.capacity;
  auto history = open_history(location);
  if (!history) return history.error();
  if (auto recorded = history.value()->record(run); !recorded) return recorded.error();
  auto earlier = history.value()->earlier_figures(run.run_id);
  if (!earlier) return earlier.error();
  judge_changes(collected.rows, earlier.value());
  return static_cast<int>(run.rows.size());
}

}  // namespace dli
