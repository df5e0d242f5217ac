// dli-gemm-peak: measures this host's GEMM peak and prints it as one JSON document (docs/methodology.md,
// "Efficiency"; host.json's `gemm_peak`, docs/protocol.md 3). Run by the agent when its per-boot cache has none: a
// process of its own, so that OpenBLAS and its thread pool live only as long as the measure.
// Exit codes: 0 measured; 1 failed (the reason on standard error).
#include <exception>
#include <iostream>

#include "dli/peak/gemm_bench.hpp"

int main() {
  try {
    std::cout << dli::to_json(dli::measure_gemm_peak()).dump() << '\n';
    return std::cout.flush() ? 0 : 1;
  } catch (const std::exception& error) {
    std::cerr << "dli-gemm-peak: " << error.what() << '\n';
    return 1;
  }
}
