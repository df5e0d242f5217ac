#include "dli/report/plot_number.hpp"

#include <cmath>
#include <cstdint>

namespace dli {

namespace {

// Decimal rounding of `scaled` (the value times a power of ten, below 1e7) to a whole number, when the product's
// own rounding (at most ~1e-9 here) cannot decide it: false near a tie, which then goes to fmt's exact path.
bool round_clear_of_ties(double scaled, std::uint64_t& rounded) {
  const double whole = std::floor(scaled);
  const double fraction = scaled - whole;  // exact
  if (std::fabs(fraction - 0.5) < 1e-6) return false;
  rounded = static_cast<std::uint64_t>(whole) + (fraction > 0.5 ? 1 : 0);
  return true;
}

// `digits` written with a decimal point before its last `decimals` digits ("0.0220000" for 220000, 7).
template <typename Out>
Out write_decimal(Out out, std::uint64_t digits, int decimals, bool trim_zeros) {
  char text[32];  // least significant digit first
  int length = 0;
  for (int i = 0; i < decimals; ++i, digits /= 10) text[length++] = static_cast<char>('0' + digits % 10);
  if (decimals > 0) text[length++] = '.';
  do {
    text[length++] = static_cast<char>('0' + digits % 10);
    digits /= 10;
  } while (digits > 0);
  int end = 0;  // trailing zeros of the fraction (and then the point) left out
  if (trim_zeros) {
    while (end < decimals && text[end] == '0') ++end;
    if (decimals > 0 && end == decimals) ++end;
  }
  for (int i = length - 1; i >= end; --i) *out++ = text[i];
  return out;
}

}  // namespace

}  // namespace dli

fmt::format_context::iterator fmt::formatter<dli::PlotCoordinate>::format(dli::PlotCoordinate coordinate,
                                                                          format_context& context) const {
  const double value = coordinate.value;
  std::uint64_t tenths = 0;
  if (!std::signbit(value) && value < 1e6 && dli::round_clear_of_ties(value * 10, tenths)) {
    return dli::write_decimal(context.out(), tenths, 1, false);
  }
  return fmt::format_to(context.out(), "{:.1f}", value);
}

fmt::format_context::iterator fmt::formatter<dli::PlotNumber>::format(dli::PlotNumber number,
                                                                      format_context& context) const {
  const double value = number.value;
  if (value == 0) return fmt::format_to(context.out(), "0");
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return fmt::format_to(context.out(), "{:.2g}", value);
  const double rounded = std::round(value * 1e4) / 1e4;
  // "{:g}": six significant digits, so 5 - exponent decimals, trailing zeros dropped.
  static constexpr double kPowers[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};  // exact
  const double absolute = std::fabs(rounded);
  int decimals = 9;  // 5 - the decimal exponent: 1e-4 <= absolute < 1e5 gives 9 down to 1
  while (decimals > 0 && absolute * kPowers[decimals] >= 1e6) --decimals;
  std::uint64_t digits = 0;
  if (absolute >= 1e-4 && dli::round_clear_of_ties(absolute * kPowers[decimals], digits) && digits >= 100000 &&
      digits < 1000000) {
    auto out = context.out();
    if (rounded < 0) *out++ = '-';
    return dli::write_decimal(out, digits, decimals, true);
  }
  return fmt::format_to(context.out(), "{:g}", rounded);
}
