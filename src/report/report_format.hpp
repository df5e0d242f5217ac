#pragma once
// Private to the report writers: how spec fields and measurements are spelled in CSV and HTML alike.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dli/report/report.hpp"

namespace dli::report {

// html_escape's text appended to `out` (no string of its own).
void append_html_escaped(std::string& out, std::string_view text);

std::string format_shape(const std::vector<int64_t>& shape);  // "3x224x224"
// "k=v;k=v" in key order; keys in `skip` are left out.
std::string format_params(const std::map<std::string, std::string>& params, const std::vector<std::string>& skip = {});
// Fixed-point with `decimals` digits, independent of the locale; empty for a non-finite value.
std::string fixed(double value, int decimals);
// A share in [0, 1] as a percentage with `decimals` digits: percent(0.71234, 2) == "71.23".
std::string percent(double share, int decimals);

std::string upper(std::string text);
// How the table names a test's device: "cpu" -> "CPU", "cuda" -> "GPU" (the device the runner picks, GPU 0 unless
// CUDA_VISIBLE_DEVICES says otherwise), "cuda:N" -> "GPU N"; anything else upper-cased as written ("" is "CPU").
std::string device_label(const std::string& device);
// Column header of the device level of the HTML tables: "CPU / FP32", "GPU / FP16", "GPU 1 / INT8".
std::string device_precision(const TestSpec& spec);

// The row's status as written: the TestStatus string, or "not_run" without a result.
std::string status_text(const ReportRow& row);
// The measurement of a row that has trustworthy numbers (status ok), else nullptr.
const Measurement* measured(const ReportRow& row);
// "VALID", or "INVALID: reason, reason".
std::string verdict_text(const Measurement& measurement);
// The figure the speed table shows for a test: FPS for sync, async and offline; the reported latency percentile
// in milliseconds for single_stream and multi_stream; the scheduled queries per second for server.
std::string headline(const TestSpec& spec, const Measurement& measurement);
// A headline figure (headline_value) as the table writes it: FPS or queries/s with 2 decimals, a latency in ms
// with 3 (no unit).
std::string table_figure(const TestSpec& spec, double figure);
// A speed table column's header and its hover text.
std::string column_label(Mode mode, int samples_per_query, double target_qps);
std::string column_title(Mode mode, int requests, int samples_per_query, double target_qps);
// The top-1/top-5 of an accuracy test that ended ok, else nullptr.
const Accuracy* accuracy_of(const ReportRow& row);
// The pages' shared stylesheet (report_html.cpp).
const char* page_style();

}  // namespace dli::report
