#include "dli/agent/cpu_plan.hpp"

#include <algorithm>

namespace dli {

CpuPlan plan_cpus(const std::vector<int>& allowed, int threads) {
  CpuPlan plan;
  if (allowed.size() < 2) return plan;
  plan.agent = allowed.back();
  const std::size_t others = allowed.size() - 1;
  const std::size_t wanted = static_cast<std::size_t>(std::max(1, threads));
  plan.runner.assign(allowed.begin(), allowed.begin() + static_cast<std::ptrdiff_t>(std::min(wanted, others)));
  return plan;
}

std::string format_cpu_list(std::vector<int> cpus) {
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  std::string text;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t last = i;
    while (last + 1 < cpus.size() && cpus[last + 1] == cpus[last] + 1) ++last;
    if (!text.empty()) text += ',';
    text += std::to_string(cpus[i]);
    if (last > i) text += '-' + std::to_string(cpus[last]);
    i = last + 1;
  }
  return text;
}

}  // namespace dli
