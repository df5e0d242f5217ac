#pragma once
// Test support: what `dli-integrator run` prints that tests need back.
#include <string>

namespace dli::testing {

// The run id of the closing summary line, "run <id>: ..."; empty when there is none.
inline std::string run_id_from(const std::string& output) {
  const std::string marker = "\nrun ";
  const auto at = output.rfind(marker);
  if (at == std::string::npos) return "";
  const auto start = at + marker.size();
  return output.substr(start, output.find(':', start) - start);
}

}  // namespace dli::testing
