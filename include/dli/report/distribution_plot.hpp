#pragma once
// The distribution of one test's request times (docs/methodology.md, "The histogram"), drawn by the page's script
// from a few numbers dli writes into the page: a host page shows a thousand tests, and each one's plot as SVG markup
// was 4.7 KiB, two thirds of the page and most of a large run's collect (docs/benchmarks.md, "Collect"). The numbers
// (bars, ticks, marks) are decided here, exactly; the script only places them (docs/site.md, "Plots").
#include <optional>
#include <string>
#include <vector>

#include "dli/measure/histogram.hpp"

namespace dli {

struct DistributionPlot {
  std::string title;
  double low_ms = 0, high_ms = 0;  // the time axis (log scale): the first bar's lower and the last bar's upper bound
  std::vector<double> percents;    // each bar's share of the requests (%); bars of equal width on the log axis
  std::vector<double> y_ticks;     // the share axis's ticks (%), from 0; the last is its top
  int tick_every = 1;              // a time tick at every this many bars' edge
  double median_ms = 0, p99_ms = 0;
};

// The log-spaced buckets merged into at most `bars` bars (whole buckets each, so a bar's bounds are bucket bounds);
// nothing for an empty histogram.
std::optional<DistributionPlot> latency_distribution(const Histogram& histogram, const std::string& title,
                                                     int bars = 40);

// The element the script draws the plot in: `<figure class="dist" data-plot='{...}'></figure>`, its numbers written
// as the SVG plots write theirs (plot_number.hpp).
std::string distribution_figure(const DistributionPlot& plot);

// The script that turns each such figure into an `svg.plot` (axes, units, a title per bar, the median and the p99
// marked); inline in the page, which stays self-contained. Text goes in as text, never as markup.
const char* distribution_script();

}  // namespace dli
