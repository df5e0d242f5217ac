// A host whose own disk fails mid-run, for real: the local agent's work dir is a small tmpfs (mounted in a mount
// namespace of the test's own, so nothing stays mounted whatever happens) that is filled, or covered by a read-only
// bind mount, once two results are in the store. The agent must stop starting tests rather than fail every one left, lose
// nothing it measured, end `failed` with the reason, and `resume` must measure the rest once the disk is repaired
// (docs/protocol.md 6, "The host's disk"). Needs root, like every integration test.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/csv_table.hpp"
#include "support/process.hpp"
#include "support/run_output.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kTests = 20;

int results_in(const fs::path& folder) {
  int count = 0;
  std::error_code none;
  for (const auto& entry : fs::directory_iterator(folder, none)) count += entry.path().extension() == ".json";
  return count;
}

// A 20-test sweep of the null runner on a local host whose work dir is `dir`/work.
void write_sweep(const TempDir& dir) {
  dir.write("blank.onnx", std::string(1024, 'x'));  // the null runner never reads it
  dir.write("fleet.yaml", "hosts:\n  - name: local\n    kind: local\n    work_dir: " + dir.str("work") + "\n");
  std::string batches;
  for (int batch = 1; batch <= kTests; ++batch) batches += (batch > 1 ? ", " : "") + std::to_string(batch);
  dir.write("sweep.yaml",
            "name: host-disk\n"
            "fleet: fleet.yaml\n"
            "models:\n"
            "  - {name: blank, file: blank.onnx, format: onnx, input_shape: [1]}\n"
            "launchers:\n"
            "  - {framework: \"null\", params: {sleep_ms: 20}}\n"
            "batch_sizes: [" + batches + "]\n"
            "modes: [sync]\n"
            "threads: [1]\n"
            "measure: {iterations: 10, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 60}\n");
}

// The sweep with its work dir a 20 MiB tmpfs (room for every test: a test may start with 16), broken by the shell
// command `fault` once two results are in the store and mended by `repair` after the run; then `status` and
// `resume`. Every file the checks read is in `dir`.
void run_with_broken_disk(const TempDir& dir, const std::string& fault, const std::string& repair) {
  write_sweep(dir);
  const std::string integrator = shell_quote(DLI_INTEGRATOR_EXE);
  const std::string store = " --store " + shell_quote("file://" + dir.str("store"));
  const std::string results = "store/runs/*/hosts/local/results/*.json";
  dir.write("fault.sh",
            "set -u\n"
            "cd " + shell_quote(dir.str()) + "\n"
            "mkdir -p work && mount -t tmpfs -o size=20m dli-test-host-disk work || exit 90\n" +
            integrator + " run sweep.yaml" + store + " --out out --no-progress > run.log 2>&1 &\n"
            "run=$!\n"
            "for i in $(seq 1500); do\n"
            "  n=$(ls " + results + " 2> /dev/null | wc -l)\n"
            "  [ \"$n\" -ge 2 ] || ! kill -0 $run 2> /dev/null && break\n"
            "  sleep 0.02\n"
            "done\n"
            "ls " + results + " 2> /dev/null | wc -l > published_at_fault\n" +
            fault + "\n"
            "wait $run; echo $? > run_exit\n"
            "ls " + results + " 2> /dev/null | wc -l > published_after_run\n"
            "run_id=$(sed -n 's/^run \\([^:]*\\): [0-9]* ok.*/\\1/p' run.log)\n" +
            integrator + " status \"$run_id\"" + store + " > status.txt 2>&1; echo $? > status_exit\n" +
            repair + "\n" +
            integrator + " resume \"$run_id\" --fleet fleet.yaml" + store +
            " --out out2 --no-progress > resume.log 2>&1; echo $? > resume_exit\n"
            "umount work\n");
  const auto ran = run_command("unshare --mount --propagation private bash " + shell_quote(dir.str("fault.sh")));
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
}

// What every broken disk must give: the host `failed` for `why`, every test it did not measure `not_run` with that
// reason and none `failed` (the disk, not the test, stopped them), nothing measured lost or twice; then `resume`
// measures exactly what is missing.
void expect_stopped_then_resumed(const TempDir& dir, const std::string& why) {
  const std::string run_log = read_file(dir.str("run.log"));
  const std::string run_id = run_id_from(run_log);
  ASSERT_FALSE(run_id.empty()) << run_log;
  const int published_at_fault = std::stoi(read_file(dir.str("published_at_fault")));
  ASSERT_GE(published_at_fault, 2) << run_log;
  ASSERT_LT(published_at_fault, kTests) << "the run ended before the disk broke: the test proves nothing";

  EXPECT_EQ(read_file(dir.str("run_exit")), "3\n") << run_log;  // a host failed
  const std::string reason = "the work dir " + dir.str("work") + " on this host cannot take another test (";
  EXPECT_NE(run_log.find(reason), std::string::npos) << run_log;
  const CsvTable csv(read_file(dir.str("out/results.csv")));
  ASSERT_EQ(csv.size(), static_cast<std::size_t>(kTests));
  int ok = 0;
  for (std::size_t row = 0; row < csv.size(); ++row) {
    if (csv.at(row, "status") == "ok") {
      ++ok;
      continue;
    }
    EXPECT_EQ(csv.at(row, "status"), "not_run") << csv.at(row, "error");
    EXPECT_EQ(csv.at(row, "error").rfind("not run: host failed: " + reason, 0), 0u) << csv.at(row, "error");
    EXPECT_NE(csv.at(row, "error").find(why), std::string::npos) << csv.at(row, "error");
  }
  EXPECT_GE(ok, published_at_fault);
  EXPECT_LT(ok, kTests);
  EXPECT_EQ(std::stoi(read_file(dir.str("published_after_run"))), ok)
      << "every result measured is in the store, and only those";
  const std::string status = read_file(dir.str("status.txt"));
  EXPECT_NE(status.find("failed"), std::string::npos) << status;
  EXPECT_NE(status.find(why), std::string::npos) << status;
  EXPECT_EQ(read_file(dir.str("status_exit")), "3\n") << status;  // as `run` ends: a host failed

  const std::string resume_log = read_file(dir.str("resume.log"));
  EXPECT_EQ(read_file(dir.str("resume_exit")), "0\n") << resume_log;
  const CsvTable resumed(read_file(dir.str("out2/results.csv")));
  ASSERT_EQ(resumed.size(), static_cast<std::size_t>(kTests)) << resume_log;
  for (std::size_t row = 0; row < resumed.size(); ++row) {
    EXPECT_EQ(resumed.at(row, "status"), "ok") << resumed.at(row, "error");
  }
  EXPECT_EQ(results_in(fs::path(dir.str("store")) / "runs" / run_id / "hosts" / "local" / "results"), kTests);
}

TEST(HostDiskFull, AFullWorkDirStopsTheAgentLosesNothingAndResumeMeasuresTheRest) {
  TempDir dir;
  run_with_broken_disk(dir, "dd if=/dev/zero of=work/filler bs=64k 2> /dev/null", "rm -f work/filler");
  expect_stopped_then_resumed(dir, "KiB free, a test needs 16 MiB");
}

// A file system gone read-only (as ext4 does on errors) still shows its free space: the agent learns of it from
// the test that could not write, and tries a file of its own before it blames the disk. The tmpfs itself cannot be
// remounted read-only while the agent's log is open for writing, so a read-only bind mount covers it: every file
// opened from then on is refused, as on a file system remounted read-only by the kernel.
TEST(HostDiskFull, AWorkDirGoneReadOnlyStopsTheAgentLikeAFullOne) {
  TempDir dir;
  run_with_broken_disk(dir,
                       "mount --bind work work && "
                       "for i in $(seq 100); do mount -o remount,bind,ro work 2> /dev/null && break; sleep 0.01; done",
                       "umount work");
  expect_stopped_then_resumed(dir, "a file cannot be written there (Read-only file system)");
}

// An agent that cannot even make its run's folder exits before its first heartbeat: the integrator, which sees it
// exit, says so at once and where to look, instead of waiting out the start timeout (here 600 s, beyond the 120 s
// the run is given) to call the host silent.
TEST(HostDiskFull, AnAgentThatCannotStartInItsWorkDirIsLostAtOnceWithWhereToLook) {
  TempDir dir;
  write_sweep(dir);
  dir.write("fault.sh",
            "cd " + shell_quote(dir.str()) + "\n"
            "mkdir -p work && mount -t tmpfs -o size=20m,ro dli-test-host-disk work || exit 90\n"
            "timeout 120 " + shell_quote(DLI_INTEGRATOR_EXE) + " run sweep.yaml --store " +
            shell_quote("file://" + dir.str("store")) + " --out out --no-progress --start-timeout 600 > run.log 2>&1\n"
            "echo $? > run_exit\n"
            "umount work\n");
  const auto ran = run_command("unshare --mount --propagation private bash " + shell_quote(dir.str("fault.sh")));
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  const std::string run_log = read_file(dir.str("run.log"));
  EXPECT_EQ(read_file(dir.str("run_exit")), "3\n") << run_log;  // a host lost, not the timeout's 124
  const CsvTable csv(read_file(dir.str("out/results.csv")));
  ASSERT_EQ(csv.size(), static_cast<std::size_t>(kTests)) << run_log;
  const std::string run_id = run_id_from(run_log);
  for (std::size_t row = 0; row < csv.size(); ++row) {
    EXPECT_EQ(csv.at(row, "status"), "not_run");
    EXPECT_EQ(csv.at(row, "error"), "not run: host lost: the agent exited before its first heartbeat; its output: " +
                                        dir.str("work") + "/agent-" + run_id + ".out on the host");
  }
}

}  // namespace
}  // namespace dli::testing
