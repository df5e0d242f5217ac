// A host whose disk is taken by the model cache of earlier runs, for real: the local agent's work dir is a small
// tmpfs (in a mount namespace of the test's own) where each run leaves its model behind, as on a fleet night after
// night. Models this run does not use and nobody used for an hour must give way, before a test and when a download
// fills the disk, instead of the host stopping or the test failing; a model the disk cannot hold at all fails its
// test saying so (docs/protocol.md 7, "Room on the host"). Needs root, like every integration test.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "dli/util/sha256.hpp"

#include "support/csv_table.hpp"
#include "support/process.hpp"
#include "support/run_output.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kTests = 3;

// A sweep of kTests null tests of model `name`, `mib` MiB of `fill`, on a local host whose work dir is `dir`/work.
void write_sweep(const TempDir& dir, const std::string& name, int mib, char fill) {
  dir.write(name + ".onnx", std::string(static_cast<std::size_t>(mib) << 20, fill));  // the null runner never reads it
  dir.write("fleet.yaml", "hosts:\n  - name: local\n    kind: local\n    work_dir: " + dir.str("work") + "\n");
  dir.write(name + ".yaml",
            "name: cache-room-" + name + "\n"
            "fleet: fleet.yaml\n"
            "models:\n"
            "  - {name: " + name + ", file: " + name + ".onnx, format: onnx, input_shape: [1]}\n"
            "launchers:\n"
            "  - {framework: \"null\", params: {sleep_ms: 5}}\n"
            "batch_sizes: [1, 2, 3]\n"
            "modes: [sync]\n"
            "threads: [1]\n"
            "measure: {iterations: 5, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 60}\n");
}

// Runs each sweep in turn on a 48 MiB tmpfs work dir, every cached model made two hours old between runs; each
// run's log and exit code, and the cache's folders after it, are left in `dir`.
void run_in_turn(const TempDir& dir, const std::vector<std::string>& sweeps) {
  std::string script = "set -u\ncd " + shell_quote(dir.str()) + "\n" +
                       "mkdir -p work && mount -t tmpfs -o size=48m dli-test-cache-room work || exit 90\n";
  for (const auto& sweep : sweeps) {
    script += "touch -d '2 hours ago' work/models/*/* work/models/* 2> /dev/null\n" +
              shell_quote(DLI_INTEGRATOR_EXE) + " run " + sweep + ".yaml --store " +
              shell_quote("file://" + dir.str("store")) + " --out out-" + sweep + " --no-progress > " + sweep +
              ".log 2>&1; echo $? > " + sweep + ".exit\n"
              "ls work/models > " + sweep + ".cached\n";
  }
  script += "umount work\n";
  dir.write("runs.sh", script);
  const auto ran = run_command("unshare --mount --propagation private bash " + shell_quote(dir.str("runs.sh")));
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
}

std::string sha_of(const TempDir& dir, const std::string& name) { return sha256_file_hex(dir.str(name + ".onnx")); }

void expect_all_ok(const TempDir& dir, const std::string& sweep) {
  const std::string log = read_file(dir.str(sweep + ".log"));
  EXPECT_EQ(read_file(dir.str(sweep + ".exit")), "0\n") << log;
  const CsvTable csv(read_file(dir.str("out-" + sweep + "/results.csv")));
  ASSERT_EQ(csv.size(), static_cast<std::size_t>(kTests)) << log;
  for (std::size_t row = 0; row < csv.size(); ++row) EXPECT_EQ(csv.at(row, "status"), "ok") << csv.at(row, "error");
}

// Run b's model (20 MiB) leaves 7 MiB of the disk after its first test: the second would not start (a test needs
// 16 MiB) unless run a's idle model goes.
TEST(ModelCacheRoom, AnOldModelOfAnotherRunGivesWayBeforeATest) {
  TempDir dir;
  write_sweep(dir, "a", 20, 'a');
  write_sweep(dir, "b", 20, 'b');
  run_in_turn(dir, {"a", "b"});
  expect_all_ok(dir, "a");
  expect_all_ok(dir, "b");
  EXPECT_EQ(read_file(dir.str("b.cached")), sha_of(dir, "b") + "\n") << read_file(dir.str("b.log"));
}

// Run c's model (30 MiB) does not fit beside run a's (24 MiB) on 48: its download fills the disk, run a's model
// goes and the download is tried again. Run d's (60 MiB) fits nowhere: its tests fail saying so, and the host
// goes on with what it can.
TEST(ModelCacheRoom, ADownloadThatFillsTheDiskIsTriedAgainOnceOldModelsGaveWay) {
  TempDir dir;
  write_sweep(dir, "a", 24, 'a');
  write_sweep(dir, "c", 30, 'c');
  write_sweep(dir, "d", 60, 'd');
  run_in_turn(dir, {"a", "c", "d"});
  expect_all_ok(dir, "a");
  expect_all_ok(dir, "c");
  EXPECT_EQ(read_file(dir.str("c.cached")), sha_of(dir, "c") + "\n") << read_file(dir.str("c.log"));

  const std::string log = read_file(dir.str("d.log"));
  EXPECT_EQ(read_file(dir.str("d.exit")), "1\n") << log;  // tests failed; the host did not
  const CsvTable csv(read_file(dir.str("out-d/results.csv")));
  ASSERT_EQ(csv.size(), static_cast<std::size_t>(kTests)) << log;
  for (std::size_t row = 0; row < csv.size(); ++row) {
    EXPECT_EQ(csv.at(row, "status"), "failed");
    EXPECT_NE(csv.at(row, "error").find("d.onnx (models/" + sha_of(dir, "d") + "): the disk of " + dir.str("work") +
                                        "/models has no room for it ("),
              std::string::npos)
        << csv.at(row, "error");
  }
  EXPECT_EQ(read_file(dir.str("d.cached")), "") << "no partial download is left";
}

}  // namespace
}  // namespace dli::testing
