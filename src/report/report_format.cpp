#include "report_format.hpp"

#include <algorithm>
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
  // fmt ignores the global locale, so a German desktop still gets "12.50".
  return fmt::format("{:.{}f}", value, decimals);
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
