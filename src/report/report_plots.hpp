#pragma once
// Private to the page: the run's plots (docs/methodology.md, "Reading the table"): FPS against batch size and
// latency against threads, per model, host and device, one line per framework. Pure.
#include <vector>

#include "dli/report/report.hpp"
#include "dli/report/svg_plot.hpp"

namespace dli::report {

// At most this many plots on a page; the CSV has every figure.
inline constexpr std::size_t kMaxPlots = 24;

std::vector<LinePlot> run_plots(const std::vector<ReportRow>& rows);

}  // namespace dli::report
