// End-to-end: `dli-integrator plan` (and `run`) refuse what can be known before a run with exit code 2, the place
// (file:line:column:key, or the flag) and the reason, and write nothing; huge inputs are refused quickly and in
// little memory (figures printed).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/measured_run.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

class PlanValidation : public ::testing::Test {
 protected:
  TempDir dir;  // the workspace and the current folder of every command
  TempDir scratch;  // command output, outside the workspace

  void SetUp() override {
    dir.write("m.onnx", "model bytes");
    dir.write("fleet.yaml", "hosts:\n  - name: local\n    kind: local\n    work_dir: " + dir.str("agent") + "\n");
    dir.write("sweep.yaml", "name: s\nfleet: fleet.yaml\nmodels: [{name: m, file: m.onnx, format: onnx, "
                            "input_shape: [1]}]\nlaunchers: [{framework: \"null\", params: {sleep_ms: 1}}]\n"
                            "batch_sizes: [1]\nmodes: [sync]\nthreads: [1]\nmeasure: {iterations: 1, min_seconds: 0}\n");
    before_ = names_in_workspace();
  }

  MeasuredRun integrator(const std::vector<std::string>& arguments) const {
    std::vector<std::string> argv = {DLI_INTEGRATOR_EXE};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run_measured(argv, dir.str(), scratch.str("output.txt"));
  }

  std::set<std::string> names_in_workspace() const {
    std::set<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(dir.path())) names.insert(entry.path().string());
    return names;
  }

  // Exit code 2, each line of `expected` printed as given, and nothing new in the workspace (no store, no reports,
  // no agent folder).
  void expect_refused(const MeasuredRun& run, const std::vector<std::string>& expected) const {
    EXPECT_EQ(run.exit_code, 2) << run.output;
    for (const auto& line : expected) EXPECT_NE(run.output.find(line + "\n"), std::string::npos) << line << "\nin:\n" << run.output;
    EXPECT_EQ(names_in_workspace(), before_) << "something was written";
  }

 private:
  std::set<std::string> before_;
};

TEST_F(PlanValidation, TheValidWorkspacePlans) {
  const auto run = integrator({"plan", "sweep.yaml"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("1 tests on 1 hosts"), std::string::npos) << run.output;
}

TEST_F(PlanValidation, FleetProblemsAreConfigErrorsWithTheirPlaces) {
  const std::string fleet = dir.write(
      "fleet.yaml", "store: ftps://h/x?ca_flie=/etc/hosts\nhosts:\n  - {name: .., kind: local}\n"
                    "  - {name: a, kind: local, work_dir: /tmp/w}\n  - {name: b, kind: local, work_dir: /tmp/w/}\n");
  const auto run = integrator({"plan", "sweep.yaml"});
  expect_refused(run, {"error: " + fleet + ":1:8: store: store ftps://h/x: unknown store URL option 'ca_flie' (known: "
                       "ca_file, pinned_public_key, known_hosts, ssh_private_key, ssh_public_key, connect_timeout, "
                       "stall_timeout, operation_timeout, retries, retry_delay, tls_max, sftp_posix_rename)",
                       "error: " + fleet + ":3:12: hosts[0].name: expected a name of 1 to 64 letters, digits, '_', "
                       "'.' or '-', not starting with '.' or '-', got '..' (it starts with '.')",
                       "error: " + fleet + ":5:38: hosts[2].work_dir: host 'b' has the same work_dir as host 'a' "
                       "(hosts[1].work_dir, line 4): their agents would share one cache and scratch folder"});
}

TEST_F(PlanValidation, SweepProblemsAreConfigErrorsWithTheirPlaces) {
  const std::string sweep = dir.write(
      "sweep.yaml", "name: " + std::string(65, 's') + "\nfleet: fleet.yaml\nmodels: [{name: m, file: m.onnx, format: "
                    "onnx, input_shape: [1]}]\nlaunchers: [{framework: \"null\", params: {sleep_ms: abc, fault: "
                    "boom}}]\nbatch_sizes: [1]\nmodes: [sync]\nthreads: [1]\nmeasure: {timeout_seconds: 1e10}\n");
  const auto run = integrator({"plan", "sweep.yaml"});
  expect_refused(run, {"error: " + sweep + ":1:7: name: expected a name of 1 to 64 letters, digits, '_', '.' or '-', "
                       "not starting with '.' or '-', got '" + std::string(57, 's') + "...' (it is 65 bytes long, "
                       "longer than 64)",
                       "error: " + sweep + ":4:52: launchers[0].params.sleep_ms: expected a number from 0 to "
                       "86400000, got 'abc'",
                       "error: " + sweep + ":4:64: launchers[0].params.fault: expected one of none, crash, abort, "
                       "hang, exit, eat_memory, got 'boom'",
                       "error: " + sweep + ":8:28: measure.timeout_seconds: expected a number > 0 and <= 604800 (7 "
                       "days), got '1e10'"});
}

TEST_F(PlanValidation, ABadStoreFlagIsAConfigErrorForPlanAndRun) {
  const std::string flag_error =
      "error: --store: store: store ftp://h/x: store URL option connect_timeout=1e300: expected seconds from 0 to "
      "3600 (an hour), e.g. 2.5";
  expect_refused(integrator({"plan", "sweep.yaml", "--store", "ftp://h/x?connect_timeout=1e300"}), {flag_error});
  expect_refused(integrator({"run", "sweep.yaml", "--store", "ftp://h/x?connect_timeout=1e300", "--no-progress"}),
                 {flag_error});
  expect_refused(integrator({"run", "sweep.yaml", "--store", "file://dli-store", "--no-progress"}),
                 {"error: --store: store: store URL 'file://dli-store': a file store needs an absolute path, as in "
                  "file:///srv/dli-store"});
}

// A file past the size limit is refused before it is read; one within it, by the parse's limits, before yaml-cpp
// makes millions of nodes of it. Before these limits a 34 MB sweep of 17 million items took more than 8 GiB.
// The child's peak RSS (wait4) counts what it shared with this process when forked, so each input is written and
// freed here before the run, and a small valid plan gives the baseline.
TEST_F(PlanValidation, HugeInputsAreRefusedQuicklyInLittleMemory) {
  struct Case {
    std::string what;
    std::string (*make)();
    std::string says;
  };
  const std::string sweep = dir.str("sweep.yaml");
  const auto baseline = integrator({"plan", "sweep.yaml"});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.output;
  std::printf("[ figures  ] valid plan (baseline): %.3f s, peak RSS %ld KiB\n", baseline.seconds, baseline.peak_rss_kb);
  const Case cases[] = {
      {"34 MB file",
       [] {
         std::string text(34u << 20, ' ');
         return text.replace(0, 8, "name: s\n");
       },
       sweep + ": the file is 35651584 bytes, larger than the limit of 16777216 bytes"},
      {"16 MiB list of 8 million items",
       [] {
         std::string text = "name: s\nbatch_sizes: [";
         text.reserve(16u << 20);
         while (text.size() + 4 < (16u << 20)) text += "x,";
         return text + "]\n";
       },
       sweep + ":2:14: batch_sizes: more than 10000 items in one list"},
      {"16 MiB sweep name", [] { return "name: " + std::string((16u << 20) - 100, 'n') + "\n"; },
       sweep + ":1:7: name: a text of 16777116 bytes, longer than the limit of 4096"},
  };
  for (const Case& big : cases) {
    dir.write("sweep.yaml", big.make());  // the text is freed before the child is forked
    const auto size = static_cast<std::size_t>(fs::file_size(sweep));
    const auto run = integrator({"plan", "sweep.yaml"});
    std::printf("[ figures  ] %s (%zu bytes): exit %d in %.3f s, peak RSS %ld KiB\n", big.what.c_str(), size,
                run.exit_code, run.seconds, run.peak_rss_kb);
    EXPECT_EQ(run.exit_code, 2) << big.what;
    EXPECT_NE(run.output.find("error: " + big.says), std::string::npos) << big.what << ":\n" << run.output.substr(0, 2000);
    EXPECT_LT(run.output.size(), 20000u) << "the messages are bounded too";
    // Generous: the slowest case is yaml-cpp scanning a 16 MiB text (about 4 s with 10 other jobs on 2 cores).
    EXPECT_LT(run.seconds, 10.0) << big.what;
    EXPECT_LT(run.peak_rss_kb, 256L * 1024) << big.what;
  }
  dir.write("sweep.yaml", "");  // same names as before
  EXPECT_EQ(names_in_workspace().size(), 3u) << "nothing was written";
}

}  // namespace
}  // namespace dli::testing
