// Prometheus text format of the daemon's counters (metrics.hpp).
#include "dli/daemon/metrics.hpp"

#include <cstdint>
#include <functional>
#include <optional>

namespace dli {

namespace {

// A label value as the format quotes it: backslash, double quote and line feed escaped.
std::string label_value(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '\\' || c == '"') escaped += '\\';
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped += c;
  }
  return escaped;
}

struct Metric {
  const char* name;
  const char* type;
  const char* help;
  std::function<std::optional<std::int64_t>(const SweepRecord&)> value;  // nothing: no sample for that sweep
};

}  // namespace

std::string render_metrics(const DaemonState& state) {
  const Metric metrics[] = {
      {"dli_runs_total", "counter", "Runs of the sweep collected by the daemon.",
       [](const SweepRecord& r) { return r.runs; }},
      {"dli_tests_ok_total", "counter", "Tests measured ok in the sweep's runs.",
       [](const SweepRecord& r) { return r.tests_ok; }},
      {"dli_tests_failed_total", "counter", "Tests failed, crashed, timed out or not run in the sweep's runs.",
       [](const SweepRecord& r) { return r.tests_failed; }},
      {"dli_hosts_lost_total", "counter", "Hosts not reached or lost in the sweep's runs.",
       [](const SweepRecord& r) { return r.hosts_lost; }},
      {"dli_store_errors_total", "counter",
       "Store errors in the sweep's runs: exit code 5, results unreadable, site upload refused.",
       [](const SweepRecord& r) { return r.store_errors; }},
      {"dli_last_success_timestamp_seconds", "gauge",
       "When a run of the sweep last ended with every test measured (exit code 0), seconds since the epoch.",
       [](const SweepRecord& r) -> std::optional<std::int64_t> {
         if (!r.last_success) return std::nullopt;
         return static_cast<std::int64_t>(*r.last_success);
       }},
  };
  std::string text;
  for (const auto& metric : metrics) {
    text += std::string("# HELP ") + metric.name + " " + metric.help + "\n";
    text += std::string("# TYPE ") + metric.name + " " + metric.type + "\n";
    for (const auto& [sweep, record] : state.sweeps) {
      if (const auto value = metric.value(record)) {
        text += std::string(metric.name) + "{sweep=\"" + label_value(sweep) + "\"} " + std::to_string(*value) + "\n";
      }
    }
  }
  return text;
}

}  // namespace dli
