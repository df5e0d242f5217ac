#include "dli/integrator/plan.hpp"

#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "dli/integrator/arrange.hpp"
#include "dli/integrator/model_ops.hpp"
#include "dli/protocol/dataset.hpp"
#include "dli/util/sha256.hpp"

namespace dli {

DatasetHashes pack_datasets(const SweepConfig& sweep) {
  DatasetHashes packed;
  std::vector<Diagnostic> problems;
  for (std::size_t i = 0; i < sweep.accuracy.size(); ++i) {
    const AccuracyConfig& accuracy = sweep.accuracy[i];
    const auto report = [&](const std::string& message) {
      problems.push_back({sweep.path, accuracy.dataset_mark.line, accuracy.dataset_mark.column,
                          "accuracy[" + std::to_string(i) + "].dataset", message});
    };
    const auto model = std::find_if(sweep.models.begin(), sweep.models.end(),
                                    [&](const ModelConfig& each) { return each.name == accuracy.model; });
    if (model == sweep.models.end()) continue;  // the loader reported it
    try {
      const Dataset dataset = load_dataset(accuracy.dataset, model->input_shape, accuracy.classes);
      PackedDataset entry;
      entry.bytes = pack_dataset(dataset);
      entry.sha256 = sha256_hex(entry.bytes);
      entry.samples = static_cast<std::int64_t>(dataset.count());
      packed[accuracy.dataset] = std::move(entry);
    } catch (const std::exception& error) {
      report(error.what());
    }
  }
  if (!problems.empty()) throw ConfigError(std::move(problems));
  return packed;
}

int Plan::total_tests() const {
  int total = 0;
  for (const auto& host : hosts) total += static_cast<int>(host.tests.size());
  return total;
}

Plan make_plan(const std::string& sweep_path, const FleetReadHook& fleet_read) {
  Plan plan;
  plan.sweep = load_sweep(sweep_path);
  plan.fleet = load_fleet(plan.sweep.fleet_path);
  check_sweep_against_fleet(plan.sweep, plan.fleet);
  if (fleet_read) fleet_read(plan.sweep, plan.fleet);
  plan.hashes = hash_model_files(plan.sweep);
  plan.datasets = pack_datasets(plan.sweep);
  plan.hosts = expand(plan.sweep, plan.fleet, plan.hashes, plan.datasets);
  for (const auto& host : plan.fleet.hosts) {
    const bool selected = plan.sweep.hosts.empty() ||
                          std::find(plan.sweep.hosts.begin(), plan.sweep.hosts.end(), host.name) != plan.sweep.hosts.end();
    if (selected && !host.maintenance.empty()) plan.maintenance.emplace_back(host.name, host.maintenance);
  }
  if (plan.hosts.empty() && !plan.maintenance.empty()) {
    throw ConfigError({{plan.sweep.path, 0, 0, "hosts",
                        "every host the sweep selects is in maintenance (the fleet's `maintenance:`): nothing to run"}});
  }
  plan.macs = count_model_ops(plan.sweep.models);
  annotate_macs(plan.hosts, plan.sweep.models, plan.macs);
  // A shuffled sweep without a seed gets a new order each run; the plan shows the seed that repeats it.
  plan.order_seed = plan.sweep.order_seed ? *plan.sweep.order_seed : std::random_device{}() & 0x7fffffffU;
  for (auto& host : plan.hosts) host.tests = arrange_tests(host.tests, plan.sweep.order, plan.order_seed);
  return plan;
}

void print_plan(std::ostream& out, const Plan& plan) {
  out << fmt::format("sweep {} ({}): {} tests on {} hosts\n", plan.sweep.name, plan.sweep.path,
                     plan.total_tests(), plan.hosts.size());
  for (std::size_t i = 0; i < plan.sweep.models.size() && i < plan.macs.size(); ++i) {
    const ModelConfig& model = plan.sweep.models[i];
    const ModelMacs& count = plan.macs[i];
    out << fmt::format("  model {} ({}): {}\n", model.name, model.format,
                       count.macs ? fmt::format("{:.1f} M multiply-accumulates per sample",
                                                static_cast<double>(*count.macs) / 1e6)
                                  : "operation count unknown: " + count.reason);
  }
  if (plan.sweep.measure.repeats > 1 || plan.sweep.order != TestOrder::kGrouped) {
    out << fmt::format("  each test {} time{}, order {}{}\n", plan.sweep.measure.repeats,
                       plan.sweep.measure.repeats == 1 ? "" : "s", to_string(plan.sweep.order),
                       plan.sweep.order == TestOrder::kShuffled ? fmt::format(" (order_seed {})", plan.order_seed) : "");
  }
  for (const auto& host : plan.hosts) {
    out << fmt::format("\nhost {} ({}): {} tests\n", host.host.name, host.host.kind, host.tests.size());
    for (const auto& test : host.tests) {
      out << fmt::format("  {}  {}  timeout {}s\n", test.id, test_label(test), test.measure.timeout_seconds);
    }
    for (const auto& reason : host.skipped) out << "  skipped: " << reason << '\n';
  }
  for (const auto& [name, reason] : plan.maintenance) out << fmt::format("\nhost {}: in maintenance ({}): no tests\n", name, reason);
}

}  // namespace dli
