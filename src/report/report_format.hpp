#pragma once
// Private to the report writers: how spec fields and measurements are spelled in CSV and HTML alike.
#include <map>
#include <string>
#include <vector>

#include "dli/report/report.hpp"

namespace dli::report {

std::string format_shape(const std::vector<int64_t>& shape);  // "3x224x224"
// "k=v;k=v" in key order; keys in `skip` are left out.
std::string format_params(const std::map<std::string, std::string>& params, const std::vector<std::string>& skip = {});
// Fixed-point with `decimals` digits, independent of the locale; empty for a non-finite value.
std::string fixed(double value, int decimals);

std::string upper(std::string text);
// Column header of the device level of the HTML table: "CPU / FP32" (device from params["device"]).
std::string device_precision(const TestSpec& spec);

// The row's status as written: the TestStatus string, or "not_run" without a result.
std::string status_text(const ReportRow& row);
// The measurement of a row that has trustworthy numbers (status ok), else nullptr.
const Measurement* measured(const ReportRow& row);

}  // namespace dli::report
