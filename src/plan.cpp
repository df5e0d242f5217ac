#include "dli/plan.hpp"

#include <fmt/format.h>

namespace dli {

int Plan::total_tests() const {
  int total = 0;
  for (const auto& host : hosts) total += static_cast<int>(host.tests.size());
  return total;
}

Plan make_plan(const std::string& sweep_path) {
  Plan plan;
  plan.sweep = load_sweep(sweep_path);
  plan.fleet = load_fleet(plan.sweep.fleet_path);
  check_sweep_against_fleet(plan.sweep, plan.fleet);
  plan.hashes = hash_model_files(plan.sweep);
  plan.hosts = expand(plan.sweep, plan.fleet, plan.hashes);
  return plan;
}

void print_plan(std::ostream& out, const Plan& plan) {
  out << fmt::format("sweep {} ({}): {} tests on {} hosts\n", plan.sweep.name, plan.sweep.path,
                     plan.total_tests(), plan.hosts.size());
  for (const auto& host : plan.hosts) {
    out << fmt::format("\nhost {} ({}): {} tests\n", host.host.name, host.host.kind, host.tests.size());
    for (const auto& test : host.tests) {
      out << fmt::format("  {}  {}  timeout {}s\n", test.id, test_label(test), test.measure.timeout_seconds);
    }
    for (const auto& reason : host.skipped) out << "  skipped: " << reason << '\n';
  }
}

}  // namespace dli
