#pragma once
// Plots drawn by dli as inline SVG (no script, no external resource): axes with units and "nice" ticks, a legend,
// one polyline with points per series. Pure: text out, exact for given input.
#include <optional>
#include <string>
#include <utility>
#include <vector>


namespace dli {

struct PlotSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), drawn in this order
};

struct LinePlot {
  std::string title;
  std::string x_label, y_label;  // with their units: "batch size", "FPS (frames/s)"
  std::vector<PlotSeries> series;
  bool log2_x = false;  // batch sizes and thread counts double: equal steps on the page
  // A horizontal band drawn behind the lines (a series' "unchanged" range: baseline +- threshold); low < high.
  std::optional<std::pair<double, double>> band = {};
  std::string band_label = {};
};

// Grouped bars: one group per category along x (e.g. hosts), one bar per series in each (e.g. frameworks).
struct BarGroup {
  std::string name;
  std::vector<std::optional<double>> values;  // one per series, in the plot's order; absent: no bar
  std::vector<std::string> notes;             // one per series (may be empty): shown on hover with the value
};

struct BarPlot {
  std::string title;
  std::string x_label, y_label;  // with their units
  std::vector<std::string> series;
  std::vector<BarGroup> groups;
};

// Ticks for [low, high]: 1, 2 or 5 times a power of ten apart, about `wanted` of them, covering the range.
std::vector<double> nice_ticks(double low, double high, int wanted = 5);

std::string svg_line_plot(const LinePlot& plot);
std::string svg_bar_plot(const BarPlot& plot);

}  // namespace dli
