// End-to-end: the scenarios (docs/methodology.md, "Scenarios") on a real model through the real integrator, agent
// and OpenCV runner, and a verdict of INVALID for each reason a sweep can provoke (host_busy, which a sweep cannot
// provoke, is in test_host_environment.cpp). Every sweep here sets max_busy_share: 0, as max_cv: 0 where the CV is not
// the point: the tests run in parallel on a small machine, whose other processes must not change the verdicts.
#include <string>

#include <gtest/gtest.h>

#include "dli/measure/histogram.hpp"
#include "e2e/sweep_fixture.hpp"
#include "support/csv_table.hpp"

namespace dli::testing {
namespace {

class Scenarios : public SweepWorkspace {
 protected:
  // One sweep of the digits CNN (a real ONNX model, fast) under `launcher`, in `modes`, with these settings.
  CsvTable run_digits(const std::string& launcher, const std::string& modes, const std::string& measure,
                      const std::string& extra = "") const {
    write_local_fleet();
    dir.write("sweep.yaml", "name: e2e-scenarios\nfleet: fleet.yaml\nmodels:\n  - name: digits\n    file: " +
                                model("digits_cnn.onnx") +
                                "\n    format: onnx\n    input_shape: [1, 8, 8]\nlaunchers:\n  - framework: " +
                                launcher + "\nbatch_sizes: [1]\nmodes: " + modes +
                                "\nthreads: [1]\nasync_requests: [1]\nmeasure: " + measure + "\n" + extra);
    const auto run = run_sweep("sweep.yaml");
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return CsvTable(read_file(dir.str("out/results.csv")));
  }

  static std::size_t row_of(const CsvTable& csv, const std::string& mode) {
    for (std::size_t row = 0; row < csv.size(); ++row) {
      if (csv.at(row, "mode") == mode) return row;
    }
    ADD_FAILURE() << "no row of mode " << mode;
    return 0;
  }
};

// Percentile p of a CSV histogram cell, recomputed as docs/methodology.md says.
double percentile_of(const std::string& cell, double p) {
  Histogram histogram;
  std::size_t at = 0;
  while (at < cell.size()) {
    const std::size_t colon = cell.find(':', at);
    std::size_t end = cell.find(' ', colon);
    if (end == std::string::npos) end = cell.size();
    histogram.buckets.push_back({std::stoi(cell.substr(at, colon - at)), std::stoll(cell.substr(colon + 1, end - colon - 1))});
    at = end + 1;
  }
  return histogram_percentile(histogram, p);
}

TEST_F(Scenarios, EveryScenarioMeasuresARealModelWithAVerdictAndAHistogram) {
  // 1000 requests: enough for a p99 (docs/methodology.md, "Verdicts").
  const CsvTable csv = run_digits("opencv-dnn", "[sync, single_stream, multi_stream, server, offline]",
                                  "{iterations: 1000, min_seconds: 0.2, warmup_iterations: 5, max_cv: 0, "
                                  "max_busy_share: 0, latency_bound_ms: 1000, timeout_seconds: 120}",
                                  "multi_stream_samples: [4]\nserver_qps: [1000]\n");
  ASSERT_EQ(csv.size(), 5u);
  for (std::size_t row = 0; row < csv.size(); ++row) {
    SCOPED_TRACE(csv.at(row, "mode"));
    EXPECT_EQ(csv.at(row, "status"), "ok") << csv.at(row, "error");
    EXPECT_EQ(csv.at(row, "verdict"), "VALID") << csv.at(row, "verdict_reasons");
    EXPECT_EQ(csv.at(row, "stop_reason"), "min_reached");
    EXPECT_GE(std::stod(csv.at(row, "wall_s")), 0.2);
    EXPECT_GE(std::stoi(csv.at(row, "iterations")), 1000);
    // The histogram gives back the reported percentiles within its stated error (the CSV rounds to 1 µs).
    const double p99 = std::stod(csv.at(row, "p99_ms"));
    EXPECT_NEAR(percentile_of(csv.at(row, "histogram"), 99) * 1e3, p99, kHistogramRelativeError * p99 + 0.001);
  }
  EXPECT_EQ(csv.at(row_of(csv, "single_stream"), "latency_percentile"), "90");
  EXPECT_EQ(csv.at(row_of(csv, "single_stream"), "latency_ms"), csv.at(row_of(csv, "single_stream"), "p90_ms"));
  const std::size_t multi = row_of(csv, "multi_stream");
  EXPECT_EQ(csv.at(multi, "samples_per_query"), "4");
  EXPECT_EQ(csv.at(multi, "latency_ms"), csv.at(multi, "p99_ms"));
  // A query of 4 requests takes about 4 single-stream requests.
  EXPECT_GT(std::stod(csv.at(multi, "mean_ms")), 2.0 * std::stod(csv.at(row_of(csv, "single_stream"), "mean_ms")));
  const std::size_t server = row_of(csv, "server");
  EXPECT_EQ(csv.at(server, "target_qps"), "1000.000");
  EXPECT_EQ(csv.at(server, "achieved_qps"), "1000.000");
  EXPECT_EQ(csv.at(server, "iterations"), "1000") << "the schedule: max(1000, 1000 queries/s x 0.2 s)";
  // Poisson arrivals at 1000/s for 1000 queries: the wall time is about 1 s, not the 0.2 s minimum.
  EXPECT_GT(std::stod(csv.at(server, "wall_s")), 0.8);
  EXPECT_GT(std::stod(csv.at(row_of(csv, "offline"), "fps")), 0.0);
  const std::string html = read_file(dir.str("out/results.html"));
  EXPECT_NE(html.find("SingleStream p90, ms"), std::string::npos);
  EXPECT_NE(html.find("Offline, samples/s"), std::string::npos);
  EXPECT_NE(html.find("\"unit\":\"ms\""), std::string::npos) << "a latency column names its unit";
  EXPECT_NE(read_file(dir.str("out/hosts/local.html")).find(" ms (lower is better)"), std::string::npos);
}

TEST_F(Scenarios, ServerVerdictOnBothSidesOfTheBound) {
  // The digits CNN takes well under a millisecond: a 1 s bound holds, a 1 µs bound cannot.
  const std::string settings = "{iterations: 1000, min_seconds: 0.1, warmup_iterations: 5, timeout_seconds: 120, "
                               "max_busy_share: 0, ";
  CsvTable csv = run_digits("opencv-dnn", "[server]", settings + "latency_bound_ms: 1000}", "server_qps: [2000]\n");
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv.at(0, "verdict"), "VALID") << csv.at(0, "verdict_reasons");
  EXPECT_EQ(csv.at(0, "latency_bound_ms"), "1000.000");
  csv = run_digits("opencv-dnn", "[server]", settings + "latency_bound_ms: 0.001}", "server_qps: [2000]\n");
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv.at(0, "verdict"), "INVALID");
  EXPECT_EQ(csv.at(0, "verdict_reasons"), "latency_bound_broken");
}

TEST_F(Scenarios, ServerSearchFindsARateThatStaysValid) {
  const CsvTable csv = run_digits(
      "opencv-dnn", "[server]",
      "{iterations: 1000, min_seconds: 0.1, warmup_iterations: 5, timeout_seconds: 120, latency_bound_ms: 50, "
      "server_search: true, search_trials: 3, max_busy_share: 0}",
      "server_qps: [500]\n");
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv.at(0, "verdict"), "VALID") << csv.at(0, "verdict_reasons");
  // 500, then 1000 and 2000 while VALID (or 250 and 125 on a very busy host): the reported rate is one of them.
  const std::string rate = csv.at(0, "achieved_qps");
  EXPECT_TRUE(rate == "2000.000" || rate == "1000.000" || rate == "500.000" || rate == "250.000" ||
              rate == "125.000")
      << rate;
}

TEST_F(Scenarios, InvalidForEachReasonASweepCanProvoke) {
  // too_few_requests: a p90 from 20 requests (100 needed).
  CsvTable csv = run_digits("opencv-dnn", "[single_stream]",
                            "{iterations: 20, min_seconds: 0, warmup_iterations: 1, max_cv: 0, max_busy_share: 0}");
  EXPECT_EQ(csv.at(0, "verdict_reasons"), "too_few_requests");
  // min_time_not_met: max_iterations stops it before min_seconds.
  csv = run_digits("\"null\"", "[sync]",
                   "{iterations: 20, max_iterations: 20, min_seconds: 30, warmup_iterations: 1, max_cv: 0, "
                   "max_busy_share: 0}");
  EXPECT_EQ(csv.at(0, "stop_reason"), "max_count");
  EXPECT_EQ(csv.at(0, "verdict_reasons"), "min_time_not_met");
  // min_count_not_met: max_seconds stops it before `iterations` requests of 20 ms.
  write_local_fleet();
  dir.write("sweep.yaml", "name: e2e-min-count\nfleet: fleet.yaml\nmodels:\n  - name: digits\n    file: " +
                              model("digits_cnn.onnx") +
                              "\n    format: onnx\n    input_shape: [1, 8, 8]\nlaunchers:\n  - framework: \"null\"\n"
                              "    params: {sleep_ms: 20}\nbatch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n"
                              "measure: {iterations: 1000, min_seconds: 0.1, max_seconds: 0.2, "
                              "warmup_iterations: 1, max_cv: 0, max_busy_share: 0}\n");
  ASSERT_EQ(run_sweep("sweep.yaml").exit_code, 0);
  csv = CsvTable(read_file(dir.str("out/results.csv")));
  EXPECT_EQ(csv.at(0, "stop_reason"), "max_seconds");
  EXPECT_EQ(csv.at(0, "verdict_reasons"), "too_few_requests;min_count_not_met") << "about 10 requests";
  // capped: a harness-only request (tens of nanoseconds) fills the 4M-sample buffer long before a minute.
  csv = run_digits("\"null\"", "[sync]", "{iterations: 10, min_seconds: 60, warmup_iterations: 1, max_cv: 0, "
                   "max_busy_share: 0}");
  EXPECT_EQ(csv.at(0, "stop_reason"), "capped");
  EXPECT_EQ(csv.at(0, "verdict_reasons"), "min_time_not_met;capped");
  // cv_above_threshold: no real request times vary by less than 0.001 %.
  csv = run_digits("opencv-dnn", "[sync]", "{iterations: 50, min_seconds: 0, warmup_iterations: 2, max_cv: 0.00001, "
                   "max_busy_share: 0}");
  EXPECT_EQ(csv.at(0, "verdict_reasons"), "cv_above_threshold");
  EXPECT_GT(std::stod(csv.at(0, "cv")), 0.00001);
  // latency_bound_broken: ServerVerdictOnBothSidesOfTheBound.
}

TEST_F(Scenarios, AScriptRunnerSkipsTheScenariosItDoesNotImplementAtPlanTime) {
  write_local_fleet();
  dir.write("sweep.yaml", "name: e2e-skip\nfleet: fleet.yaml\nmodels:\n  - name: digits\n    file: " +
                              model("digits_cnn.onnx") +
                              "\n    format: onnx\n    input_shape: [1, 8, 8]\nlaunchers: [onnxruntime]\n"
                              "batch_sizes: [1]\nmodes: [sync, offline]\nthreads: [1]\n");
  const auto plan = integrator("plan " + shell_quote(dir.str("sweep.yaml")));
  EXPECT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find("onnxruntime does not implement mode offline (it runs sync, async, accuracy)"),
            std::string::npos)
      << plan.output;
}

}  // namespace
}  // namespace dli::testing
