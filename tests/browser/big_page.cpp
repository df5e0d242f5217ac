// The run page at scale for page_timing.mjs: a synthetic run of HOSTS x TESTS results (100 x 1000 by default; the
// issue's goal is 100,000), written by the real writers: OUT/results.html and the first host's detail page
// (OUT/hosts/<host>.html; --all-host-pages for every host). Figures are deterministic pseudo-random and realistic:
// FPS falling with the model's size and rising with batch and threads, 1 % failed, 1 % unsupported, 3 % INVALID,
// a few not run, warned, regressed and improved; one model's name is markup, which the page must show as text.
// Usage: dli_big_page OUT_DIR [HOSTS [TESTS_PER_HOST]] [--all-host-pages]
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "dli/measure/histogram.hpp"
#include "dli/report/report.hpp"

namespace {

using namespace dli;

// A fixed sequence (SplitMix64): the same page on every machine.
class Random {
 public:
  double uniform() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<double>((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
  }

 private:
  std::uint64_t state_ = 42;
};

const std::vector<std::string> kModels = {"mobilenet_v2", "resnet50", "squeezenet1.1", "efficientnet_b0",
                                          "googlenet",    "densenet121", "shufflenet_v2", "vgg16",
                                          "inception_v3",
                                          // Names are validated; the page must keep even one that is not as text.
                                          "</script><img src=x onerror=window.__pwned=1>"};
const std::vector<std::string> kFrameworks = {"opencv-dnn", "onnxruntime"};
const std::vector<int> kSizes = {1, 2, 4, 8, 16};

// The planned tests of one host: models x frameworks x batch x threads x {sync, async}, `count` of them.
std::vector<TestSpec> plan(std::size_t count) {
  std::vector<TestSpec> specs;
  for (std::size_t i = 0; specs.size() < count; ++i) {
    TestSpec spec;
    spec.model.name = kModels[(i / 100) % kModels.size()];
    spec.model.format = "onnx";
    spec.model.precision = "fp32";
    spec.model.input_shape = {3, 224, 224};
    spec.model.file_name = spec.model.name + ".onnx";
    spec.model.macs = 300000000LL * static_cast<std::int64_t>(1 + (i / 100) % kModels.size());
    spec.framework = kFrameworks[(i / 50) % kFrameworks.size()];
    spec.batch = kSizes[(i / 10) % kSizes.size()];
    spec.threads = kSizes[(i / 2) % kSizes.size()];
    spec.mode = i % 2 == 0 ? Mode::kSync : Mode::kAsync;
    spec.requests = spec.mode == Mode::kAsync ? 2 : 1;
    if (i >= 1000) spec.params["variant"] = std::to_string(i / 1000);  // more than 1000: rows of another variant
    spec.id = test_id(spec);
    specs.push_back(std::move(spec));
  }
  return specs;
}

HostInfo host_info(const std::string& name, int h) {
  HostInfo info;
  info.hostname = name;
  info.cpu_model = h % 3 == 0 ? "AMD EPYC 7B13" : h % 3 == 1 ? "Intel Xeon Gold 6338" : "Ampere Altra Q80-30";
  info.logical_cpus = 8 << (h % 4);
  info.physical_cores = info.logical_cpus / 2;
  info.sockets = 1;
  info.memory_kb = 32LL * 1024 * 1024 << (h % 3);
  info.os = "Debian GNU/Linux 13 (trixie)";
  info.kernel = "6.12.0";
  info.arch = h % 3 == 2 ? "aarch64" : "x86_64";
  GemmPeak peak;
  peak.gflops = 100.0 * info.logical_cpus;
  peak.method = "cblas_sgemm";
  peak.library = "OpenBLAS 0.3.29";
  peak.n = 2048;
  peak.threads = info.logical_cpus;
  info.gemm_peak = peak;
  return info;
}

ReportRow result_of(TestSpec spec, int h, Random& random) {
  ReportRow row{std::move(spec), std::nullopt};
  const double draw = random.uniform();
  if (draw < 0.005) {
    row.not_run_reason = "host lost: no heartbeat for 600 s";
    return row;
  }
  TestResult result;
  result.spec = row.spec;
  result.started_at = "2026-11-30T01:00:00Z";
  result.finished_at = "2026-11-30T01:00:12Z";
  result.elapsed_seconds = 12.0;
  result.framework_version = row.spec.framework == "opencv-dnn" ? "OpenCV 4.10.0" : "ONNX Runtime 1.20.1";
  if (draw < 0.015) {
    result.status = TestStatus::kFailed;
    result.reason = "runner exited with code 3";
    result.exit_code = 3;
    result.stderr_tail = "terminate called after throwing an instance of 'cv::Exception'\n";
  } else if (draw < 0.025) {
    result.status = TestStatus::kUnsupported;
    result.reason = "the runner cannot run this model's operator set";
  } else {
    result.status = TestStatus::kOk;
    const double size = 1.0 + static_cast<double>(row.spec.model.macs.value_or(0)) / 3e8;
    const double speed = 40.0 * (1 + h % 7) * std::sqrt(row.spec.threads) * std::pow(row.spec.batch, 0.7) / size;
    Measurement m;
    m.framework_version = result.framework_version;
    m.iterations = 200;
    m.warmup_iterations = 10;
    m.throughput.fps = speed * (0.9 + 0.2 * random.uniform()) * (row.spec.mode == Mode::kAsync ? 1.6 : 1.0);
    m.throughput.latency_s = row.spec.batch / m.throughput.fps;
    m.throughput.avg_pass_s = m.throughput.latency_s * 1.02;
    m.wall_seconds = m.iterations * m.throughput.avg_pass_s;
    m.request.count = m.iterations;
    m.request.median = m.throughput.latency_s;
    m.request.mean = m.request.median * 1.03;
    m.request.min = m.request.median * 0.9;
    m.request.p90 = m.request.median * 1.1;
    m.request.p95 = m.request.median * 1.15;
    m.request.p99 = m.request.median * 1.3;
    m.request.max = m.request.median * 1.6;
    m.request.cv = 0.01 + 0.05 * random.uniform();
    m.peak_rss_kb = 250000;
    for (int b = 0; b < 12; ++b) {
      m.histogram.buckets.push_back(
          {histogram_index(m.request.min) + b, static_cast<std::int64_t>(30 - std::abs(b - 4) * 5 + 2)});
    }
    if (draw > 0.97) {
      m.verdict.valid = false;
      m.verdict.reasons = {"cv_above_threshold"};
    }
    result.measurement = m;
    TestEnvironment environment;
    environment.cpu_model = "AMD EPYC 7B13";
    environment.governor = draw > 0.96 && draw < 0.965 ? "powersave" : "performance";
    if (environment.governor != "performance") environment.warnings = {"governor powersave"};
    result.environment = environment;
    if (draw > 0.95 && draw < 0.955) row.change = Change{ChangeKind::kRegressed, 4, m.throughput.fps * 1.2, -0.17, 0.06};
    if (draw > 0.955 && draw < 0.96) row.change = Change{ChangeKind::kImproved, 4, m.throughput.fps * 0.9, 0.11, 0.06};
  }
  row.result = std::move(result);
  return row;
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args;
  bool all_host_pages = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--all-host-pages") {
      all_host_pages = true;
    } else {
      args.push_back(arg);
    }
  }
  if (args.empty()) {
    std::cerr << "usage: dli_big_page OUT_DIR [HOSTS [TESTS_PER_HOST]] [--all-host-pages]\n";
    return 2;
  }
  const std::filesystem::path out = args[0];
  const int hosts = args.size() > 1 ? std::atoi(args[1].c_str()) : 100;
  const int tests = args.size() > 2 ? std::atoi(args[2].c_str()) : 1000;
  const std::vector<TestSpec> specs = plan(static_cast<std::size_t>(tests));
  Random random;
  ReportContext context{"20261130-010000-big-1", "big", "2026-11-30T01:00:00Z", "2026-11-30T03:00:00Z"};
  std::vector<ReportRow> rows;
  rows.reserve(static_cast<std::size_t>(hosts) * specs.size());
  for (int h = 0; h < hosts; ++h) {
    char name[16];
    std::snprintf(name, sizeof name, "host%03d", h);
    context.hosts.emplace_back(name, host_info(name, h));
    HostStatus status;
    status.host = name;
    status.state = HostState::kDone;
    status.total = status.done = tests;
    context.host_states.push_back(status);
    for (TestSpec spec : specs) {
      spec.host = name;
      rows.push_back(result_of(std::move(spec), h, random));
    }
  }
  std::ostringstream page;
  write_html(page, context, rows);
  write(out / "results.html", page.str());
  const std::vector<std::string> names = report_hosts(rows);
  for (std::size_t h = 0; h < names.size() && (all_host_pages || h == 0); ++h) {
    std::ostringstream host_page;
    write_host_html(host_page, context, names[h], rows, "../results.html");
    write(out / host_page_path(names[h]), host_page.str());
  }
  std::cout << rows.size() << " results; results.html " << page.str().size() << " bytes\n";
  return 0;
}
