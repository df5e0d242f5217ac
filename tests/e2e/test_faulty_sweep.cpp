// End-to-end: one sweep whose tests crash, abort, hang, exit and eat memory between ordinary ones, through the real
// dli-integrator, dli-agent and dli-run-null (its `fault` parameter), on this machine with a file:// store. A faulty
// test must cost only itself: every test gets exactly one result with the right status and reason, the tests after
// the faulty ones are measured, and the run ends in bounded time with exit code 1.
#include <dirent.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/protocol/protocol.hpp"
#include "e2e/sweep_fixture.hpp"
#include "support/csv_table.hpp"
#include "support/host_status_files.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

// dli-run-null runs an ordinary test in 16 MiB of address space; the less there is to eat past that, the sooner
// the eating test ends on a loaded machine (touching memory costs page faults).
constexpr int kMemoryLimitMb = 64;
// Long enough for every other test on a loaded machine; the hanging test costs exactly this.
constexpr int kTimeoutSeconds = 10;
// Seven tests, one of them a timeout: a bound for a loaded 2-core machine, not a speed goal.
constexpr double kWallBoundSeconds = 90;

// One launcher per line of the sweep, in plan order, with what its test must end as.
struct Case {
  std::string params;      // as the sweep writes them
  std::string parameters;  // as the CSV's `parameters` column shows them
  std::string status;
  std::string error;
};

std::vector<Case> cases() {
  const std::string limit = ", under a memory limit of " + std::to_string(kMemoryLimitMb) + " MiB";
  return {
      {"{sleep_ms: 1}", "sleep_ms=1", "ok", ""},
      {"{fault: crash}", "fault=crash", "crashed", "killed by signal 11 (SIGSEGV)" + limit},
      {"{fault: abort}", "fault=abort", "crashed", "killed by signal 6 (SIGABRT)" + limit},
      {"{fault: hang}", "fault=hang", "timeout",
       "exceeded " + std::to_string(kTimeoutSeconds) + " s; process group killed"},
      {"{fault: eat_memory}", "fault=eat_memory", "failed",
       "memory limit of " + std::to_string(kMemoryLimitMb) + " MiB exceeded (std::bad_alloc)"},
      {"{fault: exit}", "fault=exit", "failed",
       "exited with code 3 and wrote no result: dli-run-null: fault=exit, exiting with code 3 during load"},
      {"{sleep_ms: 2}", "sleep_ms=2", "ok", ""},
  };
}

// Processes whose command line mentions `text` (a runner or agent working in this test's folder).
std::vector<std::string> processes_mentioning(const std::string& text) {
  std::vector<std::string> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return found;
  while (const dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::string cmdline = read_file_quietly(std::string("/proc/") + entry->d_name + "/cmdline");
    if (cmdline.find(text) == std::string::npos) continue;
    for (char& c : cmdline) c = c == '\0' ? ' ' : c;
    found.push_back(std::string(entry->d_name) + ": " + cmdline);
  }
  ::closedir(proc);
  return found;
}

class FaultySweep : public SweepWorkspace {
 protected:
  void write_faulty_sweep(const std::string& measure_extra) const {
    write_local_fleet();
    dir.write("model.onnx", "not a model: the null framework reads nothing");
    std::string launchers;
    for (const Case& c : cases()) launchers += "  - {framework: \"null\", params: " + c.params + "}\n";
    dir.write("sweep.yaml", "name: e2e-faults\nfleet: fleet.yaml\nmodels:\n"
                            "  - {name: m, file: model.onnx, format: onnx, input_shape: [4]}\n"
                            "launchers:\n" + launchers +
                            "batch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n"
                            "measure: {iterations: 3, min_seconds: 0, warmup_iterations: 1, timeout_seconds: " +
                            std::to_string(kTimeoutSeconds) + measure_extra + "}\n");
  }

  fs::path host_dir(const std::string& run_id) const {
    return fs::path(dir.str("store")) / "runs" / run_id / "hosts" / "local";
  }
};

TEST_F(FaultySweep, EachFaultCostsOnlyItsOwnTestAndTheRunEndsInBoundedTime) {
  write_faulty_sweep(", memory_limit_mb: " + std::to_string(kMemoryLimitMb));
  const auto started = std::chrono::steady_clock::now();
  const auto run = run_sweep("sweep.yaml");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("faulty sweep of %zu tests: integrator and agent done in %.1f s\n", cases().size(), wall);
  EXPECT_EQ(run.exit_code, 1) << run.output;  // some tests failed; the host itself finished
  EXPECT_LT(wall, kWallBoundSeconds) << run.output;

  // Plan order is execution order: the ordinary test after the faulty ones ran, and was measured.
  const CsvTable csv(read_file(dir.str("out/results.csv")));
  const std::vector<Case> expected = cases();
  ASSERT_EQ(csv.size(), expected.size()) << read_file(dir.str("out/results.csv"));
  std::set<std::string> csv_ids;
  for (std::size_t row = 0; row < csv.size(); ++row) {
    const Case& c = expected[row];
    EXPECT_EQ(csv.at(row, "parameters"), c.parameters) << "row " << row;
    EXPECT_EQ(csv.at(row, "status"), c.status) << c.parameters << ": " << csv.at(row, "error");
    EXPECT_EQ(csv.at(row, "error"), c.error) << c.parameters;
    if (c.status == "ok") {
      EXPECT_GT(std::stod(csv.at(row, "fps")), 0.0) << c.parameters;
    }
    csv_ids.insert(csv.at(row, "task"));
  }
  EXPECT_EQ(csv_ids.size(), expected.size()) << "one row per test";

  // Exactly one result per test in the store, each carrying the limit it ran under and its log (whole: so not in
  // the store apart, docs/protocol.md 4.6).
  const std::string run_id = run_id_from(run.output);
  ASSERT_FALSE(run_id.empty()) << run.output;
  std::set<std::string> result_ids;
  for (const auto& entry : fs::directory_iterator(host_dir(run_id) / "results")) {
    const TestResult result = test_result_from_json(nlohmann::json::parse(read_file(entry.path().string())));
    EXPECT_EQ(entry.path().filename().string(), result.spec.id + ".json");
    EXPECT_TRUE(result_ids.insert(result.spec.id).second) << result.spec.id;
    EXPECT_EQ(result.spec.measure.memory_limit_mb, kMemoryLimitMb) << result.spec.id;
    EXPECT_NE(result.log.find("[dli-agent] "), std::string::npos) << result.spec.id;
    EXPECT_FALSE(fs::exists(host_dir(run_id) / "logs" / (result.spec.id + ".log"))) << result.spec.id;
  }
  EXPECT_EQ(result_ids, csv_ids);

  // The runner itself saw the limit the sweep asked for (it prints its RLIMIT_AS before eating), and its log
  // ends with the agent's verdict.
  for (std::size_t row = 0; row < csv.size(); ++row) {
    if (csv.at(row, "parameters") != "fault=eat_memory") continue;
    const std::string log = test_result_from_json(nlohmann::json::parse(read_file(
                                (host_dir(run_id) / "results" / (csv.at(row, "task") + ".json")).string())))
                                .log;
    const std::string mib = std::to_string(kMemoryLimitMb) + " MiB";
    EXPECT_NE(log.find("allocating until the address-space limit of " + mib + " stops it"), std::string::npos) << log;
    EXPECT_NE(log.find("failed (memory limit of " + mib + " exceeded (std::bad_alloc))"), std::string::npos) << log;
  }

  // The agent said it finished, and nothing it started is left: not the hung runner, not the agent.
  const std::string status = latest_status_document(dir.str("store"), run_id, "local");
  EXPECT_NE(status.find("\"done\""), std::string::npos) << status;
  EXPECT_EQ(processes_mentioning(dir.str()), std::vector<std::string>{});
}

// No limit unless the sweep sets one: the runner then sees none, and the eat_memory fault refuses to eat the host.
TEST_F(FaultySweep, WithoutAMemoryLimitTheRunnerHasNone) {
  write_faulty_sweep("");
  const auto run = run_sweep("sweep.yaml");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  const CsvTable csv(read_file(dir.str("out/results.csv")));
  ASSERT_EQ(csv.size(), cases().size());
  for (std::size_t row = 0; row < csv.size(); ++row) {
    const std::string parameters = csv.at(row, "parameters");
    if (parameters == "fault=eat_memory") {
      EXPECT_EQ(csv.at(row, "status"), "failed");
      EXPECT_NE(csv.at(row, "error").find("needs a memory limit (measure.memory_limit_mb)"), std::string::npos)
          << csv.at(row, "error");
    } else if (parameters == "fault=crash") {
      EXPECT_EQ(csv.at(row, "error"), "killed by signal 11 (SIGSEGV)") << "no limit, so none is mentioned";
    } else if (parameters.rfind("sleep_ms", 0) == 0) {
      EXPECT_EQ(csv.at(row, "status"), "ok") << csv.at(row, "error");
    }
  }
}

}  // namespace
}  // namespace dli::testing
