#include "report_format.hpp"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

namespace dli::report {

std::string format_shape(const std::vector<int64_t>& shape) {
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i == 0 ? "" : "x") + std::to_string(shape[i]);
  return text;
}

std::string format_params(const std::map<std::string, std::string>& params, const std::vector<std::string>& skip) {
  std::string text;
  for (const auto& [key, value] : params) {
    if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
    if (!text.empty()) text += ';';
    text += key + '=' + value;
  }
  return text;
}

std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "";
  // to_chars ignores the locale, so a German desktop still gets "12.50"; exact like fmt, at half its cost (a
  // run's CSV and pages write millions of these). fmt for what does not fit the buffer.
  char text[128];
  const auto written = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed, decimals);
  if (written.ec != std::errc()) return fmt::format("{:.{}f}", value, decimals);
  return std::string(text, written.ptr);
}

std::string percent(double share, int decimals) { return fixed(share * 100.0, decimals); }

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string device_label(const std::string& device) {
  if (device.empty() || device == "cpu") return "CPU";
  if (device == "cuda") return "GPU";
  static const std::string kCuda = "cuda:";
  if (device.rfind(kCuda, 0) == 0 && device.size() > kCuda.size()) return "GPU " + device.substr(kCuda.size());
  return upper(device);
}

std::string device_precision(const TestSpec& spec) {
  return device_label(spec.device) + " / " + upper(spec.model.precision);
}

std::string status_text(const ReportRow& row) { return row.result ? to_string(row.result->status) : "not_run"; }

const Measurement* measured(const ReportRow& row) {
  if (!row.result || row.result->status != TestStatus::kOk || !row.result->measurement) return nullptr;
  return &*row.result->measurement;
}

const Accuracy* accuracy_of(const ReportRow& row) {
  if (!row.result || row.result->status != TestStatus::kOk || !row.result->accuracy) return nullptr;
  return &*row.result->accuracy;
}

}  // namespace dli::report

namespace dli::report {

std::string verdict_text(const Measurement& measurement) {
  if (measurement.verdict.valid) return "VALID";
  std::string text = "INVALID:";
  for (std::size_t i = 0; i < measurement.verdict.reasons.size(); ++i) {
    text += (i == 0 ? " " : ", ") + measurement.verdict.reasons[i];
  }
  return text;
}

std::string headline(const TestSpec& spec, const Measurement& m) {
  switch (spec.mode) {
    case Mode::kSingleStream:
    case Mode::kMultiStream: return fixed(m.throughput.latency_s * 1000.0, 3);
    case Mode::kServer: return fixed(m.target_qps, 2);
    default: return fixed(m.throughput.fps, 2);
  }
}

std::string table_figure(const TestSpec& spec, double figure) {
  return higher_is_better(spec.mode) ? fixed(figure, 2) : fixed(figure * 1000.0, 3);
}

std::string column_label(Mode mode, int samples_per_query, double target_qps) {
  switch (mode) {
    case Mode::kSync: return "Latency mode";
    case Mode::kAsync: return "Throughput mode";
    case Mode::kSingleStream: return "SingleStream p90, ms";
    case Mode::kMultiStream: return "MultiStream N=" + std::to_string(samples_per_query) + " p99, ms";
    case Mode::kServer: return "Server, queries/s (from " + fixed(target_qps, 0) + ")";
    case Mode::kOffline: return "Offline, samples/s";
    case Mode::kAccuracy: break;
  }
  return to_string(mode);
}

std::string column_title(Mode mode, int requests, int samples_per_query, double target_qps) {
  switch (mode) {
    case Mode::kSync: return "one request at a time; FPS";
    case Mode::kAsync: return std::to_string(requests) + " requests in flight; FPS";
    case Mode::kSingleStream: return "one query of one request at a time; p90 latency, ms";
    case Mode::kMultiStream:
      return "queries of " + std::to_string(samples_per_query) + " requests; p99 query latency, ms";
    case Mode::kServer:
      return "Poisson arrivals at " + fixed(target_qps, 2) + " queries/s on " + std::to_string(requests) +
             " streams; the rate run (the highest VALID one when searched), queries/s";
    case Mode::kOffline: return "all samples at once on " + std::to_string(requests) + " streams; samples/s";
    case Mode::kAccuracy: break;
  }
  return "";
}

}  // namespace dli::report
