#include "dli/protocol/gemm_peak.hpp"

#include <stdexcept>

namespace dli {

bool GemmPeak::operator==(const GemmPeak& other) const {
  return gflops == other.gflops && method == other.method && library == other.library && n == other.n &&
         threads == other.threads && calls == other.calls && seconds == other.seconds &&
         measured_at == other.measured_at;
}

nlohmann::json to_json(const GemmPeak& peak) {
  return {{"gflops", peak.gflops}, {"method", peak.method}, {"library", peak.library},
          {"n", peak.n},           {"threads", peak.threads}, {"calls", peak.calls},
          {"seconds", peak.seconds}, {"measured_at", peak.measured_at}};
}

GemmPeak gemm_peak_from_json(const nlohmann::json& json) {
  try {
    GemmPeak peak;
    peak.gflops = json.at("gflops").get<double>();
    peak.method = json.at("method").get<std::string>();
    peak.library = json.at("library").get<std::string>();
    peak.n = json.at("n").get<int>();
    peak.threads = json.at("threads").get<int>();
    peak.calls = json.at("calls").get<int>();
    peak.seconds = json.at("seconds").get<double>();
    peak.measured_at = json.at("measured_at").get<std::string>();
    return peak;
  } catch (const std::exception& error) {
    throw std::runtime_error(std::string("gemm_peak: ") + error.what());
  }
}

double gemm_gflops(int n, int calls, double seconds) {
  if (!(seconds > 0)) return 0;
  const double size = n;
  return 2.0 * size * size * size * calls / seconds / 1e9;
}

}  // namespace dli
