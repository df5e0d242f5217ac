// A host whose own disk fills up mid-run, for real: the local agent's work dir is a small tmpfs (mounted in a mount
// namespace of the test's own, so nothing stays mounted whatever happens), filled once two results are in the
// store. The agent must stop starting tests rather than fail every one left, lose nothing it measured, end `failed`
// with the reason, and `resume` must measure the rest once there is room (docs/protocol.md 6, "The host's disk").
// Needs root, like every integration test.
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

TEST(HostDiskFull, AFullWorkDirStopsTheAgentLosesNothingAndResumeMeasuresTheRest) {
  TempDir dir;
  dir.write("blank.onnx", std::string(1024, 'x'));  // the null runner never reads it
  dir.write("fleet.yaml", "hosts:\n  - name: local\n    kind: local\n    work_dir: " + dir.str("work") + "\n");
  std::string batches;
  for (int batch = 1; batch <= kTests; ++batch) batches += (batch > 1 ? ", " : "") + std::to_string(batch);
  dir.write("sweep.yaml",
            "name: disk-full\n"
            "fleet: fleet.yaml\n"
            "models:\n"
            "  - {name: blank, file: blank.onnx, format: onnx, input_shape: [1]}\n"
            "launchers:\n"
            "  - {framework: \"null\", params: {sleep_ms: 20}}\n"
            "batch_sizes: [" + batches + "]\n"
            "modes: [sync]\n"
            "threads: [1]\n"
            "measure: {iterations: 10, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 60}\n");
  const std::string integrator = DLI_INTEGRATOR_EXE;
  const std::string store = dir.str("store");
  // The work dir has room for every test (20 MiB, more than the 16 a test may start with) until it is filled.
  dir.write("fault.sh",
            "set -u\n"
            "cd " + shell_quote(dir.str()) + "\n"
            "mkdir -p work && mount -t tmpfs -o size=20m dli-test-host-disk work || exit 90\n"
            "'" + integrator + "' run sweep.yaml --store file://" + store + " --out out --no-progress > run.log 2>&1 &\n"
            "run=$!\n"
            "for i in $(seq 1500); do\n"
            "  n=$(ls store/runs/*/hosts/local/results/*.json 2>/dev/null | wc -l)\n"
            "  [ \"$n\" -ge 2 ] || ! kill -0 $run 2> /dev/null && break\n"
            "  sleep 0.02\n"
            "done\n"
            "ls store/runs/*/hosts/local/results/*.json 2>/dev/null | wc -l > published_at_fill\n"
            "dd if=/dev/zero of=work/filler bs=64k 2> /dev/null\n"
            "df -k work | tail -1 > df_after_fill\n"
            "wait $run; echo $? > run_exit\n"
            "ls store/runs/*/hosts/local/results/*.json 2>/dev/null | wc -l > published_after_run\n"
            "run_id=$(sed -n 's/^run \\([^:]*\\): [0-9]* ok.*/\\1/p' run.log)\n"
            "'" + integrator + "' status \"$run_id\" --store file://" + store + " > status.txt 2>&1\n"
            "rm -f work/filler\n"
            "'" + integrator + "' resume \"$run_id\" --fleet fleet.yaml --store file://" + store +
            " --out out2 --no-progress > resume.log 2>&1; echo $? > resume_exit\n"
            "umount work\n");
  const auto fault = run_command("unshare --mount --propagation private bash " + shell_quote(dir.str("fault.sh")));
  ASSERT_EQ(fault.exit_code, 0) << fault.output;
  const std::string run_log = read_file(dir.str("run.log"));
  const std::string run_id = run_id_from(run_log);
  ASSERT_FALSE(run_id.empty()) << run_log;
  const int published_at_fill = std::stoi(read_file(dir.str("published_at_fill")));
  ASSERT_GE(published_at_fill, 2) << run_log;
  ASSERT_LT(published_at_fill, kTests) << "the run ended before the disk filled: the test proves nothing";

  // The run: the host failed for want of room, said why, and every test it did not measure is not_run with that
  // reason; none is `failed` (the disk, not the test, stopped them), and nothing was measured twice or lost.
  EXPECT_EQ(read_file(dir.str("run_exit")), "3\n") << run_log;
  EXPECT_NE(run_log.find("no room in the work dir"), std::string::npos) << run_log;
  const CsvTable csv(read_file(dir.str("out/results.csv")));
  ASSERT_EQ(csv.size(), static_cast<std::size_t>(kTests));
  int ok = 0;
  for (std::size_t row = 0; row < csv.size(); ++row) {
    if (csv.at(row, "status") == "ok") {
      ++ok;
      continue;
    }
    EXPECT_EQ(csv.at(row, "status"), "not_run") << csv.at(row, "error");
    EXPECT_NE(csv.at(row, "error").find("not run: host failed: no room in the work dir"), std::string::npos)
        << csv.at(row, "error");
  }
  const fs::path results = fs::path(store) / "runs" / run_id / "hosts" / "local" / "results";
  EXPECT_GE(ok, published_at_fill);
  EXPECT_LT(ok, kTests);
  EXPECT_EQ(std::stoi(read_file(dir.str("published_after_run"))), ok)
      << "every result measured is in the store, and only those";
  const std::string status = read_file(dir.str("status.txt"));
  EXPECT_NE(status.find("failed"), std::string::npos) << status;
  EXPECT_NE(status.find("a test needs 16 MiB"), std::string::npos) << status;

  // Room again: resume measures exactly what is missing.
  const std::string resume_log = read_file(dir.str("resume.log"));
  EXPECT_EQ(read_file(dir.str("resume_exit")), "0\n") << resume_log;
  const CsvTable resumed(read_file(dir.str("out2/results.csv")));
  ASSERT_EQ(resumed.size(), static_cast<std::size_t>(kTests)) << resume_log;
  for (std::size_t row = 0; row < resumed.size(); ++row) {
    EXPECT_EQ(resumed.at(row, "status"), "ok") << resumed.at(row, "error");
  }
  EXPECT_EQ(results_in(results), kTests);
}

}  // namespace
}  // namespace dli::testing
