// End-to-end: every result says what the host was doing around its test (docs/methodology.md, "The host around a
// test"); a host made busy for real gets the warning, with the busy processes named, and an INVALID verdict unless
// the sweep turns the busy rule off.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/sweep_fixture.hpp"
#include "support/background_command.hpp"
#include "support/csv_table.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

class HostEnvironment : public SweepWorkspace {
 protected:
  // One null test that sleeps about a second: it uses almost no CPU itself. `measure`: more measure settings.
  void write_sleeping_sweep(const std::string& measure = "") const {
    write_local_fleet();
    dir.write("model.onnx", "not a model: the null framework reads nothing");
    dir.write("sweep.yaml",
              "name: e2e-environment\nfleet: fleet.yaml\nmodels:\n"
              "  - {name: m, file: model.onnx, format: onnx, input_shape: [4]}\n"
              "launchers:\n  - {framework: \"null\", params: {sleep_ms: 100}}\n"
              "batch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n"
              "measure: {iterations: 10, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 60" + measure + "}\n");
  }

  nlohmann::json only_result(const std::string& run_id) const {
    const fs::path results = fs::path(dir.str("store")) / "runs" / run_id / "hosts" / "local" / "results";
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(results)) files.push_back(entry.path());
    if (files.size() != 1) throw std::runtime_error("expected one result");
    return nlohmann::json::parse(read_file(files.front().string()));
  }
};

TEST_F(HostEnvironment, EveryResultRecordsTheHostAroundItsTest) {
  write_sleeping_sweep();
  const auto run = run_sweep("sweep.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const nlohmann::json environment = only_result(run_id_from(run.output)).at("environment");
  EXPECT_EQ(environment.at("logical_cpus").get<long>(), ::sysconf(_SC_NPROCESSORS_ONLN));
  EXPECT_EQ(environment.at("build_type"), DLI_BUILD_TYPE_OF_THE_TESTS);
  EXPECT_FALSE(environment.at("kernel").get<std::string>().empty());
  EXPECT_GE(environment.at("load_1m").get<double>(), 0.0);
  EXPECT_GT(environment.at("mem_available_kb").get<long long>(), 0);
  const double share = environment.at("other_cpu_share").get<double>();
  EXPECT_GE(share, 0.0);
  EXPECT_LE(share, 1.0);
  const CsvTable csv(read_file(dir.str("out/results.csv")));
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv.at(0, "build_type"), DLI_BUILD_TYPE_OF_THE_TESTS);
  EXPECT_FALSE(csv.at(0, "other_cpu_pct").empty());
}

std::vector<std::string> reasons_of(const nlohmann::json& result) {
  return result.at("measurement").at("verdict").at("reasons").get<std::vector<std::string>>();
}

bool has(const std::vector<std::string>& reasons, const std::string& reason) {
  return std::find(reasons.begin(), reasons.end(), reason) != reasons.end();
}

TEST_F(HostEnvironment, AHostKeptBusyByOtherProcessesIsMarkedBusyWithThemNamed) {
  write_sleeping_sweep();
  // One CPU burner per logical CPU, for the whole run: the sleeping test uses next to nothing itself. At a higher
  // priority (the tests run as root) they take the CPUs from whatever else this machine runs meanwhile, so that they
  // are the busiest processes of the test's time.
  std::vector<std::unique_ptr<BackgroundCommand>> burners;
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  for (long i = 0; i < cpus; ++i) {
    burners.push_back(std::make_unique<BackgroundCommand>(
        std::vector<std::string>{"/usr/bin/nice", "-n", "-10", "/bin/sh", "-c", "while :; do :; done"},
        dir.str("burner.out")));
  }
  const auto run = run_sweep("sweep.yaml");
  const std::string csv_text = read_file(dir.str("out/results.csv"));  // the next run writes its own
  const std::string html = read_file(dir.str("out/results.html"));
  // The same test with the busy rule off, under the same load (its id differs: max_busy_share is not the default).
  write_sleeping_sweep(", max_busy_share: 0");
  const auto ruleless = run_sweep("sweep.yaml");
  burners.clear();  // killed
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ASSERT_EQ(ruleless.exit_code, 0) << ruleless.output;
  const nlohmann::json result = only_result(run_id_from(run.output));
  const nlohmann::json environment = result.at("environment");
  EXPECT_GT(environment.at("other_cpu_share").get<double>(), 0.5) << environment.dump(1);
  bool named = false;  // among the busiest (other tests running in parallel may be busier still)
  for (const auto& process : environment.at("busiest")) named = named || process.at("name") == "sh";
  EXPECT_TRUE(named) << environment.dump(1);
  bool busy = false;
  for (const auto& warning : environment.at("warnings")) {
    busy = busy || warning.get<std::string>().rfind("host busy: ", 0) == 0;
  }
  EXPECT_TRUE(busy) << environment.dump(1);
  const CsvTable csv(csv_text);
  EXPECT_NE(csv.at(0, "warnings").find("host busy"), std::string::npos) << csv.at(0, "warnings");
  EXPECT_NE(html.find("warning: host busy"), std::string::npos) << "the cell says why it is marked";
  // By default, more than 5 % of the host's CPU time taken by others makes the figure INVALID.
  EXPECT_FALSE(result.at("measurement").at("verdict").at("valid").get<bool>()) << result.at("measurement").dump(1);
  EXPECT_EQ(reasons_of(result).back(), "host_busy") << "the last reason in verdict.hpp's order";
  EXPECT_EQ(csv.at(0, "verdict"), "INVALID");
  EXPECT_NE(csv.at(0, "verdict_reasons").find("host_busy"), std::string::npos) << csv.at(0, "verdict_reasons");
  // With max_busy_share 0 the same load is only a warning.
  const nlohmann::json without_rule = only_result(run_id_from(ruleless.output));
  EXPECT_GT(without_rule.at("environment").at("other_cpu_share").get<double>(), 0.5);
  EXPECT_FALSE(has(reasons_of(without_rule), "host_busy")) << without_rule.at("measurement").dump(1);
}

}  // namespace
}  // namespace dli::testing
