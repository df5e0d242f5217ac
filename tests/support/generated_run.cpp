#include "support/generated_run.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "dli/protocol/host_info.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/protocol/status_entry.hpp"

namespace dli::testing {

namespace {

namespace fs = std::filesystem;

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

// Uniform draws from a seeded engine, by our own arithmetic (std's distributions differ between libraries).
class Draw {
 public:
  explicit Draw(std::uint32_t seed) : engine_(seed) {}
  double unit() { return static_cast<double>(engine_()) / 4294967296.0; }  // [0, 1)
  double between(double low, double high) { return low + (high - low) * unit(); }
  int below(int n) { return static_cast<int>(unit() * n); }

 private:
  std::mt19937 engine_;
};

struct ModelShape {
  const char* name;
  std::vector<std::int64_t> input;
  std::int64_t macs;
  double seconds;  // a batch-1 request on one thread, roughly
};

const std::vector<ModelShape>& models() {
  static const std::vector<ModelShape> list = {
      {"mobilenet_v2", {3, 224, 224}, 300774272, 0.012}, {"resnet50", {3, 224, 224}, 4089184256, 0.090},
      {"squeezenet1_1", {3, 224, 224}, 349152128, 0.008}, {"efficientnet_b0", {3, 224, 224}, 385987424, 0.020},
      {"digits_cnn", {1, 8, 8}, 337536, 0.00002}};
  return list;
}

const Mode kModes[] = {Mode::kSync, Mode::kAsync, Mode::kSingleStream, Mode::kMultiStream, Mode::kOffline};
const char* const kFrameworks[] = {"onnxruntime", "opencv-dnn"};
const int kBatches[] = {1, 2, 4, 8, 16};
const int kThreads[] = {1, 2, 4, 8};

// The index-th distinct test of the sweep every host runs.
TestSpec planned_spec(int index, const std::string& host) {
  const ModelShape& model = models()[index % 5];
  TestSpec spec;
  spec.host = host;
  spec.model.name = model.name;
  spec.model.format = "onnx";
  spec.model.precision = "fp32";
  spec.model.input_shape = model.input;
  spec.model.file_name = std::string(model.name) + ".onnx";
  spec.model.sha256 = fmt::format("{:064x}", static_cast<unsigned>(index % 5) * 2654435761u + 17u);
  spec.model.macs = model.macs;
  spec.framework = kFrameworks[(index / 5) % 2];
  spec.batch = kBatches[(index / 10) % 5];
  spec.threads = kThreads[(index / 50) % 4];
  spec.mode = kModes[(index / 200) % 5];
  spec.requests = uses_streams(spec.mode) ? 2 : 1;
  spec.samples_per_query = spec.mode == Mode::kMultiStream ? 8 : 1;
  spec.measure.iterations = 20;
  spec.measure.warmup_iterations = 3;
  spec.measure.timeout_seconds = 300;
  if (spec.framework == std::string("onnxruntime")) spec.params = {{"graph_optimization_level", "all"}};
  spec.id = test_id(spec);
  return spec;
}

Histogram histogram_around(double median, Draw& draw) {
  Histogram histogram;
  const int first = histogram_index(median * draw.between(0.85, 0.97));
  const int width = 20 + draw.below(130);  // long tails make wide histograms
  for (int i = 0; i < width; ++i) {
    const double peak = std::exp(-0.5 * std::pow((i - width / 8.0) / (width / 10.0 + 1), 2));
    const auto count = static_cast<std::int64_t>(4000 * peak * draw.between(0.6, 1.4)) + 1;
    if (draw.unit() < 0.9 || i == 0) histogram.buckets.push_back({first + i, count});
  }
  return histogram;
}

Measurement measurement_of(const TestSpec& spec, double request_s, Draw& draw) {
  Measurement m;
  m.framework_version = spec.framework == std::string("onnxruntime") ? "onnxruntime 1.17.1" : "OpenCV 4.6.0";
  m.load_seconds = draw.between(0.05, 0.8);
  m.first_inference_seconds = request_s * draw.between(1.5, 4);
  m.warmup_iterations = 3 + draw.below(5);
  m.histogram = histogram_around(request_s, draw);
  m.iterations = m.histogram.total();
  m.wall_seconds = std::max(1.0, m.iterations * request_s / spec.requests) * draw.between(1.0, 1.02);
  Summary& r = m.request;
  r.count = m.iterations;
  r.min = request_s * draw.between(0.85, 0.95);
  r.median = request_s;
  r.mean = request_s * draw.between(1.0, 1.1);
  r.p90 = request_s * draw.between(1.1, 1.3);
  r.p95 = r.p90 * draw.between(1.02, 1.2);
  r.p99 = r.p95 * draw.between(1.05, 1.5);
  r.p999 = r.p99 * draw.between(1.1, 2);
  r.max = r.p999 * draw.between(1.1, 3);
  r.stddev = request_s * draw.between(0.01, 0.3);
  r.cv = r.stddev / r.mean;
  m.latency_percentile = reported_percentile(spec.mode, 0);
  m.throughput.latency_s = spec.mode == Mode::kSingleStream ? r.p90 : spec.mode == Mode::kMultiStream ? r.p99 : r.median;
  m.throughput.avg_pass_s = m.wall_seconds / static_cast<double>(m.iterations);
  m.throughput.fps = spec.batch * static_cast<double>(m.iterations) / m.wall_seconds;
  m.peak_rss_kb = 80000 + draw.below(400000);
  m.stop_reason = draw.unit() < 0.9 ? StopReason::kMinReached : StopReason::kCapped;
  if (uses_streams(spec.mode)) {
    for (int s = 0; s < spec.requests; ++s) {
      const std::int64_t count = m.iterations / spec.requests + (s == 0 ? m.iterations % spec.requests : 0);
      m.stream_counts.push_back(count);
      m.stream_threads.push_back(spec.threads);
      const double own = request_s * draw.between(0.9, 1.1);
      m.streams.push_back({count, own, own * draw.between(1.1, 1.3), own * draw.between(1.0, 1.1)});
    }
  }
  m.verdict.valid = r.cv <= spec.measure.max_cv && m.stop_reason != StopReason::kCapped;
  if (r.cv > spec.measure.max_cv) m.verdict.reasons.push_back("cv_above_threshold");
  if (m.stop_reason == StopReason::kCapped) m.verdict.reasons.push_back("capped");
  if (uses_streams(spec.mode) && draw.unit() < 0.2) m.verdict.notes.push_back("streams_imbalanced");
  return m;
}

TestEnvironment environment_of(Draw& draw) {
  TestEnvironment e;
  e.cpu_model = "AMD EPYC 7763 64-Core Processor";
  e.sockets = 1;
  e.cores = 8;
  e.logical_cpus = 16;
  e.os = "Debian GNU/Linux 12 (bookworm)";
  e.kernel = "6.1.0-18-amd64";
  e.build_type = "Release";
  e.governor = draw.unit() < 0.8 ? "performance" : "schedutil";
  e.boost = "on";
  e.load_1m = std::round(draw.between(0, 3) * 100) / 100;
  e.mem_available_kb = 20000000 + draw.below(4000000);
  e.swap_used_kb = 0;
  e.other_cpu_share = std::round(draw.between(0, 0.08) * 1000) / 1000;
  e.busiest = {{1 + draw.below(40000), "kworker/u8:2-events_unbound", std::round(draw.between(0, 3) * 100) / 100},
               {1 + draw.below(40000), "systemd-journald", std::round(draw.between(0, 1) * 100) / 100},
               {1, "init", 0.01}};
  e.warnings = environment_warnings(e);
  return e;
}

// What the agent would have logged (docs/protocol.md 4.6): a few runner lines, then its own closing line.
std::string log_of(const TestResult& result) {
  const TestSpec& spec = result.spec;
  std::string log = fmt::format("{} info runner {} test {}/{}/b{} ({})\n", result.started_at, spec.framework,
                                spec.model.name, spec.framework, spec.batch, spec.id);
  if (result.measurement) {
    log += fmt::format("{} info loaded in {:.3f} s, first inference {:.3f} ms\n", result.started_at,
                       result.measurement->load_seconds, result.measurement->first_inference_seconds * 1e3);
    log += fmt::format("{} info {} timed requests in {:.3f} s, stopped by min_reached\n", result.finished_at,
                       result.measurement->request.count, result.measurement->wall_seconds);
  }
  log += result.stderr_tail;
  log += fmt::format("[dli-agent] {} {}: {}{}\n", result.finished_at, spec.id, to_string(result.status),
                     result.reason.empty() ? "" : " (" + result.reason + ")");
  return log;
}

TestResult result_of(const TestSpec& spec, Draw& draw) {
  TestResult result;
  result.spec = spec;
  result.started_at = fmt::format("2026-11-30T{:02}:{:02}:{:02}Z", 1 + draw.below(8), draw.below(60), draw.below(60));
  result.finished_at = result.started_at;
  result.environment = environment_of(draw);
  const double fate = draw.unit();
  if (fate < 0.02) {
    result.status = TestStatus::kUnsupported;
    result.reason = "opencv-dnn cannot run this model: layer 'Resize' of mode 'cubic' is not supported";
    result.exit_code = 3;
    result.elapsed_seconds = draw.between(0.1, 0.5);
    result.log = log_of(result);
    return result;
  }
  result.framework_version = spec.framework == std::string("onnxruntime") ? "onnxruntime 1.17.1" : "OpenCV 4.6.0";
  if (fate < 0.05) {
    result.status = TestStatus::kFailed;
    result.reason = "runner exited with code 1";
    result.stderr_tail = "terminate called after throwing an instance of 'Ort::Exception'\n  what():  bad allocation\n";
    result.exit_code = 1;
    result.elapsed_seconds = draw.between(0.1, 2);
    result.log = log_of(result);
    return result;
  }
  result.status = TestStatus::kOk;
  result.exit_code = 0;
  const ModelShape& model = *std::find_if(models().begin(), models().end(),
                                          [&](const ModelShape& m) { return spec.model.name == m.name; });
  const double request_s = model.seconds * spec.batch / std::sqrt(spec.threads) * draw.between(0.7, 1.3);
  result.measurement = measurement_of(spec, request_s, draw);
  result.elapsed_seconds = result.measurement->wall_seconds + result.measurement->load_seconds + 0.05;
  result.details = {{"execution_provider", "cpu"},
                    {"intra_op_threads", std::to_string(spec.threads)},
                    {"inter_op_threads", "default"},
                    {"streams", fmt::format("{} worker threads, one session each", spec.requests)}};
  result.log = log_of(result);
  return result;
}

HostInfo host_of(const std::string& name, Draw& draw) {
  HostInfo host;
  host.hostname = name;
  host.cpu_model = "AMD EPYC 7763 64-Core Processor";
  host.logical_cpus = 16;
  host.physical_cores = 8;
  host.sockets = 1;
  host.memory_kb = 32000000;
  host.os = "Debian GNU/Linux 12 (bookworm)";
  host.kernel = "6.1.0-18-amd64";
  host.arch = "x86_64";
  host.agent_version = "0.1.0";
  GemmPeak peak;
  peak.gflops = draw.between(300, 900);
  peak.library = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64";
  peak.n = 2048;
  peak.threads = 8;
  peak.calls = 6;
  peak.seconds = 1.05;
  peak.measured_at = "2026-11-30T00:29:20Z";
  host.gemm_peak = peak;
  return host;
}

std::string host_name(int index) { return fmt::format("node{:03}", index); }

void write_host(const fs::path& root, const GeneratedRunShape& shape, int index) {
  const std::string host = host_name(index);
  Draw draw(shape.seed * 7919u + static_cast<std::uint32_t>(index));
  TaskList tasks;
  tasks.run_id = shape.run_id;
  tasks.host = host;
  for (int t = 0; t < shape.tests_per_host; ++t) tasks.tests.push_back(planned_spec(t, host));
  write_text(root / layout::tasks(shape.run_id, host), to_json(tasks).dump(1));
  write_text(root / layout::host_info(shape.run_id, host), to_json(host_of(host, draw)).dump(1));
  int failed = 0;
  fs::create_directories(root / layout::results_dir(shape.run_id, host));
  for (const auto& spec : tasks.tests) {
    const TestResult result = result_of(spec, draw);
    failed += result.status == TestStatus::kOk ? 0 : 1;
    write_text(root / layout::result(shape.run_id, host, task_key(spec)), to_json(result).dump(1));
  }
  HostStatus status;
  status.host = host;
  status.state = HostState::kDone;
  status.done = shape.tests_per_host;
  status.failed = failed;
  status.total = shape.tests_per_host;
  status.eta_seconds = 0;
  status.updated_at = "2026-11-30T09:00:00Z";
  status.pid = 1000 + index;
  status.agent_version = "0.1.0";
  write_text(root / layout::status_entry(shape.run_id, status_entry_name(host, 1796034912681u, HostState::kDone)),
             to_json(status).dump(1));
}

}  // namespace

void generate_run(const std::string& store_root, const GeneratedRunShape& shape) {
  if (shape.tests_per_host < 1 || shape.tests_per_host > 1000 || shape.hosts < 1) {
    throw std::runtime_error("generate_run: 1 to 1000 tests per host, at least one host");
  }
  const fs::path root(store_root);
  Manifest manifest;
  manifest.run_id = shape.run_id;
  manifest.sweep_name = "generated";
  manifest.created_at = "2026-11-30T00:30:00Z";
  for (int h = 0; h < shape.hosts; ++h) manifest.hosts.push_back({host_name(h), "ssh", shape.tests_per_host});
  write_text(root / layout::manifest(shape.run_id), to_json(manifest).dump(1));

  const unsigned threads = shape.threads > 0 ? static_cast<unsigned>(shape.threads)
                                             : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> writers;
  std::vector<std::exception_ptr> failures(threads);
  for (unsigned w = 0; w < threads; ++w) {
    writers.emplace_back([&, w] {
      try {
        for (int h = static_cast<int>(w); h < shape.hosts; h += static_cast<int>(threads)) write_host(root, shape, h);
      } catch (...) {
        failures[w] = std::current_exception();
      }
    });
  }
  for (auto& writer : writers) writer.join();
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

}  // namespace dli::testing
