#pragma once
// The numbers of dli's SVG plots, written exactly as fmt writes them but without fmt's general floating-point path
// in the common case: a host page draws a plot per test, and that path was most of a large run's collect time
// (docs/benchmarks.md, "Collect").
//   PlotCoordinate: a position in the drawing, as "{:.1f}".
//   PlotNumber: a figure a reader sees (a tick, a value on hover): "0" for zero, "{:.2g}" when tiny (< 0.001) or
//   huge (>= 100000), otherwise "{:g}" of the value rounded to four decimals.
#include <fmt/format.h>

namespace dli {

struct PlotCoordinate {
  double value;
};

struct PlotNumber {
  double value;
};

}  // namespace dli

template <>
struct fmt::formatter<dli::PlotCoordinate> {
  constexpr auto parse(format_parse_context& context) { return context.begin(); }  // no format spec
  format_context::iterator format(dli::PlotCoordinate coordinate, format_context& context) const;
};

template <>
struct fmt::formatter<dli::PlotNumber> {
  constexpr auto parse(format_parse_context& context) { return context.begin(); }  // no format spec
  format_context::iterator format(dli::PlotNumber number, format_context& context) const;
};
