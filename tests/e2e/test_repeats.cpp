// End-to-end: repeats (docs/methodology.md, "Repeats") through the real integrator, agent and OpenCV runner on a
// real model: each repeat a task with a result of its own, run in the sweep's order, and one line per test showing
// its median repeat.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/sweep_fixture.hpp"
#include "support/csv_table.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

class Repeats : public SweepWorkspace {
 protected:
  void write_sweep(const std::string& order) const {
    write_local_fleet();
    dir.write("sweep.yaml", "name: e2e-repeats\nfleet: fleet.yaml\nmodels:\n  - name: digits\n    file: " +
                                model("digits_cnn.onnx") +
                                "\n    format: onnx\n    input_shape: [1, 8, 8]\nlaunchers: [opencv-dnn]\n"
                                "batch_sizes: [1]\nmodes: [sync, single_stream]\nthreads: [1]\n"
                                "measure: {iterations: 200, min_seconds: 0.05, warmup_iterations: 5, repeats: 3, "
                                "max_cv: 0, max_repeat_cv: 0, timeout_seconds: 120}\n" + order);
  }

  static std::vector<double> numbers(const std::string& cell) {
    std::vector<double> values;
    for (std::size_t at = 0; at <= cell.size();) {
      std::size_t end = cell.find(';', at);
      if (end == std::string::npos) end = cell.size();
      values.push_back(std::stod(cell.substr(at, end - at)));
      at = end + 1;
    }
    return values;
  }
};

TEST_F(Repeats, EachRepeatIsMeasuredInTheSweepsOrderAndTheLineShowsTheMedianRepeat) {
  write_sweep("order: interleaved\n");
  const auto run = run_sweep("sweep.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string run_id = run_id_from(run.output);
  const fs::path host = fs::path(dir.str("store")) / "runs" / run_id / "hosts" / "local";

  // The task list holds every repeat, interleaved: one round of both tests, three times.
  const auto tasks = nlohmann::json::parse(read_file((host / "tasks.json").string())).at("tests");
  ASSERT_EQ(tasks.size(), 6u);
  std::vector<std::string> keys;
  for (const auto& task : tasks) {
    keys.push_back(task.at("id").get<std::string>() + "-r" + std::to_string(task.at("repeat").get<int>()));
  }
  const std::string sync = tasks[0].at("id"), single = tasks[1].at("id");
  EXPECT_EQ(keys, (std::vector<std::string>{sync + "-r1", single + "-r1", sync + "-r2", single + "-r2",
                                            sync + "-r3", single + "-r3"}));
  // Each has its own result and log, and they ran in that order.
  std::string previous_start;
  for (const auto& key : keys) {
    SCOPED_TRACE(key);
    const auto result = nlohmann::json::parse(read_file((host / "results" / (key + ".json")).string()));
    EXPECT_NE(result.at("log").get<std::string>().find("[dli-agent] "), std::string::npos);
    EXPECT_EQ(result.at("status"), "ok");
    const std::string started = result.at("started_at");
    EXPECT_GE(started, previous_start);
    previous_start = started;
  }

  // One line per test: its median repeat's figures, every repeat's figure, their spread.
  const CsvTable csv(read_file(dir.str("out/results.csv")));
  ASSERT_EQ(csv.size(), 2u);
  for (std::size_t row = 0; row < csv.size(); ++row) {
    SCOPED_TRACE(csv.at(row, "mode"));
    EXPECT_EQ(csv.at(row, "status"), "ok");
    EXPECT_EQ(csv.at(row, "repeats"), "3");
    EXPECT_EQ(csv.at(row, "repeats_measured"), "3");
    const std::vector<double> figures = numbers(csv.at(row, "repeat_figures"));
    ASSERT_EQ(figures.size(), 3u);
    const int median = std::stoi(csv.at(row, "median_repeat"));
    ASSERT_GE(median, 1);
    ASSERT_LE(median, 3);
    std::vector<double> sorted = figures;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_DOUBLE_EQ(figures[static_cast<std::size_t>(median - 1)], sorted[1]);
    // The line's own figure is that repeat's: FPS for sync, the p90 latency for single_stream.
    const std::string shown = csv.at(row, "mode") == "sync" ? csv.at(row, "fps") : csv.at(row, "latency_ms");
    EXPECT_DOUBLE_EQ(std::stod(shown), sorted[1]);
    EXPECT_FALSE(csv.at(row, "repeat_cv").empty());
    EXPECT_EQ(csv.at(row, "verdict_reasons").find("repeats_disagree"), std::string::npos) << "max_repeat_cv: 0";
  }
  // The test's page lists every repeat's figure.
  const std::string page = read_file(dir.str("out/hosts/local.html"));
  EXPECT_NE(page.find("<tr><th>Repeats</th><td>3 of 3 (repeat "), std::string::npos);
}

// A repeat that has no result is measured again by `resume`, though its test's line already shows the others.
TEST_F(Repeats, ResumeMeasuresAMissingRepeatAndOnlyIt) {
  write_sweep("");
  const auto run = run_sweep("sweep.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string run_id = run_id_from(run.output);
  const fs::path host = fs::path(dir.str("store")) / "runs" / run_id / "hosts" / "local";
  const auto tasks = nlohmann::json::parse(read_file((host / "tasks.json").string())).at("tests");
  const std::string lost = tasks[1].at("id").get<std::string>() + "-r2";
  const std::string kept = tasks[0].at("id").get<std::string>() + "-r1";
  const std::string kept_before = read_file((host / "results" / (kept + ".json")).string());
  fs::remove(host / "results" / (lost + ".json"));
  const auto resumed = integrator("resume " + run_id + " --fleet " + shell_quote(dir.str("fleet.yaml")) +
                                  " --store " + shell_quote(store_url()) + " --out " + shell_quote(out_dir()) +
                                  " --no-progress");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("1 hosts with tests left to measure"), std::string::npos) << resumed.output;
  EXPECT_TRUE(fs::exists(host / "results" / (lost + ".json")));
  EXPECT_EQ(read_file((host / "results" / (kept + ".json")).string()), kept_before) << "measured once, not again";
}

// A shuffled order is drawn from a seed the plan shows, and the same seed gives the same order.
TEST_F(Repeats, ShuffledOrderIsFixedByItsSeed) {
  write_sweep("order: shuffled\norder_seed: 7\n");
  const auto first = integrator("plan " + shell_quote(dir.str("sweep.yaml")));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("each test 3 times, order shuffled (order_seed 7)"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("/rep3of3"), std::string::npos) << first.output;
  EXPECT_EQ(integrator("plan " + shell_quote(dir.str("sweep.yaml"))).output, first.output);
}

}  // namespace
}  // namespace dli::testing
