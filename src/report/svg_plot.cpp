#include "dli/report/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "dli/report/plot_number.hpp"
#include "dli/report/report.hpp"

namespace dli {

namespace {

constexpr double kWidth = 560, kHeight = 320;
constexpr double kLeft = 64, kRight = 150, kTop = 30, kBottom = 48;  // margins: axis labels, legend on the right
// Colours that stay apart for readers with the common colour-vision deficiencies (Okabe and Ito's palette).
const char* const kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"};

// Every piece is formatted straight into the plot's buffer (a page of a thousand tests draws a thousand plots), and
// every double given to `append` is a position in the drawing, written with one decimal (plot_number.hpp).
using Svg = fmt::memory_buffer;

std::string finished(Svg& svg) {
  svg.append(std::string_view("</svg>\n"));
  return fmt::to_string(svg);
}

template <typename T>
constexpr bool kIsDouble = std::is_same_v<std::decay_t<T>, double>;

template <typename T>
decltype(auto) drawn(T&& value) {
  if constexpr (kIsDouble<T>) {
    return PlotCoordinate{value};
  } else {
    return std::forward<T>(value);
  }
}

template <typename Format, typename... Args>
void append(Svg& svg, const Format& format, Args&&... args) {  // format: FMT_COMPILE("..."), checked when compiled
  fmt::format_to(fmt::appender(svg), format, drawn(std::forward<Args>(args))...);
}

constexpr double kPlotWidth = kWidth - kLeft - kRight, kPlotHeight = kHeight - kTop - kBottom;

const char* series_colour(std::size_t series) { return kColours[series % (sizeof kColours / sizeof kColours[0])]; }

// The <svg> element's opening and the plot's title.
void svg_head(Svg& svg, const std::string& title) {
  fmt::format_to(fmt::appender(svg),
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"{0:g}\" height=\"{1:g}\" "
                 "viewBox=\"0 0 {0:g} {1:g}\" role=\"img\" aria-label=\"{2}\">\n"
                 "<text x=\"{3:g}\" y=\"18\" font-size=\"13\" font-weight=\"600\">{2}</text>\n",
                 kWidth, kHeight, html_escape(title), kLeft);
}

// Horizontal grid lines at `ticks` of a y axis from 0 to `y_top`, each labelled (`unit` after the number).
void y_grid(Svg& svg, const std::vector<double>& ticks, double y_top, double plot_width, double scale = 1,
            const char* unit = "") {
  for (const double tick : ticks) {
    const double y = kTop + kPlotHeight - tick / y_top * kPlotHeight;
    append(svg,
           FMT_COMPILE("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#ddd\"/><text x=\"{3}\" "
                       "y=\"{4}\" font-size=\"11\" text-anchor=\"end\">{5}{6}</text>\n"),
           kLeft, y, kLeft + plot_width, kLeft - 6, y + 4, PlotNumber{tick * scale}, unit);
  }
}

// The x axis and the axis labels (and the y axis, unless `y_axis` is false).
void axes(Svg& svg, const std::string& x_label, const std::string& y_label, double plot_width = kPlotWidth,
          bool y_axis = true) {
  append(svg, FMT_COMPILE("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#333\"/>"), kLeft,
         kTop + kPlotHeight, kLeft + plot_width);
  if (y_axis) {
    append(svg, FMT_COMPILE("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#333\"/>"), kLeft, kTop,
           kTop + kPlotHeight);
  }
  append(svg,
         FMT_COMPILE("\n<text x=\"{0}\" y=\"{1}\" font-size=\"12\" text-anchor=\"middle\">{2}</text>\n"
                     "<text x=\"14\" y=\"{3}\" font-size=\"12\" text-anchor=\"middle\" "
                     "transform=\"rotate(-90 14 {3})\">{4}</text>\n"),
         kLeft + plot_width / 2, kHeight - 10, html_escape(x_label), kTop + kPlotHeight / 2, html_escape(y_label));
}

}  // namespace

std::vector<double> nice_ticks(double low, double high, int wanted) {
  if (!(high > low)) high = low + (low == 0 ? 1 : std::fabs(low));
  const double raw = (high - low) / std::max(wanted, 1);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * power;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (double tick = std::floor(low / step) * step; tick <= high + step * 1e-9; tick += step) {
    ticks.push_back(std::fabs(tick) < step * 1e-9 ? 0 : tick);
  }
  if (ticks.back() < high - step * 1e-9) ticks.push_back(ticks.back() + step);
  return ticks;
}

std::string svg_line_plot(const LinePlot& plot) {
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min, y_max = 0;
  for (const auto& series : plot.series) {
    for (const auto& [x, y] : series.points) {
      const double px = plot.log2_x ? std::log2(x) : x;
      x_min = std::min(x_min, px);
      x_max = std::max(x_max, px);
      y_max = std::max(y_max, y);
    }
  }
  if (plot.band) y_max = std::max(y_max, plot.band->second);
  if (!std::isfinite(x_min)) x_min = 0, x_max = 1;
  if (x_max == x_min) x_max = x_min + 1;
  const std::vector<double> y_ticks = nice_ticks(0, y_max > 0 ? y_max : 1);
  const double y_top = y_ticks.back();
  const double plot_width = kPlotWidth, plot_height = kPlotHeight;
  const auto sx = [&](double x) {
    const double px = plot.log2_x ? std::log2(x) : x;
    return kLeft + (px - x_min) / (x_max - x_min) * plot_width;
  };
  const auto sy = [&](double y) { return kTop + plot_height - y / y_top * plot_height; };

  Svg svg;
  svg_head(svg, plot.title);
  if (plot.band) {
    const double top = sy(plot.band->second), bottom = sy(std::max(plot.band->first, 0.0));
    append(
        svg,
        FMT_COMPILE("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#e8f0e8\"><title>{}</title></rect>\n"),
        kLeft, top, plot_width, bottom - top, html_escape(plot.band_label));
  }
  // Axes, grid and ticks.
  y_grid(svg, y_ticks, y_top, plot_width);
  std::vector<double> x_values;
  for (const auto& series : plot.series) {
    for (const auto& point : series.points) x_values.push_back(point.first);
  }
  std::sort(x_values.begin(), x_values.end());
  x_values.erase(std::unique(x_values.begin(), x_values.end()), x_values.end());
  // Few distinct x values (batch sizes, thread counts): a tick at each; otherwise nice ticks.
  const std::vector<double> x_ticks =
      x_values.size() <= 12 || plot.log2_x ? x_values : nice_ticks(x_values.front(), x_values.back());
  for (const double tick : x_ticks) {
    append(svg, FMT_COMPILE("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n"), sx(tick),
           kTop + plot_height + 16, PlotNumber{tick});
  }
  axes(svg, plot.x_label, plot.y_label);
  // Series and legend.
  for (std::size_t i = 0; i < plot.series.size(); ++i) {
    const PlotSeries& series = plot.series[i];
    const char* colour = series_colour(i);
    append(svg, FMT_COMPILE("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\""), colour);
    for (std::size_t p = 0; p < series.points.size(); ++p) {
      const auto& [x, y] = series.points[p];
      append(svg, FMT_COMPILE("{}{},{}"), p == 0 ? "" : " ", sx(x), sy(y));
    }
    append(svg, FMT_COMPILE("\"/>\n"));
    const std::string name = html_escape(series.name);
    for (const auto& [x, y] : series.points) {
      append(svg, FMT_COMPILE("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"><title>{}: {}, {}</title></circle>\n"),
             sx(x), sy(y), colour, name, PlotNumber{x}, PlotNumber{y});
    }
    const double ly = kTop + 8 + 18 * static_cast<double>(i);
    append(svg,
           FMT_COMPILE("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"2\"/>"
                       "<text x=\"{4}\" y=\"{5}\" font-size=\"11\">{6}</text>\n"),
           kWidth - kRight + 12, ly, kWidth - kRight + 30, colour, kWidth - kRight + 34, ly + 4, name);
  }
  return finished(svg);
}

std::string svg_bar_plot(const BarPlot& plot) {
  double y_max = 0;
  for (const auto& group : plot.groups) {
    for (const auto& value : group.values) {
      if (value) y_max = std::max(y_max, *value);
    }
  }
  const std::vector<double> y_ticks = nice_ticks(0, y_max > 0 ? y_max : 1);
  const double y_top = y_ticks.back();
  const double plot_width = kPlotWidth, plot_height = kPlotHeight;
  const auto sy = [&](double y) { return kTop + plot_height - y / y_top * plot_height; };
  const double group_width = plot_width / static_cast<double>(std::max<std::size_t>(plot.groups.size(), 1));
  const double bar_width = group_width * 0.8 / static_cast<double>(std::max<std::size_t>(plot.series.size(), 1));

  Svg svg;
  svg_head(svg, plot.title);
  y_grid(svg, y_ticks, y_top, plot_width);
  for (std::size_t g = 0; g < plot.groups.size(); ++g) {
    const BarGroup& group = plot.groups[g];
    const double left = kLeft + group_width * static_cast<double>(g) + group_width * 0.1;
    for (std::size_t i = 0; i < plot.series.size() && i < group.values.size(); ++i) {
      if (!group.values[i]) continue;
      const double value = *group.values[i];
      const std::string note = i < group.notes.size() && !group.notes[i].empty() ? " (" + group.notes[i] + ")" : "";
      append(
          svg,
          FMT_COMPILE(
              "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{} on {}: {}{}</title></rect>\n"),
          left + bar_width * static_cast<double>(i), sy(value), bar_width, sy(0) - sy(value), series_colour(i),
          html_escape(plot.series[i]), html_escape(group.name), PlotNumber{value}, html_escape(note));
    }
    append(svg, FMT_COMPILE("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n"),
           kLeft + group_width * (static_cast<double>(g) + 0.5), kTop + plot_height + 16, html_escape(group.name));
  }
  axes(svg, plot.x_label, plot.y_label);
  for (std::size_t i = 0; i < plot.series.size(); ++i) {
    const double ly = kTop + 8 + 18 * static_cast<double>(i);
    append(svg,
           FMT_COMPILE("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"{}\"/>"
                       "<text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>\n"),
           kWidth - kRight + 12, ly - 5, series_colour(i), kWidth - kRight + 32, ly + 4, html_escape(plot.series[i]));
  }
  return finished(svg);
}

}  // namespace dli
