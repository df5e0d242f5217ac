// Expansion of a sweep into per-host tests: order, counts, skips, host limits, model references and ids.
#include "dli/integrator/matrix.hpp"

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/util/sha256.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

class MatrixExpand : public ::testing::Test {
 protected:
  testing::TempDir dir;

  void SetUp() override {
    dir.write("models/a.onnx", "model a");
    dir.write("models/b.onnx", "model b");
    dir.write("models/c.pt", "model c");
    dir.write("models/net.caffemodel", "weights");
    dir.write("models/deploy.prototxt", "layers");
  }

  FleetConfig fleet(const std::string& hosts_yaml) const {
    return parse_fleet("hosts:\n" + hosts_yaml, dir.str("fleet.yaml"));
  }
  FleetConfig one_local_host() const { return fleet("  - {name: local, kind: local}\n"); }

  // A sweep whose models, launchers and axes are given as YAML lines.
  SweepConfig sweep(const std::string& body) const {
    dir.write("fleet.yaml", "hosts: [{name: local, kind: local}]\n");
    return parse_sweep("name: s\nfleet: fleet.yaml\n" + body, dir.str("sweep.yaml"));
  }

  static std::vector<std::string> labels(const HostPlan& plan) {
    std::vector<std::string> result;
    for (const auto& test : plan.tests) result.push_back(test_label(test));
    return result;
  }
};

const std::string kTwoModels = R"(models:
  - {name: a, file: models/a.onnx, format: onnx, input_shape: [3, 8, 8]}
  - {name: b, file: models/b.onnx, format: onnx, input_shape: [1, 4]}
)";

TEST_F(MatrixExpand, CrossProductInYamlOrderWithRequestsOnlyInAsyncMode) {
  // null divides the threads among the requests in flight as asked; 6 and 12 divide among 2 and 3.
  const SweepConfig s = sweep(kTwoModels + R"(launchers: ["null"]
batch_sizes: [4, 1]
modes: [sync, async]
threads: [6, 12]
async_requests: [2, 3]
)");
  const auto plans = expand(s, one_local_host(), hash_model_files(s));
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_TRUE(plans[0].skipped.empty());
  const std::vector<std::string> model_a = {
      "a/null/b4/sync/t6",      "a/null/b4/sync/t12",     "a/null/b4/async/t6/r2", "a/null/b4/async/t6/r3",
      "a/null/b4/async/t12/r2", "a/null/b4/async/t12/r3", "a/null/b1/sync/t6",     "a/null/b1/sync/t12",
      "a/null/b1/async/t6/r2",  "a/null/b1/async/t6/r3",  "a/null/b1/async/t12/r2", "a/null/b1/async/t12/r3",
  };
  std::vector<std::string> expected = model_a;
  for (const auto& label : model_a) expected.push_back("b" + label.substr(1));
  EXPECT_EQ(labels(plans[0]), expected);
  for (const auto& test : plans[0].tests) {
    EXPECT_EQ(test.host, "local");
    if (test.mode == Mode::kSync) {
      EXPECT_EQ(test.requests, 1);
    }
  }
}

TEST_F(MatrixExpand, AHostInMaintenanceIsLeftOut) {
  const SweepConfig s = sweep(kTwoModels + "launchers: [opencv-dnn]\nbatch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n");
  const auto plans = expand(s, fleet("  - {name: up, kind: local, work_dir: /tmp/up}\n"
                                  "  - {name: resting, kind: local, work_dir: /tmp/resting, maintenance: new disk}\n"),
                            hash_model_files(s));
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].host.name, "up");
}

TEST_F(MatrixExpand, LaunchersComeAfterModelsWithTheirParams) {
  const SweepConfig s = sweep(kTwoModels + R"(launchers: [opencv-dnn, {framework: "null", params: {sleep_ms: 5}}]
batch_sizes: [1]
modes: [sync]
threads: [2]
)");
  const auto plans = expand(s, one_local_host(), hash_model_files(s));
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(labels(plans[0]), (std::vector<std::string>{"a/opencv-dnn/b1/sync/t2", "a/null/b1/sync/t2",
                                                        "b/opencv-dnn/b1/sync/t2", "b/null/b1/sync/t2"}));
  EXPECT_TRUE(plans[0].tests[0].params.empty());
  EXPECT_EQ(plans[0].tests[1].params, (std::map<std::string, std::string>{{"sleep_ms", "5"}}));
}

TEST_F(MatrixExpand, PairsWhoseFormatTheLauncherCannotLoadAreSkippedWithAReason) {
  const SweepConfig s = sweep(R"(models:
  - {name: c, file: models/c.pt, format: torchscript, input_shape: [3, 8, 8]}
launchers: [opencv-dnn, "null"]
batch_sizes: [1, 2]
modes: [sync, async]
threads: [2]
)");
  const auto plans = expand(s, one_local_host(), hash_model_files(s));
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(labels(plans[0]), (std::vector<std::string>{"c/null/b1/sync/t2", "c/null/b1/async/t2/r2",
                                                        "c/null/b2/sync/t2", "c/null/b2/async/t2/r2"}));
  ASSERT_EQ(plans[0].skipped.size(), 1u);
  EXPECT_EQ(plans[0].skipped[0],
            "model c on opencv-dnn: opencv-dnn does not load torchscript models (it loads onnx, caffe, tensorflow); "
            "4 tests skipped");
}

TEST_F(MatrixExpand, ThreadsAboveTheHostLimitAreSkippedWithAReason) {
  const SweepConfig s = sweep(kTwoModels + R"(launchers: ["null"]
batch_sizes: [1]
modes: [sync, async]
threads: [4, 16, 8, 32]
async_requests: [2, 4]
)");
  const auto plans = expand(s, fleet("  - {name: small, kind: local, limits: {max_threads: 8}}\n"), hash_model_files(s));
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].tests.size(), 12u);  // 2 models x 2 thread counts x (1 sync + 2 async)
  for (const auto& test : plans[0].tests) EXPECT_LE(test.threads, 8);
  EXPECT_EQ(plans[0].skipped, (std::vector<std::string>{"threads 16: above max_threads 8 of host small; 6 tests skipped",
                                                        "threads 32: above max_threads 8 of host small; 6 tests skipped"}));
}

TEST_F(MatrixExpand, ADivisionAFrameworkCannotHonourIsSkippedWithTheReason) {
  const SweepConfig s = sweep(kTwoModels + R"(launchers: [opencv-dnn]
batch_sizes: [1]
modes: [async]
threads: [2, 3, 4]
async_requests: [2]
)");
  const auto plans = expand(s, one_local_host(), hash_model_files(s));
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(labels(plans[0]), (std::vector<std::string>{"a/opencv-dnn/b1/async/t2/r2", "b/opencv-dnn/b1/async/t2/r2"}));
  ASSERT_EQ(plans[0].skipped.size(), 4u);
  EXPECT_EQ(plans[0].skipped[0],
            "model a on opencv-dnn, async threads 3 requests 2: opencv-dnn: threads 3 do not divide among 2 requests "
            "in flight (each request gets threads / requests; choose threads a multiple of requests)");
  EXPECT_EQ(plans[0].skipped[1],
            "model a on opencv-dnn, async threads 4 requests 2: opencv-dnn cannot give each of 2 requests in flight 2 "
            "threads: OpenCV's thread pool is one per process (TBB in Debian 12's OpenCV 4.6), shared by the "
            "parallel regions of every request, so a request in flight cannot have threads of its own; with requests "
            "in flight it runs 1 thread(s) per request (threads = 1 x requests)");
}

TEST_F(MatrixExpand, HostTimeoutCapsTheTestTimeoutButNotTheId) {
  const SweepConfig s = sweep(kTwoModels + R"(launchers: [opencv-dnn]
batch_sizes: [1]
modes: [sync]
threads: [1]
measure: {timeout_seconds: 120}
)");
  const auto plans = expand(s,
                            fleet("  - {name: slow, kind: local, limits: {test_timeout: 30}}\n"
                                  "  - {name: roomy, kind: local, limits: {test_timeout: 500}}\n"
                                  "  - {name: free, kind: local}\n"),
                            hash_model_files(s));
  ASSERT_EQ(plans.size(), 3u);
  EXPECT_DOUBLE_EQ(plans[0].tests[0].measure.timeout_seconds, 30);
  EXPECT_DOUBLE_EQ(plans[1].tests[0].measure.timeout_seconds, 120);
  EXPECT_DOUBLE_EQ(plans[2].tests[0].measure.timeout_seconds, 120);
  EXPECT_EQ(plans[0].tests[0].id, plans[2].tests[0].id);
}

TEST_F(MatrixExpand, SweepHostsSelectHostsInFleetOrder) {
  const SweepConfig s = sweep(kTwoModels + "launchers: [opencv-dnn]\nbatch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n"
                                           "hosts: [gamma, alpha]\n");
  const FleetConfig f = fleet("  - {name: alpha, kind: local}\n  - {name: beta, kind: local}\n"
                              "  - {name: gamma, kind: local}\n");
  const auto plans = expand(s, f, hash_model_files(s));
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans[0].host.name, "alpha");
  EXPECT_EQ(plans[1].host.name, "gamma");
  EXPECT_EQ(plans[1].tests[0].host, "gamma");
}

TEST_F(MatrixExpand, NoSweepHostsMeansEveryFleetHost) {
  const SweepConfig s = sweep(kTwoModels + "launchers: [opencv-dnn]\nbatch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n");
  const auto plans = expand(s, fleet("  - {name: x, kind: local}\n  - {name: y, kind: local}\n"), hash_model_files(s));
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans[0].host.name, "x");
  EXPECT_EQ(plans[1].host.name, "y");
}

TEST_F(MatrixExpand, IdsAreUniquePerHostEqualAcrossHostsAndStableAcrossRuns) {
  const SweepConfig s = sweep(kTwoModels + R"(launchers: [opencv-dnn, "null"]
batch_sizes: [1, 2, 4]
modes: [sync, async]
threads: [1, 2]
async_requests: [1, 2]
)");
  const FleetConfig f = fleet("  - {name: x, kind: local}\n  - {name: y, kind: local}\n");
  const auto first = expand(s, f, hash_model_files(s));
  const auto again = expand(s, f, hash_model_files(s));
  ASSERT_EQ(first.size(), 2u);
  // Async: t1/r1, t2/r1, t2/r2 (1 thread does not divide among 2 requests).
  ASSERT_EQ(first[0].tests.size(), 2u * 2u * 3u * (2u + 3u));
  std::set<std::string> ids;
  for (std::size_t i = 0; i < first[0].tests.size(); ++i) {
    const TestSpec& test = first[0].tests[i];
    EXPECT_EQ(test.id, test_id(test));
    EXPECT_EQ(test.id, first[1].tests[i].id);
    EXPECT_EQ(test.id, again[0].tests[i].id);
    ids.insert(test.id);
  }
  EXPECT_EQ(ids.size(), first[0].tests.size());
}

TEST_F(MatrixExpand, ModelReferencesCarryBaseNamesAndContentHashes) {
  const SweepConfig s = sweep(R"(models:
  - {name: a, file: models/a.onnx, format: onnx, input_shape: [3, 8, 8], precision: fp16}
  - {name: n, file: models/net.caffemodel, config: models/deploy.prototxt, format: caffe, input_shape: [3, 4, 4]}
launchers: [opencv-dnn]
batch_sizes: [1]
modes: [sync]
threads: [1]
)");
  const auto plans = expand(s, one_local_host(), hash_model_files(s));
  ASSERT_EQ(plans[0].tests.size(), 2u);
  const ModelRef& a = plans[0].tests[0].model;
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.format, "onnx");
  EXPECT_EQ(a.precision, "fp16");
  EXPECT_EQ(a.input_shape, (std::vector<int64_t>{3, 8, 8}));
  EXPECT_EQ(a.file_name, "a.onnx");
  EXPECT_EQ(a.sha256, sha256_hex("model a"));
  EXPECT_EQ(a.config_name, "");
  EXPECT_EQ(a.config_sha256, "");
  const ModelRef& n = plans[0].tests[1].model;
  EXPECT_EQ(n.file_name, "net.caffemodel");
  EXPECT_EQ(n.sha256, sha256_hex("weights"));
  EXPECT_EQ(n.config_name, "deploy.prototxt");
  EXPECT_EQ(n.config_sha256, sha256_hex("layers"));
}

TEST_F(MatrixExpand, MeasureSettingsAndAxesLandInEachSpec) {
  const SweepConfig s = sweep(kTwoModels + R"(launchers: [opencv-dnn]
batch_sizes: [8]
modes: [async]
threads: [5]
async_requests: [5]
measure: {iterations: 7, min_seconds: 0.25, warmup_iterations: 2, warmup_seconds: 1}
)");
  const TestSpec& test = expand(s, one_local_host(), hash_model_files(s))[0].tests[0];
  EXPECT_EQ(test.framework, "opencv-dnn");
  EXPECT_EQ(test.batch, 8);
  EXPECT_EQ(test.mode, Mode::kAsync);
  EXPECT_EQ(test.threads, 5);
  EXPECT_EQ(test.requests, 5);
  EXPECT_EQ(test.measure.iterations, 7);
  EXPECT_DOUBLE_EQ(test.measure.min_seconds, 0.25);
  EXPECT_EQ(test.measure.warmup_iterations, 2);
  EXPECT_DOUBLE_EQ(test.measure.warmup_seconds, 1);
  EXPECT_DOUBLE_EQ(test.measure.timeout_seconds, 600);
}

TEST_F(MatrixExpand, UnknownSweepHostIsAConfigError) {
  const SweepConfig s = sweep(kTwoModels + "launchers: [opencv-dnn]\nbatch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n"
                                           "hosts: [nowhere]\n");
  EXPECT_THROW(expand(s, one_local_host(), hash_model_files(s)), ConfigError);
}

TEST_F(MatrixExpand, MissingHashIsAnError) {
  const SweepConfig s = sweep(kTwoModels + "launchers: [opencv-dnn]\nbatch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n");
  EXPECT_THROW(expand(s, one_local_host(), FileHashes{}), std::invalid_argument);
}

// Validation forbids repeated launchers; a hand-built config that repeats one must not yield two tests with one id.
TEST_F(MatrixExpand, RepeatedIdsAreRefused) {
  SweepConfig s = sweep(kTwoModels + "launchers: [opencv-dnn]\nbatch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n");
  s.launchers.push_back(s.launchers[0]);
  EXPECT_THROW(expand(s, one_local_host(), hash_model_files(s)), std::invalid_argument);
}

TEST(MatrixHashes, EachModelAndConfigFileIsHashedOnceByAbsolutePath) {
  testing::TempDir dir;
  dir.write("m.onnx", "onnx");
  dir.write("net.caffemodel", "caffe");
  dir.write("deploy.prototxt", "proto");
  dir.write("fleet.yaml", "hosts: [{name: local, kind: local}]\n");
  const SweepConfig s = parse_sweep(R"(name: s
fleet: fleet.yaml
models:
  - {name: m, file: m.onnx, format: onnx, input_shape: [1]}
  - {name: m2, file: ./m.onnx, format: onnx, input_shape: [2]}
  - {name: n, file: net.caffemodel, config: deploy.prototxt, format: caffe, input_shape: [1]}
launchers: [opencv-dnn]
batch_sizes: [1]
modes: [sync]
threads: [1]
)",
                                    dir.str("sweep.yaml"));
  const FileHashes hashes = hash_model_files(s);
  EXPECT_EQ(hashes, (FileHashes{{dir.str("m.onnx"), sha256_hex("onnx")},
                                {dir.str("net.caffemodel"), sha256_hex("caffe")},
                                {dir.str("deploy.prototxt"), sha256_hex("proto")}}));
}

TEST(MatrixHashes, UnreadableModelFileThrows) {
  SweepConfig s;
  s.models.push_back(ModelConfig{"m", "/nonexistent/dli/m.onnx", "", "onnx", {1}, "fp32"});
  EXPECT_THROW(hash_model_files(s), std::runtime_error);
}

}  // namespace
}  // namespace dli
