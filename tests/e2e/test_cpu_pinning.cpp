// End-to-end: measure.pin_cpus through the real integrator, agent and dli-run-command (docs/methodology.md, "The
// host around a test"). The test's command reads, while it runs, its own CPUs and those of every thread of the agent
// from /proc, and writes a result only when they are what the plan says; the result's environment records them.
#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../../src/agent/cpu_affinity.hpp"
#include "dli/agent/cpu_plan.hpp"
#include "e2e/sweep_fixture.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

// $1: the CPUs the command must be allowed; $2: those every thread of the agent must be; then $3 is copied to $4.
// The agent is the nearest ancestor named dli-agent (between them: dli-run-command, and perhaps a shell).
const char* const kCheckScript = R"sh(cpus_of() { sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$1"; }
own=$(cpus_of /proc/self/status)
pid=$$
while [ "$pid" -gt 1 ] && [ "$(cat /proc/$pid/comm)" != dli-agent ]; do
  pid=$(sed 's/.*) //' /proc/$pid/stat | cut -d' ' -f2)
done
[ "$pid" -gt 1 ] || { echo "no dli-agent among the ancestors"; exit 1; }
agent=""
for task in /proc/$pid/task/*; do agent="$agent $(cpus_of $task/status)"; done
echo "runner CPUs: $own; agent threads' CPUs:$agent"
[ "$own" = "$1" ] || exit 1
for cpus in $agent; do [ "$cpus" = "$2" ] || exit 1; done
cp "$3" "$4"
)sh";

// A result of 10 request times in 0.245 s, as dli-run-command accepts it for the sweep below.
const char* const kCannedResult = R"({
  "runner_protocol": 2, "status": "ok", "reason": "", "framework_version": "check 1",
  "measurement": {"framework_version": "check 1", "load_s": 0, "first_inference_s": 0.02, "warmup_iterations": 2,
    "wall_s": 0.245, "stop_reason": "min_reached",
    "request_times": {"counts": [10],
                      "seconds": [0.020, 0.021, 0.022, 0.023, 0.024, 0.025, 0.026, 0.027, 0.028, 0.029]}},
  "accuracy": null, "details": {}
})";


class CpuPinning : public SweepWorkspace {
 protected:
  // One sync test of 2 threads by a command that checks the CPUs; `pin`: measure.pin_cpus.
  nlohmann::json run_checked(bool pin, const std::string& runner_cpus, const std::string& agent_cpus) const {
    write_local_fleet();
    dir.write("model.onnx", "not a model: the command reads nothing");
    const std::string script = dir.write("check.sh", kCheckScript);
    const std::string canned = dir.write("canned.json", kCannedResult);
    dir.write("sweep.yaml", "name: e2e-pinning\nfleet: fleet.yaml\nmodels:\n"
                            "  - {name: m, file: model.onnx, format: onnx, input_shape: [4]}\n"
                            "launchers:\n  - framework: command\n    params:\n      command: \"/bin/sh " +
                                script + " '" + runner_cpus + "' '" + agent_cpus + "' " + canned +
                                " {result}\"\n"
                                "batch_sizes: [1]\nmodes: [sync]\nthreads: [2]\n"
                                "measure: {iterations: 10, min_seconds: 0.2, warmup_iterations: 2, "
                                "timeout_seconds: 60, max_busy_share: 0, pin_cpus: " +
                                (pin ? "true" : "false") + "}\n");
    const auto run = run_sweep("sweep.yaml");
    EXPECT_EQ(run.exit_code, 0) << run.output;
    const fs::path results =
        fs::path(dir.str("store")) / "runs" / run_id_from(run.output) / "hosts" / "local" / "results";
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(results)) files.push_back(entry.path());
    if (files.size() != 1) throw std::runtime_error("expected one result");
    return nlohmann::json::parse(read_file(files.front().string()));
  }
};

// On a 2-CPU machine: the runner on CPU 0, the agent on CPU 1 (threads 2, but one CPU is the agent's).
TEST_F(CpuPinning, TheRunnerRunsOnItsOwnCpusAndEveryAgentThreadOnOneApart) {
  const std::vector<int> allowed = allowed_cpus();
  ASSERT_GE(allowed.size(), 2u) << "pinning needs at least two CPUs to keep apart";
  const std::vector<int> runner(allowed.begin(), allowed.begin() + std::min<std::size_t>(2, allowed.size() - 1));
  const int agent = allowed.back();
  const nlohmann::json result = run_checked(true, format_cpu_list(runner), std::to_string(agent));
  ASSERT_EQ(result.at("status"), "ok") << result.at("reason") << "\n" << result.at("stderr_tail");
  EXPECT_EQ(result.at("environment").at("runner_cpus"), format_cpu_list(runner));
  EXPECT_EQ(result.at("environment").at("agent_cpu"), agent);
  EXPECT_TRUE(result.at("spec").at("measure").at("pin_cpus").get<bool>());
}

TEST_F(CpuPinning, WithoutItTheRunnerAndTheAgentKeepEveryCpu) {
  const std::string all = format_cpu_list(allowed_cpus());
  const nlohmann::json result = run_checked(false, all, all);
  ASSERT_EQ(result.at("status"), "ok") << result.at("reason") << "\n" << result.at("stderr_tail");
  EXPECT_EQ(result.at("environment").at("runner_cpus"), "");
  EXPECT_EQ(result.at("environment").at("agent_cpu"), -1);
}

}  // namespace
}  // namespace dli::testing
