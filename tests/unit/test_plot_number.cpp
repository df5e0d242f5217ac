// The plots' quick number writers against fmt's exact ones (plot_number.hpp): same text for every value.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "dli/report/plot_number.hpp"

namespace dli {
namespace {

std::string fmt_number(double value) {  // the plots' rule written with fmt alone
  if (value == 0) return "0";
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return fmt::format("{:.2g}", value);
  return fmt::format("{:g}", std::round(value * 1e4) / 1e4);
}

std::vector<double> values_to_try() {
  std::vector<double> values = {
      0.0,      -0.0,     0.04,    0.05,    0.15,    0.25,    0.35,       0.45,     29.25,     29.75,      272.0,
      211.5,    1.0,      9.95,    99.95,   999.95,  0.001,   0.00099,    0.0015,   12.4263,   86.6879,    99999.9,
      99999.95, 99999.99, 1e5,     123456,  1e-4,    -3.25,   -0.04,      -86.6879, 0.1,       0.2,        0.3,
      1e9,      5e-324,   1.0 / 3, 2.0 / 3, 0.00125, 0.00135, 1234.56785, 4.99995,  0.0009999, 0.000999951};
  for (int k = 0; k <= 4000; ++k) {
    values.push_back(k / 40.0);  // every multiple of 0.025: exact ties of "{:.1f}" among them
    values.push_back(k * 0.05);
    values.push_back(k / 1e4);
  }
  std::mt19937_64 random(20261130);
  for (int i = 0; i < 200000; ++i) {
    const double mantissa = std::uniform_real_distribution<double>(1.0, 10.0)(random);
    const int exponent = std::uniform_int_distribution<int>(-5, 7)(random);
    const double sign = random() % 8 == 0 ? -1.0 : 1.0;
    values.push_back(sign * mantissa * std::pow(10.0, exponent));
  }
  values.push_back(std::numeric_limits<double>::infinity());
  values.push_back(std::numeric_limits<double>::quiet_NaN());
  return values;
}

TEST(PlotNumber, CoordinatesAreWrittenAsFmtWritesOneDecimal) {
  for (const double value : values_to_try()) {
    ASSERT_EQ(fmt::format("{}", PlotCoordinate{value}), fmt::format("{:.1f}", value)) << fmt::format("{:.17g}", value);
  }
}

TEST(PlotNumber, FiguresAreWrittenAsFmtWritesTheRoundedValue) {
  for (const double value : values_to_try()) {
    ASSERT_EQ(fmt::format("{}", PlotNumber{value}), fmt_number(value)) << fmt::format("{:.17g}", value);
  }
}

TEST(PlotNumber, ExamplesReadAsAReaderExpects) {
  EXPECT_EQ(fmt::format("{} {} {}", PlotCoordinate{272.0}, PlotCoordinate{29.25}, PlotCoordinate{0.04}),
            "272.0 29.2 0.0");
  EXPECT_EQ(fmt::format("{} {} {} {}", PlotNumber{86.68791}, PlotNumber{0.022}, PlotNumber{40}, PlotNumber{-2.5}),
            "86.6879 0.022 40 -2.5");
}

}  // namespace
}  // namespace dli
