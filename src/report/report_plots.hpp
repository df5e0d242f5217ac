#pragma once
// Private to the page: the run's plots (docs/methodology.md, "Reading the table"): FPS against batch size and
// latency against threads, per model, host and device, one line per framework; one model across hosts and
// frameworks. Pure.
#include <vector>

#include "dli/report/report.hpp"
#include "dli/report/svg_plot.hpp"

namespace dli::report {

// At most this many plots on a page; the CSV has every figure.
inline constexpr std::size_t kMaxPlots = 24;

std::vector<LinePlot> run_plots(const std::vector<ReportRow>& rows);

// At most this many hosts in a plot of one model across hosts: the fastest (the CSV has every figure).
inline constexpr std::size_t kMaxHostsPerModelPlot = 16;

// One model across hosts and frameworks, per model and device: each host's best VALID FPS of each framework (over
// batch sizes, threads and modes; which configuration on hover). Only where there are two bars to compare.
std::vector<BarPlot> model_plots(const std::vector<ReportRow>& rows);

}  // namespace dli::report
