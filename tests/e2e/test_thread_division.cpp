// End-to-end: the requests in flight share the test's threads (docs/methodology.md, "Threads and requests in
// flight"). On 2 cores a contended pool and a divided one look alike in the times, so what is checked is the
// division itself: each stream's framework reports, inside its own thread, the share it was given, and the result
// records it; a combination a framework cannot honour is skipped at plan time with the reason, and refused by the
// runner when asked anyway.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/protocol/runner_protocol.hpp"
#include "e2e/sweep_fixture.hpp"
#include "support/csv_table.hpp"

namespace dli::testing {
namespace {

class ThreadDivision : public SweepWorkspace {
 protected:
  static std::size_t row_of(const CsvTable& csv, const std::string& framework, const std::string& threads) {
    for (std::size_t row = 0; row < csv.size(); ++row) {
      if (csv.at(row, "framework") == framework && csv.at(row, "threads") == threads) return row;
    }
    ADD_FAILURE() << "no row of " << framework << " with threads " << threads;
    return 0;
  }
};

TEST_F(ThreadDivision, EachRequestInFlightGetsItsShareAndTheResultSaysSo) {
  write_local_fleet();
  dir.write("sweep.yaml", "name: e2e-thread-division\nfleet: fleet.yaml\nmodels:\n  - name: digits\n    file: " +
                              model("digits_cnn.onnx") +
                              "\n    format: onnx\n    input_shape: [1, 8, 8]\nlaunchers:\n"
                              "  - framework: \"null\"\n    params: {sleep_ms: 1}\n  - onnxruntime\n  - opencv-dnn\n"
                              "batch_sizes: [1]\nmodes: [async]\nthreads: [2, 4]\nasync_requests: [2]\n"
                              "measure: {iterations: 40, min_seconds: 0, warmup_iterations: 2, max_cv: 0}\n");
  const auto plan = integrator("plan " + shell_quote(dir.str("sweep.yaml")));
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find("opencv-dnn cannot give each of 2 requests in flight 2 threads: OpenCV's thread pool is "
                             "one per process (TBB in Debian 12's OpenCV 4.6), shared by the parallel regions of "
                             "every request"),
            std::string::npos)
      << plan.output;

  const auto run = run_sweep("sweep.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const CsvTable csv(read_file(dir.str("out/results.csv")));
  ASSERT_EQ(csv.size(), 5u) << "opencv-dnn's threads 4 among 2 requests is not planned";
  for (std::size_t row = 0; row < csv.size(); ++row) {
    EXPECT_EQ(csv.at(row, "status"), "ok") << csv.at(row, "framework") << ": " << csv.at(row, "error");
    EXPECT_EQ(csv.at(row, "stream_medians_ms").find(';') != std::string::npos, true) << "one median per stream";
    EXPECT_FALSE(csv.at(row, "stream_imbalance_pct").empty());
  }
  // threads 4, requests 2: 2 each; threads 2, requests 2: 1 each.
  EXPECT_EQ(csv.at(row_of(csv, "null", "4"), "stream_threads"), "2;2");
  EXPECT_EQ(csv.at(row_of(csv, "null", "2"), "stream_threads"), "1;1");
  EXPECT_EQ(csv.at(row_of(csv, "onnxruntime", "4"), "stream_threads"), "2;2");
  EXPECT_EQ(csv.at(row_of(csv, "onnxruntime", "2"), "stream_threads"), "1;1");
  EXPECT_EQ(csv.at(row_of(csv, "opencv-dnn", "2"), "stream_threads"), "1;1") << "cv::getNumThreads() in each stream";
}

TEST_F(ThreadDivision, ARunnerRefusesADivisionWithARemainder) {
  const nlohmann::json spec = {
      {"id", "0000000000000000"},
      {"host", "local"},
      {"model",
       {{"name", "null"}, {"format", "onnx"}, {"precision", "fp32"}, {"input_shape", {1, 8, 8}},
        {"file_name", ""}, {"sha256", ""}, {"config_name", ""}, {"config_sha256", ""}}},
      {"framework", "null"},
      {"params", nlohmann::json::object()},
      {"batch", 1},
      {"mode", "async"},
      {"threads", 3},
      {"requests", 2},
      {"device", "cpu"},
      {"dataset", {{"name", ""}, {"sha256", ""}}},
      {"measure",
       {{"iterations", 10}, {"min_s", 0.0}, {"warmup_iterations", 1}, {"warmup_s", 0.0}, {"timeout_s", 60.0}}},
  };
  const nlohmann::json request = {{"runner_protocol", kRunnerProtocolVersion}, {"spec", spec}, {"model_path", ""},
                                  {"config_path", ""}, {"dataset_path", ""}};
  const std::string request_file = dir.write("request.json", request.dump());
  const std::string expected =
      "threads 3 do not divide among 2 requests in flight (each request gets threads / requests; choose threads a "
      "multiple of requests)";
  for (const std::string& runner : {std::string(DLI_RUN_NULL_EXE),
                                   std::string(DLI_SOURCE_DIR) + "/src/runners/onnxruntime/dli-run-onnxruntime",
                                   std::string(DLI_SOURCE_DIR) + "/src/runners/pytorch/dli-run-pytorch"}) {
    SCOPED_TRACE(runner);
    const std::string result_file = dir.str("result.json");
    const auto ran = run_command(shell_quote(runner) + " run --request " + shell_quote(request_file) + " --result " +
                                 shell_quote(result_file) + " </dev/null");
    EXPECT_EQ(ran.exit_code, runner_exit::kUnsupported) << ran.output;
    const RunnerResult result = runner_result_from_json(nlohmann::json::parse(read_file(result_file)), Mode::kAsync);
    EXPECT_EQ(result.status, RunnerStatus::kUnsupported);
    EXPECT_EQ(result.reason, "null: " + expected);
  }
}

}  // namespace
}  // namespace dli::testing
