#include "report_efficiency.hpp"

#include "report_format.hpp"

namespace dli::report {

std::optional<double> achieved_gflops(const ReportRow& row) {
  const Measurement* m = measured(row);
  if (m == nullptr || !row.spec.model.macs) return std::nullopt;
  return 2.0 * static_cast<double>(*row.spec.model.macs) * m->throughput.fps / 1e9;
}

bool cpu_peak_applies(const TestSpec& spec) { return spec.device.empty() || spec.device == "cpu"; }

std::optional<double> peak_share(const ReportRow& row) {
  const auto achieved = achieved_gflops(row);
  if (!achieved || !cpu_peak_applies(row.spec) || !row.host_peak_gflops || !(*row.host_peak_gflops > 0)) {
    return std::nullopt;
  }
  return *achieved / *row.host_peak_gflops;
}

}  // namespace dli::report
