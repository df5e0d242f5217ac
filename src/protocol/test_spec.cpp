// Identity and label of a planned test.
#include "dli/protocol/test_spec.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dli/util/sha256.hpp"

namespace dli {

std::string to_string(Mode mode) {
  switch (mode) {
    case Mode::kSync: return "sync";
    case Mode::kAsync: return "async";
    case Mode::kAccuracy: return "accuracy";
    case Mode::kSingleStream: return "single_stream";
    case Mode::kMultiStream: return "multi_stream";
    case Mode::kServer: return "server";
    case Mode::kOffline: return "offline";
  }
  return "sync";
}

const std::vector<Mode>& all_modes() {
  static const std::vector<Mode> modes = {Mode::kSync,        Mode::kAsync,  Mode::kAccuracy, Mode::kSingleStream,
                                          Mode::kMultiStream, Mode::kServer, Mode::kOffline};
  return modes;
}

Mode mode_from_string(const std::string& text) {
  for (const Mode mode : all_modes()) {
    if (to_string(mode) == text) return mode;
  }
  throw std::invalid_argument(
      "mode must be sync, async, accuracy, single_stream, multi_stream, server or offline, got '" + text + "'");
}

bool is_scenario(Mode mode) {
  return mode == Mode::kSingleStream || mode == Mode::kMultiStream || mode == Mode::kServer || mode == Mode::kOffline;
}

bool uses_streams(Mode mode) { return mode == Mode::kAsync || mode == Mode::kServer || mode == Mode::kOffline; }

double reported_percentile(Mode mode, double latency_percentile) {
  if (is_scenario(mode) && mode != Mode::kOffline && latency_percentile > 0) return latency_percentile;
  switch (mode) {
    case Mode::kSingleStream: return 90;
    case Mode::kMultiStream:
    case Mode::kServer: return 99;
    default: return 50;
  }
}

// Compact JSON: nlohmann's objects keep keys sorted, so the text depends only on the values.
// Left out: the host (the same test on two hosts must share an id to be compared), the model hashes (the file name
// and model settings name the test; contents are checked by the store), and the timeout and memory limit, which are
// watchdogs rather than measurement settings (the timeout is capped per host by limits.test_timeout), and the
// repeats (each repeat is the same test; their results are told apart by task_key).
std::string canonical_spec(const TestSpec& spec) {
  const nlohmann::json model = {
      {"name", spec.model.name},
      {"format", spec.model.format},
      {"precision", spec.model.precision},
      {"input_shape", spec.model.input_shape},
      {"file_name", spec.model.file_name},
      {"config_name", spec.model.config_name},
  };
  nlohmann::json measure = {
      {"iterations", spec.measure.iterations},
      {"min_seconds", spec.measure.min_seconds},
      {"warmup_iterations", spec.measure.warmup_iterations},
      {"warmup_seconds", spec.measure.warmup_seconds},
  };
  // Settings added after the first release enter the identity only when they differ from their defaults, so that
  // every test planned before them keeps its id (and a resumed run its results).
  const MeasureConfig defaults;
  const MeasureConfig& m = spec.measure;
  if (m.max_iterations != defaults.max_iterations) measure["max_iterations"] = m.max_iterations;
  if (m.max_seconds != defaults.max_seconds) measure["max_seconds"] = m.max_seconds;
  if (m.max_cv != defaults.max_cv) measure["max_cv"] = m.max_cv;
  if (m.max_busy_share != defaults.max_busy_share) measure["max_busy_share"] = m.max_busy_share;
  if (m.pin_cpus != defaults.pin_cpus) measure["pin_cpus"] = m.pin_cpus;
  if (m.latency_bound_s != defaults.latency_bound_s) measure["latency_bound_s"] = m.latency_bound_s;
  if (m.latency_percentile != defaults.latency_percentile) measure["latency_percentile"] = m.latency_percentile;
  if (m.server_search != defaults.server_search) measure["server_search"] = m.server_search;
  if (m.search_trials != defaults.search_trials) measure["search_trials"] = m.search_trials;
  nlohmann::json identity = {
      {"model", model},       {"framework", spec.framework}, {"params", spec.params},
      {"batch", spec.batch},  {"mode", to_string(spec.mode)}, {"threads", spec.threads},
      {"requests", spec.requests}, {"device", spec.device}, {"dataset", spec.dataset.name},
      {"measure", measure},
  };
  if (spec.samples_per_query != 1) identity["samples_per_query"] = spec.samples_per_query;
  if (spec.target_qps != 0) identity["target_qps"] = spec.target_qps;
  // Replace rather than throw on invalid UTF-8 in free-form params: an id must always be computable.
  return identity.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string test_id(const TestSpec& spec) { return sha256_hex(canonical_spec(spec)).substr(0, 16); }

std::string task_key(const TestSpec& spec) {
  return spec.repeat > 0 ? spec.id + "-r" + std::to_string(spec.repeat) : spec.id;
}

std::string test_label(const TestSpec& spec) {
  std::string label = spec.model.name + "/" + spec.framework + "/b" + std::to_string(spec.batch) + "/" +
                      to_string(spec.mode) + "/t" + std::to_string(spec.threads);
  if (uses_streams(spec.mode)) label += "/r" + std::to_string(spec.requests);
  if (spec.mode == Mode::kMultiStream) label += "/n" + std::to_string(spec.samples_per_query);
  if (spec.mode == Mode::kServer) label += "/q" + fmt::format("{:g}", spec.target_qps);
  if (spec.device != "cpu") label += "/" + spec.device;
  if (spec.repeat > 0) label += "/rep" + std::to_string(spec.repeat) + "of" + std::to_string(spec.measure.repeats);
  return label;
}

}  // namespace dli
