// One test in this process: load, first inference, then the timed loops of measurement.cpp, then the figures.
#include "dli/runner.hpp"

#include <sys/resource.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "dli/clock.hpp"
#include "dli/measurement.hpp"
#include "dli/stats.hpp"

namespace dli {
namespace {

std::unique_ptr<Launcher> launcher_for(const std::string& name) {
  auto launcher = make_launcher(name);
  if (launcher) return launcher;
  std::string known;
  for (const auto& each : launcher_names()) known += (known.empty() ? "" : ", ") + each;
  throw std::runtime_error("unknown launcher '" + name + "' (known: " + known + ")");
}

std::int64_t peak_rss_kb() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::int64_t>(usage.ru_maxrss);  // kilobytes on Linux
}

}  // namespace

Measurement run_test(const TestSpec& spec, const ModelFiles& files) {
  auto launcher = launcher_for(spec.framework);
  launcher->configure(spec.threads, spec.params);
  LoadOptions options;
  options.batch = spec.batch;
  options.threads = spec.threads;
  options.input_shape = spec.model.input_shape;
  options.format = spec.model.format;
  options.precision = spec.model.precision;
  options.params = spec.params;

  Measurement measurement;
  measurement.framework_version = launcher->version();
  auto started = SteadyClock::now();
  std::unique_ptr<InferenceSession> session = launcher->load(files, options);
  measurement.load_seconds = seconds_between(started, SteadyClock::now());

  const std::vector<float> input = make_input(spec.batch, spec.model.input_shape);
  started = SteadyClock::now();
  session->infer(input.data(), input.size());
  measurement.first_inference_seconds = seconds_between(started, SteadyClock::now());
  spdlog::info("{}: loaded in {:.3f} s, first inference {:.3f} ms", measurement.framework_version,
               measurement.load_seconds, measurement.first_inference_seconds * 1e3);

  TimedRun run;
  if (spec.mode == Mode::kSync) {
    run = run_sync(*session, input, spec.measure);
  } else {
    if (spec.requests < 1) throw std::runtime_error("async mode needs at least 1 request in flight");
    // One session per request in flight; loading the extra ones is not part of load_seconds.
    std::vector<std::unique_ptr<InferenceSession>> extra;
    std::vector<InferenceSession*> sessions = {session.get()};
    for (int i = 1; i < spec.requests; ++i) {
      extra.push_back(launcher->load(files, options));
      sessions.push_back(extra.back().get());
    }
    run = run_async(sessions, input, spec.measure);
  }
  if (run.capped) {
    spdlog::warn("the timed loop filled its preallocated sample buffer and stopped after {} requests ({:.3f} s): "
                 "requests ran far faster than in warm-up",
                 run.request_seconds.size(), run.wall_seconds);
  }

  measurement.warmup_iterations = run.warmup_iterations;
  measurement.iterations = static_cast<std::int64_t>(run.request_seconds.size());
  measurement.wall_seconds = run.wall_seconds;
  measurement.request = summarize(run.request_seconds);
  measurement.throughput = spec.mode == Mode::kSync
                               ? sync_metrics(run.request_seconds, spec.batch)
                               : async_metrics(run.request_seconds, run.wall_seconds, spec.batch);
  measurement.peak_rss_kb = peak_rss_kb();
  spdlog::info("{} timed requests in {:.3f} s: latency {:.3f} ms, {:.1f} FPS", measurement.iterations,
               measurement.wall_seconds, measurement.throughput.latency_s * 1e3, measurement.throughput.fps);
  return measurement;
}

}  // namespace dli
