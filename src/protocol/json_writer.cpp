// The direct writer of json_writer.hpp. Every encoder here mirrors one of protocol_json.cpp or
// test_environment.cpp: same fields, same guards (valid_utf8 where they apply it, null for non-finite numbers),
// keys in sorted order because nlohmann::json objects are std::maps.
#include "dli/protocol/json_writer.hpp"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "dli/protocol/protocol.hpp"
#include "protocol_fields.hpp"

namespace dli {

namespace {

using protocol_detail::valid_utf8;

// Printable ASCII without '"' or '\\': written as it is. Anything else goes through nlohmann's own serializer, so
// escapes and replacements stay exactly its own.
bool plain(const std::string& text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') return false;
  }
  return true;
}

// The strings to_json passes through valid_utf8 first.
void append_cleaned(std::string& out, const std::string& text) {
  append_json_string(out, plain(text) ? text : valid_utf8(text));
}

void append_integer(std::string& out, long long value) {
  char buffer[24];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out.append(buffer, static_cast<std::size_t>(end - buffer));
}

void append_bool(std::string& out, bool value) { out += value ? "true" : "false"; }

// `"name":` after a comma unless it opens the object: callers write keys in sorted order.
void key(std::string& out, const char* name, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += name;
  out += "\":";
}

template <typename Integers>
void append_integers(std::string& out, const Integers& values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    append_integer(out, values[i]);
  }
  out += ']';
}

void append_strings(std::string& out, const std::vector<std::string>& values, bool cleaned) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if (cleaned) {
      append_cleaned(out, values[i]);
    } else {
      append_json_string(out, values[i]);
    }
  }
  out += ']';
}

void append_spec_fields(std::string& out, const TestSpec& spec, bool with_protocol) {
  const ModelRef& model = spec.model;
  const MeasureConfig& m = spec.measure;
  key(out, "batch", true);
  append_integer(out, spec.batch);
  key(out, "dataset");
  out += "{\"name\":";
  append_json_string(out, spec.dataset.name);
  out += ",\"sha256\":";
  append_json_string(out, spec.dataset.sha256);
  out += '}';
  key(out, "device");
  append_json_string(out, spec.device);
  key(out, "framework");
  append_json_string(out, spec.framework);
  key(out, "host");
  append_json_string(out, spec.host);
  key(out, "id");
  append_json_string(out, spec.id);
  key(out, "measure");
  out += "{\"iterations\":";
  append_integer(out, m.iterations);
  key(out, "latency_bound_s");
  append_json_number(out, m.latency_bound_s);
  key(out, "latency_percentile");
  append_json_number(out, m.latency_percentile);
  key(out, "max_busy_share");
  append_json_number(out, m.max_busy_share);
  key(out, "max_cv");
  append_json_number(out, m.max_cv);
  key(out, "max_iterations");
  append_integer(out, m.max_iterations);
  if (m.max_repeat_cv != MeasureConfig{}.max_repeat_cv) {
    key(out, "max_repeat_cv");
    append_json_number(out, m.max_repeat_cv);
  }
  key(out, "max_s");
  append_json_number(out, m.max_seconds);
  key(out, "memory_limit_mb");
  append_integer(out, m.memory_limit_mb);
  key(out, "min_s");
  append_json_number(out, m.min_seconds);
  key(out, "pin_cpus");
  append_bool(out, m.pin_cpus);
  if (m.repeats != 1) {
    key(out, "repeats");
    append_integer(out, m.repeats);
  }
  key(out, "search_trials");
  append_integer(out, m.search_trials);
  key(out, "server_search");
  append_bool(out, m.server_search);
  key(out, "timeout_s");
  append_json_number(out, m.timeout_seconds);
  key(out, "warmup_iterations");
  append_integer(out, m.warmup_iterations);
  key(out, "warmup_s");
  append_json_number(out, m.warmup_seconds);
  out += '}';
  key(out, "mode");
  append_json_string(out, to_string(spec.mode));
  key(out, "model");
  out += "{\"config_name\":";
  append_json_string(out, model.config_name);
  key(out, "config_sha256");
  append_json_string(out, model.config_sha256);
  key(out, "file_name");
  append_json_string(out, model.file_name);
  key(out, "format");
  append_json_string(out, model.format);
  key(out, "input_shape");
  append_integers(out, model.input_shape);
  if (model.macs) {
    key(out, "macs");
    append_integer(out, *model.macs);
  }
  key(out, "name");
  append_json_string(out, model.name);
  key(out, "precision");
  append_json_string(out, model.precision);
  key(out, "sha256");
  append_json_string(out, model.sha256);
  out += '}';
  key(out, "params");
  out += '{';
  bool first = true;
  for (const auto& [name, value] : spec.params) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, name);
    out += ':';
    append_json_string(out, value);
  }
  out += '}';
  if (with_protocol) {
    key(out, "protocol");
    append_integer(out, kProtocolVersion);
  }
  if (spec.repeat != 0) {
    key(out, "repeat");
    append_integer(out, spec.repeat);
  }
  key(out, "requests");
  append_integer(out, spec.requests);
  key(out, "samples_per_query");
  append_integer(out, spec.samples_per_query);
  key(out, "target_qps");
  append_json_number(out, spec.target_qps);
  key(out, "threads");
  append_integer(out, spec.threads);
}

void append_measurement(std::string& out, const Measurement& m) {
  const Summary& r = m.request;
  out += '{';
  key(out, "first_inference_s", true);
  append_json_number(out, m.first_inference_seconds);
  key(out, "framework_version");
  append_cleaned(out, m.framework_version);
  key(out, "histogram");
  out += "{\"base_s\":";
  append_json_number(out, kHistogramBase);
  out += ",\"buckets\":[";
  for (std::size_t i = 0; i < m.histogram.buckets.size(); ++i) {
    out += i == 0 ? "[" : ",[";
    append_integer(out, m.histogram.buckets[i].index);
    out += ',';
    append_integer(out, m.histogram.buckets[i].count);
    out += ']';
  }
  out += "],\"growth\":";
  append_json_number(out, kHistogramGrowth);
  out += '}';
  key(out, "iterations");
  append_integer(out, m.iterations);
  key(out, "latency_percentile");
  append_json_number(out, m.latency_percentile);
  key(out, "load_s");
  append_json_number(out, m.load_seconds);
  key(out, "peak_rss_kb");
  append_integer(out, m.peak_rss_kb);
  key(out, "request");
  out += "{\"count\":";
  append_integer(out, r.count);
  const std::pair<const char*, double> request[] = {{"cv", r.cv},         {"max_s", r.max},   {"mean_s", r.mean},
                                                    {"median_s", r.median}, {"min_s", r.min},   {"p90_s", r.p90},
                                                    {"p95_s", r.p95},     {"p999_s", r.p999}, {"p99_s", r.p99},
                                                    {"stddev_s", r.stddev}};
  for (const auto& [name, value] : request) {
    key(out, name);
    append_json_number(out, value);
  }
  out += '}';
  key(out, "search");
  out += '[';
  for (std::size_t i = 0; i < m.search.size(); ++i) {
    out += i == 0 ? "{\"latency_s\":" : ",{\"latency_s\":";
    append_json_number(out, m.search[i].latency_s);
    key(out, "rate");
    append_json_number(out, m.search[i].rate);
    key(out, "valid");
    append_bool(out, m.search[i].valid);
    out += '}';
  }
  out += ']';
  key(out, "stop_reason");
  append_json_string(out, to_string(m.stop_reason));
  key(out, "stream_counts");
  append_integers(out, m.stream_counts);
  key(out, "stream_threads");
  append_integers(out, m.stream_threads);
  key(out, "streams");
  out += '[';
  for (std::size_t i = 0; i < m.streams.size(); ++i) {
    out += i == 0 ? "{\"count\":" : ",{\"count\":";
    append_integer(out, m.streams[i].count);
    key(out, "mean_s");
    append_json_number(out, m.streams[i].mean_s);
    key(out, "median_s");
    append_json_number(out, m.streams[i].median_s);
    key(out, "p90_s");
    append_json_number(out, m.streams[i].p90_s);
    out += '}';
  }
  out += ']';
  key(out, "target_qps");
  append_json_number(out, m.target_qps);
  key(out, "throughput");
  out += "{\"avg_pass_s\":";
  append_json_number(out, m.throughput.avg_pass_s);
  key(out, "fps");
  append_json_number(out, m.throughput.fps);
  key(out, "latency_s");
  append_json_number(out, m.throughput.latency_s);
  out += '}';
  key(out, "verdict");
  out += "{\"notes\":";
  append_strings(out, m.verdict.notes, false);
  key(out, "reasons");
  append_strings(out, m.verdict.reasons, false);
  key(out, "valid");
  append_bool(out, m.verdict.valid);
  out += '}';
  key(out, "wall_s");
  append_json_number(out, m.wall_seconds);
  key(out, "warmup_iterations");
  append_integer(out, m.warmup_iterations);
  out += '}';
}

void append_environment(std::string& out, const TestEnvironment& e) {
  out += "{\"agent_cpu\":";
  append_integer(out, e.agent_cpu);
  key(out, "boost");
  append_json_string(out, e.boost);
  key(out, "build_type");
  append_json_string(out, e.build_type);
  key(out, "busiest");
  out += '[';
  for (std::size_t i = 0; i < e.busiest.size(); ++i) {
    out += i == 0 ? "{\"cpu_s\":" : ",{\"cpu_s\":";
    append_json_number(out, e.busiest[i].cpu_seconds);
    key(out, "name");
    append_cleaned(out, e.busiest[i].name);
    key(out, "pid");
    append_integer(out, e.busiest[i].pid);
    out += '}';
  }
  out += ']';
  key(out, "cores");
  append_integer(out, e.cores);
  key(out, "cpu_model");
  append_cleaned(out, e.cpu_model);
  key(out, "governor");
  append_cleaned(out, e.governor);
  key(out, "kernel");
  append_cleaned(out, e.kernel);
  key(out, "load_1m");
  append_json_number(out, e.load_1m);
  key(out, "logical_cpus");
  append_integer(out, e.logical_cpus);
  key(out, "mem_available_kb");
  append_integer(out, e.mem_available_kb);
  key(out, "os");
  append_cleaned(out, e.os);
  key(out, "other_cpu_share");
  append_json_number(out, e.other_cpu_share);
  key(out, "runner_cpus");
  append_json_string(out, e.runner_cpus);
  key(out, "sockets");
  append_integer(out, e.sockets);
  key(out, "swap_used_kb");
  append_integer(out, e.swap_used_kb);
  key(out, "swapped_pages");
  append_integer(out, e.swapped_pages);
  key(out, "warnings");
  append_strings(out, e.warnings, true);
  out += '}';
}

// encode_details cleans keys and values, which may change the keys' order or merge two of them: any detail that is
// not plain goes through encode_details itself.
void append_details(std::string& out, const std::map<std::string, std::string>& details) {
  bool all_plain = true;
  for (const auto& [name, value] : details) all_plain = all_plain && plain(name) && plain(value);
  if (!all_plain) {
    out += protocol_detail::encode_details(details).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '{';
  bool first = true;
  for (const auto& [name, value] : details) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, name);
    out += ':';
    append_json_string(out, value);
  }
  out += '}';
}

}  // namespace

void append_json_string(std::string& out, const std::string& text) {
  if (!plain(text)) {
    out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  // nlohmann's own shortest form (its serializer calls the same function), so that figures match dump's exactly.
  char buffer[64];
  const char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<std::size_t>(end - buffer));
}

void append_json(std::string& out, const TestSpec& spec) {
  out += '{';
  append_spec_fields(out, spec, true);
  out += '}';
}

void append_json(std::string& out, const TestResult& result) {
  out += "{\"accuracy\":";
  if (result.accuracy) {
    out += "{\"samples\":";
    append_integer(out, result.accuracy->samples);
    key(out, "top1");
    append_json_number(out, result.accuracy->top1);
    key(out, "top5");
    append_json_number(out, result.accuracy->top5);
    out += '}';
  } else {
    out += "null";
  }
  key(out, "details");
  append_details(out, result.details);
  key(out, "elapsed_s");
  append_json_number(out, result.elapsed_seconds);
  key(out, "environment");
  if (result.environment) {
    append_environment(out, *result.environment);
  } else {
    out += "null";
  }
  key(out, "exit_code");
  append_integer(out, result.exit_code);
  key(out, "finished_at");
  append_json_string(out, result.finished_at);
  key(out, "framework_version");
  append_cleaned(out, result.framework_version);
  key(out, "log");
  append_cleaned(out, result.log);
  key(out, "measurement");
  if (result.measurement) {
    append_measurement(out, *result.measurement);
  } else {
    out += "null";
  }
  key(out, "protocol");
  append_integer(out, kProtocolVersion);
  key(out, "reason");
  append_cleaned(out, result.reason);
  key(out, "signal");
  append_integer(out, result.signal);
  key(out, "spec");
  out += '{';
  append_spec_fields(out, result.spec, false);
  out += '}';
  key(out, "started_at");
  append_json_string(out, result.started_at);
  key(out, "status");
  append_json_string(out, to_string(result.status));
  key(out, "stderr_tail");
  append_cleaned(out, result.stderr_tail);
  out += '}';
}

}  // namespace dli
