// End-to-end: runs recorded in the history database by the real integrator (docs/history.md): two nights make a
// series, importing a run again changes nothing, and a history that cannot be written costs the history only.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "e2e/sweep_fixture.hpp"
#include "support/history_dump.hpp"

namespace dli::testing {
namespace {

class History : public SweepWorkspace {
 protected:
  void write_sweep() const {
    write_local_fleet();
    dir.write("sweep.yaml", "name: e2e-history\nfleet: fleet.yaml\nmodels:\n  - name: digits\n    file: " +
                                model("digits_cnn.onnx") +
                                "\n    format: onnx\n    input_shape: [1, 8, 8]\nlaunchers: [opencv-dnn]\n"
                                "batch_sizes: [1, 2]\nmodes: [sync]\nthreads: [1]\n"
                                "measure: {iterations: 50, min_seconds: 0.05, max_cv: 0, timeout_seconds: 120}\n");
  }
  std::string history_file() const { return dir.str("history.sqlite"); }
};

TEST_F(History, TwoRunsMakeASeriesAndImportingARunAgainChangesNothing) {
  write_sweep();
  const auto first = run_sweep("sweep.yaml");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  // The default: beside the report folder (--out <dir>/out).
  EXPECT_NE(first.output.find("History: " + history_file()), std::string::npos) << first.output;
  const auto second = run_sweep("sweep.yaml");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  const std::string first_run = run_id_from(first.output), second_run = run_id_from(second.output);

  const auto list = integrator("history list --history " + shell_quote(history_file()));
  ASSERT_EQ(list.exit_code, 0) << list.output;
  const auto first_line = list.output.find(first_run), second_line = list.output.find(second_run);
  ASSERT_NE(first_line, std::string::npos) << list.output;
  ASSERT_NE(second_line, std::string::npos) << list.output;
  EXPECT_LT(first_line, second_line) << "oldest first";
  EXPECT_NE(list.output.find("2 ok of 2 results"), std::string::npos) << list.output;

  const std::string before = history_dump(history_file());
  const auto imported = integrator("history import " + first_run + " --store " + shell_quote(store_url()) +
                                   " --history " + shell_quote(history_file()));
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_NE(imported.output.find("(run " + first_run + ", 2 tests)"), std::string::npos) << imported.output;
  EXPECT_EQ(history_dump(history_file()), before);
}

// The reports are written and the run stays in the store; the exit code says only the history failed.
TEST_F(History, AHistoryThatCannotBeWrittenCostsOnlyTheHistory) {
  write_sweep();
  std::filesystem::create_directories(dir.str("not-a-file.sqlite"));  // a folder where the database should be
  const auto run = integrator("run " + shell_quote(dir.str("sweep.yaml")) + " --store " + shell_quote(store_url()) +
                              " --out " + shell_quote(out_dir()) + " --no-progress --history " +
                              shell_quote(dir.str("not-a-file.sqlite")));
  EXPECT_EQ(run.exit_code, 6) << run.output;
  EXPECT_TRUE(std::filesystem::exists(dir.str("out/results.csv")));
  EXPECT_NE(run.output.find("not-a-file.sqlite"), std::string::npos) << run.output;
  const auto later = integrator("history import " + run_id_from(run.output) + " --store " + shell_quote(store_url()) +
                                " --history " + shell_quote(history_file()));
  EXPECT_EQ(later.exit_code, 0) << later.output;
}

}  // namespace
}  // namespace dli::testing
