#pragma once
// Private to the report writers: a test's achieved compute rate and its share of the host's GEMM peak
// (docs/methodology.md, "Efficiency").
#include <optional>

#include "dli/report/report.hpp"

namespace dli::report {

// 2 x model.macs x FPS / 1e9: a multiply-accumulate is two floating-point operations, and FPS counts samples.
// Absent without a measurement (status not ok, accuracy tests) or without an operation count.
std::optional<double> achieved_gflops(const ReportRow& row);

// achieved / host peak, a share (0.25 is 25%): CPU tests only, since the peak is the host's CPU GEMM rate and says
// nothing of a GPU. Absent when either side is unknown, for other devices, or for a peak that is not positive.
std::optional<double> peak_share(const ReportRow& row);

// True when a CPU GEMM peak applies to the test's device ("cpu", or unset).
bool cpu_peak_applies(const TestSpec& spec);

}  // namespace dli::report
