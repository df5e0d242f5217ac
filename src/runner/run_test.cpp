// One test in the runner's process: the same steps and definitions for every framework (docs/runners.md 3.2,
// docs/methodology.md).
#include "dli/runner/run_test.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "dli/measure/measurement.hpp"
#include "dli/measure/schedule.hpp"
#include "dli/measure/server_search.hpp"
#include "dli/protocol/assess.hpp"
#include "dli/protocol/dataset.hpp"
#include "dli/protocol/runner_catalogue.hpp"
#include "dli/util/clock.hpp"

namespace dli::runner {
namespace {

std::int64_t peak_rss_kb() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::int64_t>(usage.ru_maxrss);  // kilobytes on Linux
}

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : ", ") + word;
  return text.empty() ? "none" : text;
}

// What can be refused before loading anything: the framework's name, the format, the device, the parameters.
void check_request(const Capabilities& capabilities, const RunnerRequest& request) {
  const TestSpec& spec = request.spec;
  if (spec.framework != capabilities.framework) {
    throw std::runtime_error("this runner serves " + capabilities.framework + ", not " + spec.framework);
  }
  RunnerDescription offered;
  offered.formats = capabilities.formats;
  offered.devices = capabilities.devices;
  if (!offers_format(offered, spec.model.format)) {
    throw Unsupported(spec.framework + " does not load " + spec.model.format + " models (it loads " +
                      join(capabilities.formats) + ")");
  }
  if (!offers_device(offered, spec.device)) {
    throw Unsupported(spec.framework + " cannot run on device " + spec.device + " here (devices: " +
                      join(capabilities.devices) + ")");
  }
  if (const RunnerEntry* entry = find_runner_entry(spec.framework)) {
    const auto problems = check_params(*entry, spec.params);
    if (!problems.empty()) throw std::runtime_error("bad parameters: " + problems.front());
    if (const auto why = why_mode_unsupported(*entry, to_string(spec.mode))) throw Unsupported(*why);
    if (spec.threads >= 1 && spec.requests >= 1) {
      if (const auto why = why_threads_unsupported(*entry, spec.mode, spec.threads, spec.requests)) {
        throw Unsupported(*why);
      }
    }
  }
  if (spec.batch < 1 || spec.threads < 1 || spec.requests < 1 || spec.samples_per_query < 1) {
    throw std::runtime_error("batch, threads, requests and samples_per_query must be at least 1");
  }
  if (spec.mode == Mode::kAccuracy && request.dataset_path.empty()) {
    throw std::runtime_error("an accuracy test needs a dataset_path");
  }
}

// One Server run at `rate` on the given sessions: the schedule is made before the clock starts.
TimedRun server_run(const std::vector<TimedRequest*>& sessions, const std::vector<float>& input, double rate,
                    const MeasureConfig& measure) {
  const std::vector<double> schedule = poisson_schedule(rate, server_query_count(measure, rate));
  return run_server(sessions, input, schedule, measure);
}

// The Server search (docs/methodology.md): trials at the rates next_search_rate proposes, each judged by the same
// rules as the reported result; the VALID one of highest rate is reported.
TimedRun server_search(const std::vector<TimedRequest*>& sessions, const std::vector<float>& input,
                       const TestSpec& spec, RawMeasurement& raw) {
  std::vector<TimedRun> runs;
  while (const auto rate = next_search_rate(raw.search, spec.target_qps, spec.measure.search_trials)) {
    TimedRun run = server_run(sessions, input, *rate, spec.measure);
    RawMeasurement trial_raw;
    trial_raw.wall_seconds = run.wall_seconds;
    trial_raw.stop_reason = run.stop_reason;
    trial_raw.stream_counts = run.stream_counts;
    trial_raw.request_seconds = run.request_seconds;
    const Measurement judged = assess(trial_raw, spec);
    raw.search.push_back({*rate, judged.throughput.latency_s, judged.verdict.valid});
    spdlog::info("server search trial {}: {:.2f} queries/s, p{:g} latency {:.3f} ms, {}", raw.search.size(), *rate,
                 judged.latency_percentile, judged.throughput.latency_s * 1e3,
                 judged.verdict.valid ? "VALID" : "INVALID");
    runs.push_back(std::move(run));
  }
  const SearchTrial* best = best_trial(raw.search);
  const auto index = static_cast<std::size_t>(best - raw.search.data());
  raw.target_qps = best->rate;
  return std::move(runs[index]);
}

RawMeasurement measure_speed(Framework& framework, const ModelFiles& files, const TestSpec& spec, Session& first,
                             double load_seconds) {
  RawMeasurement raw;
  raw.load_seconds = load_seconds;
  const std::vector<float> input = make_input(spec.batch, spec.model.input_shape);
  auto started = SteadyClock::now();
  first.infer(input.data(), input.size());
  raw.first_inference_seconds = seconds_between(started, SteadyClock::now());
  spdlog::info("loaded in {:.3f} s, first inference {:.3f} ms", load_seconds, raw.first_inference_seconds * 1e3);

  // One session per stream; loading the extra ones is not part of load_s.
  std::vector<std::unique_ptr<Session>> extra;
  std::vector<TimedRequest*> sessions = {&first};
  if (uses_streams(spec.mode)) {
    for (int i = 1; i < spec.requests; ++i) {
      extra.push_back(framework.load(files, spec));
      sessions.push_back(extra.back().get());
    }
  }
  TimedRun run;
  switch (spec.mode) {
    case Mode::kSync:
    case Mode::kSingleStream: run = run_sync(first, input, spec.measure); break;
    case Mode::kMultiStream: run = run_multi_stream(first, input, spec.samples_per_query, spec.measure); break;
    case Mode::kAsync:
    case Mode::kOffline: run = run_async(sessions, input, spec.measure); break;
    case Mode::kServer:
      if (!(spec.target_qps > 0)) throw std::runtime_error("a server test needs a target_qps above 0");
      if (spec.measure.server_search) {
        run = server_search(sessions, input, spec, raw);
      } else {
        raw.target_qps = spec.target_qps;
        run = server_run(sessions, input, spec.target_qps, spec.measure);
      }
      break;
    case Mode::kAccuracy: throw std::logic_error("measure_speed called for an accuracy test");
  }
  if (run.stop_reason == StopReason::kCapped) {
    spdlog::warn("the timed loop filled its preallocated sample buffer and stopped after {} requests ({:.3f} s)",
                 run.request_seconds.size(), run.wall_seconds);
  }
  raw.warmup_iterations = run.warmup_iterations;
  raw.wall_seconds = run.wall_seconds;
  raw.stop_reason = run.stop_reason;
  raw.stream_counts = std::move(run.stream_counts);
  raw.stream_threads = std::move(run.stream_threads);
  raw.request_seconds = std::move(run.request_seconds);
  spdlog::info("{} timed requests in {:.3f} s, stopped by {}", raw.request_seconds.size(), raw.wall_seconds,
               to_string(raw.stop_reason));
  return raw;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the dataset " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every sample once, in batches of the test's batch size; the last batch is padded with copies of its last sample.
Accuracy measure_accuracy(Session& session, const TestSpec& spec, const std::string& dataset_path) {
  const Dataset dataset = unpack_dataset(read_bytes(dataset_path));
  if (dataset.shape != spec.model.input_shape) {
    throw std::runtime_error("the dataset's sample shape does not match the model's input shape");
  }
  const std::size_t per_sample = dataset.samples.size() / std::max<std::size_t>(dataset.count(), 1);
  const auto count = static_cast<std::int64_t>(dataset.count());
  std::vector<float> batch(static_cast<std::size_t>(spec.batch) * per_sample);
  Accuracy accuracy;
  for (std::int64_t first = 0; first < count; first += spec.batch) {
    const int valid = static_cast<int>(std::min<std::int64_t>(spec.batch, count - first));
    for (int i = 0; i < spec.batch; ++i) {
      const std::int64_t sample = first + std::min(i, valid - 1);
      std::memcpy(batch.data() + static_cast<std::size_t>(i) * per_sample,
                  dataset.samples.data() + static_cast<std::size_t>(sample) * per_sample, per_sample * sizeof(float));
    }
    session.infer(batch.data(), batch.size());
    const TopK hits = count_top_k(session.last_output(), dataset.labels.data() + first, spec.batch, valid);
    accuracy.top1 += static_cast<double>(hits.top1);
    accuracy.top5 += static_cast<double>(hits.top5);
  }
  accuracy.samples = count;
  if (count > 0) {
    accuracy.top1 /= static_cast<double>(count);
    accuracy.top5 /= static_cast<double>(count);
  }
  spdlog::info("accuracy over {} samples: top-1 {:.4f}, top-5 {:.4f}", count, accuracy.top1, accuracy.top5);
  return accuracy;
}

}  // namespace

TopK count_top_k(const std::vector<float>& outputs, const std::int32_t* labels, int batch, int valid) {
  if (batch < 1 || outputs.empty() || outputs.size() % static_cast<std::size_t>(batch) != 0) {
    throw std::runtime_error("the model's output does not split into " + std::to_string(batch) + " images");
  }
  const std::size_t classes = outputs.size() / static_cast<std::size_t>(batch);
  TopK hits;
  for (int image = 0; image < valid; ++image) {
    const float* row = outputs.data() + static_cast<std::size_t>(image) * classes;
    const auto label = static_cast<std::size_t>(labels[image]);
    if (label >= classes) throw std::runtime_error("a label is outside the model's outputs");
    std::size_t rank = 0;
    for (std::size_t c = 0; c < classes; ++c) {
      if (row[c] > row[label] || (row[c] == row[label] && c < label)) ++rank;
    }
    if (rank == 0) ++hits.top1;
    if (rank < 5) ++hits.top5;
  }
  return hits;
}

RunnerResult run_test(Framework& framework, const RunnerRequest& request) {
  RunnerResult result;
  const TestSpec& spec = request.spec;
  try {
    const Capabilities capabilities = framework.describe();
    result.framework_version = capabilities.version;
    check_request(capabilities, request);
    framework.configure(spec);
    const ModelFiles files{request.model_path, request.config_path};
    const auto started = SteadyClock::now();
    std::unique_ptr<Session> session = framework.load(files, spec);
    const double load_seconds = seconds_between(started, SteadyClock::now());
    if (spec.mode == Mode::kAccuracy) {
      result.accuracy = measure_accuracy(*session, spec, request.dataset_path);
    } else {
      result.measurement = measure_speed(framework, files, spec, *session, load_seconds);
      result.measurement->framework_version = capabilities.version;
      result.measurement->peak_rss_kb = peak_rss_kb();
    }
    for (auto& [key, value] : framework.details()) result.details[key] = value;
    result.status = RunnerStatus::kOk;
  } catch (const Unsupported& refused) {
    result.status = RunnerStatus::kUnsupported;
    result.reason = refused.what();
  } catch (const std::bad_alloc&) {
    // Unwinding freed what the framework held, so the result can still be written. Under the spec's limit
    // (RLIMIT_AS, applied by the agent) an allocation that fails is one that would have exceeded it.
    result.status = RunnerStatus::kFailed;
    result.reason = spec.measure.memory_limit_mb > 0
                        ? "memory limit of " + std::to_string(spec.measure.memory_limit_mb) +
                              " MiB exceeded (std::bad_alloc)"
                        : std::string("out of memory (std::bad_alloc)");
  } catch (const std::exception& failure) {
    result.status = RunnerStatus::kFailed;
    result.reason = failure.what();
  }
  return result;
}

}  // namespace dli::runner
