// JSON of what a test is and what it produced: TestSpec, Measurement, TestResult (docs/protocol.md).
// Durations are seconds and their names end in "_s"; every top-level document carries "protocol".
#include <stdexcept>

#include <fmt/format.h>

#include "dli/protocol/protocol.hpp"
#include "protocol_fields.hpp"

namespace dli {

using protocol_detail::FieldReader;
using protocol_detail::finite_or_null;
using protocol_detail::valid_utf8;

namespace protocol_detail {

nlohmann::json encode_spec(const TestSpec& spec) {
  const ModelRef& model = spec.model;
  const MeasureConfig& measure = spec.measure;
  nlohmann::json json = {
      {"id", spec.id},
      {"host", spec.host},
      {"model",
       {{"name", model.name},
        {"format", model.format},
        {"precision", model.precision},
        {"input_shape", model.input_shape},
        {"file_name", model.file_name},
        {"sha256", model.sha256},
        {"config_name", model.config_name},
        {"config_sha256", model.config_sha256}}},
      {"framework", spec.framework},
      {"params", spec.params},
      {"batch", spec.batch},
      {"mode", to_string(spec.mode)},
      {"threads", spec.threads},
      {"requests", spec.requests},
      {"device", spec.device},
      {"dataset", {{"name", spec.dataset.name}, {"sha256", spec.dataset.sha256}}},
      {"measure",
       {{"iterations", measure.iterations},
        {"min_s", finite_or_null(measure.min_seconds)},
        {"warmup_iterations", measure.warmup_iterations},
        {"warmup_s", finite_or_null(measure.warmup_seconds)},
        {"timeout_s", finite_or_null(measure.timeout_seconds)},
        {"memory_limit_mb", measure.memory_limit_mb},
        {"max_iterations", measure.max_iterations},
        {"max_s", finite_or_null(measure.max_seconds)},
        {"max_cv", finite_or_null(measure.max_cv)},
        {"max_busy_share", finite_or_null(measure.max_busy_share)},
        {"pin_cpus", measure.pin_cpus},
        {"latency_bound_s", finite_or_null(measure.latency_bound_s)},
        {"latency_percentile", finite_or_null(measure.latency_percentile)},
        {"server_search", measure.server_search},
        {"search_trials", measure.search_trials}}},
      {"samples_per_query", spec.samples_per_query},
      {"target_qps", finite_or_null(spec.target_qps)},
  };
  if (model.macs) json["model"]["macs"] = *model.macs;  // optional: absent when the count is unknown
  // Optional, absent when the test is not repeated (docs/protocol.md 4.1).
  if (measure.repeats != 1) json["measure"]["repeats"] = measure.repeats;
  if (measure.max_repeat_cv != MeasureConfig{}.max_repeat_cv) {
    json["measure"]["max_repeat_cv"] = finite_or_null(measure.max_repeat_cv);
  }
  if (spec.repeat != 0) json["repeat"] = spec.repeat;
  return json;
}

template <typename Json>
TestSpec decode_spec(const BasicFieldReader<Json>& fields) {
  TestSpec spec;
  spec.id = fields.string("id");
  spec.host = fields.string("host");
  const auto model = fields.object("model");
  spec.model.name = model.string("name");
  spec.model.format = model.string("format");
  spec.model.precision = model.string("precision");
  spec.model.input_shape = model.int64s("input_shape");
  spec.model.file_name = model.string("file_name");
  spec.model.sha256 = model.string("sha256");
  spec.model.config_name = model.string("config_name");
  spec.model.config_sha256 = model.string("config_sha256");
  if (model.has("macs")) spec.model.macs = model.int64("macs");
  spec.framework = fields.string("framework");
  spec.params = fields.string_map("params");
  spec.batch = fields.integer("batch");
  const std::string mode = fields.string("mode");
  try {
    spec.mode = mode_from_string(mode);
  } catch (const std::invalid_argument&) {
    throw std::runtime_error(fmt::format("{}: field '{}' expected one of sync, async, accuracy, single_stream, "
                                         "multi_stream, server, offline, got \"{}\"",
                                         fields.document(), "mode", mode));
  }
  spec.threads = fields.integer("threads");
  spec.requests = fields.integer("requests");
  spec.device = fields.string("device");
  const auto dataset = fields.object("dataset");
  spec.dataset.name = dataset.string("name");
  spec.dataset.sha256 = dataset.string("sha256");
  const auto measure = fields.object("measure");
  spec.measure.iterations = measure.integer("iterations");
  // Bounded as in a sweep: an agent turns them into clock durations, which a huge value would overflow.
  spec.measure.min_seconds = measure.seconds("min_s", kMaxMeasureSeconds);
  spec.measure.warmup_iterations = measure.integer("warmup_iterations");
  spec.measure.warmup_seconds = measure.seconds("warmup_s", kMaxMeasureSeconds);
  spec.measure.timeout_seconds = measure.seconds("timeout_s", kMaxTimeoutSeconds);
  // Optional: a spec without it has no limit.
  if (measure.has("memory_limit_mb")) spec.measure.memory_limit_mb = measure.integer("memory_limit_mb");
  // Optional as well: absent means the defaults (a spec written by a tool that knows only the seed's settings).
  MeasureConfig& m = spec.measure;
  if (measure.has("max_iterations")) m.max_iterations = measure.int64("max_iterations");
  if (measure.has("max_s")) m.max_seconds = measure.seconds("max_s", kMaxMeasureSeconds);
  if (measure.has("max_cv")) m.max_cv = measure.seconds("max_cv", 1e6);
  if (measure.has("max_busy_share")) m.max_busy_share = measure.seconds("max_busy_share", 1);
  if (measure.has("pin_cpus")) m.pin_cpus = measure.boolean("pin_cpus");
  if (measure.has("latency_bound_s")) m.latency_bound_s = measure.seconds("latency_bound_s", kMaxMeasureSeconds);
  if (measure.has("latency_percentile")) m.latency_percentile = measure.seconds("latency_percentile", 99.99);
  if (measure.has("server_search")) m.server_search = measure.boolean("server_search");
  if (measure.has("search_trials")) m.search_trials = measure.integer("search_trials");
  if (m.max_iterations < 0) measure.fail("max_iterations", "an integer >= 0");
  if (m.search_trials < 1 || m.search_trials > 64) measure.fail("search_trials", "an integer from 1 to 64");
  if (measure.has("repeats")) m.repeats = measure.integer("repeats");
  if (measure.has("max_repeat_cv")) m.max_repeat_cv = measure.seconds("max_repeat_cv", 1e6);
  if (m.repeats < 1 || m.repeats > kMaxRepeats) {
    measure.fail("repeats", fmt::format("an integer from 1 to {}", kMaxRepeats));
  }
  if (fields.has("samples_per_query")) spec.samples_per_query = fields.integer("samples_per_query");
  if (spec.samples_per_query < 1) fields.fail("samples_per_query", "an integer >= 1");
  if (fields.has("target_qps")) spec.target_qps = fields.seconds("target_qps", 1e9);
  if (fields.has("repeat")) spec.repeat = fields.integer("repeat");
  if (spec.repeat < 0 || spec.repeat > spec.measure.repeats) {
    fields.fail("repeat", fmt::format("an integer from 0 to measure.repeats ({})", spec.measure.repeats));
  }
  return spec;
}

template TestSpec decode_spec(const FieldReader&);
template TestSpec decode_spec(const FastFieldReader&);

}  // namespace protocol_detail

namespace protocol_detail {

namespace {

// {"base_s": 1e-9, "growth": 1.02, "buckets": [[index, count], ...]}: the scale travels with the buckets, so a
// reader of another scale refuses them rather than misread them.
nlohmann::json encode_histogram(const Histogram& histogram) {
  nlohmann::json buckets = nlohmann::json::array();
  for (const auto& bucket : histogram.buckets) buckets.push_back({bucket.index, bucket.count});
  return {{"base_s", kHistogramBase}, {"growth", kHistogramGrowth}, {"buckets", buckets}};
}

template <typename Json>
Histogram decode_histogram(const BasicFieldReader<Json>& fields) {
  if (fields.number("base_s") != kHistogramBase) fields.fail("base_s", fmt::format("{:g}", kHistogramBase));
  if (fields.number("growth") != kHistogramGrowth) fields.fail("growth", fmt::format("{:g}", kHistogramGrowth));
  Histogram histogram;
  const std::vector<std::int64_t> flat = fields.int64_pairs("buckets");
  for (std::size_t i = 0; i + 1 < flat.size(); i += 2) {
    const bool ascending = histogram.buckets.empty() || flat[i] > histogram.buckets.back().index;
    if (flat[i] < 0 || flat[i] > 1000000 || flat[i + 1] < 1 || !ascending) {
      fields.fail("buckets", "[index, count] pairs, ascending indexes from 0, counts >= 1");
    }
    histogram.buckets.push_back({static_cast<std::int32_t>(flat[i]), flat[i + 1]});
  }
  return histogram;
}

nlohmann::json encode_search(const std::vector<SearchTrial>& trials) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& trial : trials) {
    json.push_back({{"rate", finite_or_null(trial.rate)}, {"latency_s", finite_or_null(trial.latency_s)},
                    {"valid", trial.valid}});
  }
  return json;
}

nlohmann::json encode_streams(const std::vector<StreamStats>& streams) {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& stream : streams) {
    json.push_back({{"count", stream.count}, {"median_s", finite_or_null(stream.median_s)},
                    {"p90_s", finite_or_null(stream.p90_s)}, {"mean_s", finite_or_null(stream.mean_s)}});
  }
  return json;
}

}  // namespace

nlohmann::json encode_measurement(const Measurement& m) {
  const Summary& r = m.request;
  const Throughput& t = m.throughput;
  return {
      {"framework_version", valid_utf8(m.framework_version)},
      {"load_s", finite_or_null(m.load_seconds)},
      {"first_inference_s", finite_or_null(m.first_inference_seconds)},
      {"warmup_iterations", m.warmup_iterations},
      {"iterations", m.iterations},
      {"wall_s", finite_or_null(m.wall_seconds)},
      {"request",
       {{"count", r.count},
        {"min_s", finite_or_null(r.min)},
        {"max_s", finite_or_null(r.max)},
        {"mean_s", finite_or_null(r.mean)},
        {"stddev_s", finite_or_null(r.stddev)},
        {"median_s", finite_or_null(r.median)},
        {"p90_s", finite_or_null(r.p90)},
        {"p95_s", finite_or_null(r.p95)},
        {"p99_s", finite_or_null(r.p99)},
        {"p999_s", finite_or_null(r.p999)},
        {"cv", finite_or_null(r.cv)}}},
      {"throughput",
       {{"latency_s", finite_or_null(t.latency_s)},
        {"avg_pass_s", finite_or_null(t.avg_pass_s)},
        {"fps", finite_or_null(t.fps)}}},
      {"peak_rss_kb", m.peak_rss_kb},
      {"stop_reason", to_string(m.stop_reason)},
      {"latency_percentile", finite_or_null(m.latency_percentile)},
      {"histogram", encode_histogram(m.histogram)},
      {"stream_counts", m.stream_counts},
      {"target_qps", finite_or_null(m.target_qps)},
      {"search", encode_search(m.search)},
      {"verdict", {{"valid", m.verdict.valid}, {"reasons", m.verdict.reasons}, {"notes", m.verdict.notes}}},
      {"stream_threads", m.stream_threads},
      {"streams", encode_streams(m.streams)},
  };
}

template <typename Json>
Measurement decode_measurement(const BasicFieldReader<Json>& fields) {
  Measurement m;
  m.framework_version = fields.string("framework_version");
  m.load_seconds = fields.number("load_s");
  m.first_inference_seconds = fields.number("first_inference_s");
  m.warmup_iterations = fields.int64("warmup_iterations");
  m.iterations = fields.int64("iterations");
  m.wall_seconds = fields.number("wall_s");
  const auto request = fields.object("request");
  m.request.count = request.int64("count");
  m.request.min = request.number("min_s");
  m.request.max = request.number("max_s");
  m.request.mean = request.number("mean_s");
  m.request.stddev = request.number("stddev_s");
  m.request.median = request.number("median_s");
  m.request.p90 = request.number("p90_s");
  m.request.p95 = request.number("p95_s");
  m.request.p99 = request.number("p99_s");
  m.request.p999 = request.number("p999_s");
  m.request.cv = request.number("cv");
  const auto throughput = fields.object("throughput");
  m.throughput.latency_s = throughput.number("latency_s");
  m.throughput.avg_pass_s = throughput.number("avg_pass_s");
  m.throughput.fps = throughput.number("fps");
  m.peak_rss_kb = fields.int64("peak_rss_kb");
  try {
    m.stop_reason = stop_reason_from_string(fields.string("stop_reason"));
  } catch (const std::invalid_argument&) {
    fields.fail("stop_reason", "min_reached, max_count, max_seconds or capped");
  }
  m.latency_percentile = fields.number("latency_percentile");
  m.histogram = decode_histogram(fields.object("histogram"));
  m.stream_counts = fields.int64s("stream_counts");
  m.target_qps = fields.number("target_qps");
  for (const auto& trial : fields.objects("search")) {
    m.search.push_back({trial.number("rate"), trial.number("latency_s"), trial.boolean("valid")});
  }
  const auto verdict = fields.object("verdict");
  m.verdict.valid = verdict.boolean("valid");
  m.verdict.reasons = verdict.strings("reasons");
  // Added within protocol 4: absent from older results.
  if (verdict.has("notes")) m.verdict.notes = verdict.strings("notes");
  if (fields.has("stream_threads")) {
    for (const auto threads : fields.int64s("stream_threads")) {
      if (threads < 0 || threads > 1 << 20) fields.fail("stream_threads", "thread counts from 0 to 2^20");
      m.stream_threads.push_back(static_cast<int>(threads));
    }
  }
  if (fields.has("streams")) {
    for (const auto& stream : fields.objects("streams")) {
      m.streams.push_back({stream.int64("count"), stream.number("median_s"), stream.number("p90_s"),
                           stream.number("mean_s")});
    }
  }
  return m;
}

nlohmann::json encode_accuracy(const Accuracy& a) {
  return {{"samples", a.samples}, {"top1", finite_or_null(a.top1)}, {"top5", finite_or_null(a.top5)}};
}

template <typename Json>
Accuracy decode_accuracy(const BasicFieldReader<Json>& fields) {
  Accuracy a;
  a.samples = fields.int64("samples");
  a.top1 = fields.number("top1");
  a.top5 = fields.number("top5");
  return a;
}

template Measurement decode_measurement(const FieldReader&);
template Measurement decode_measurement(const FastFieldReader&);
template Accuracy decode_accuracy(const FieldReader&);
template Accuracy decode_accuracy(const FastFieldReader&);

nlohmann::json encode_details(const std::map<std::string, std::string>& details) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [key, value] : details) json[valid_utf8(key)] = valid_utf8(value);
  return json;
}

}  // namespace protocol_detail

using protocol_detail::encode_measurement;
using protocol_detail::decode_measurement;
using protocol_detail::encode_accuracy;
using protocol_detail::decode_accuracy;
using protocol_detail::encode_details;

nlohmann::json to_json(const TestSpec& spec) {
  nlohmann::json json = {{"protocol", kProtocolVersion}};
  json.update(protocol_detail::encode_spec(spec));
  return json;
}

TestSpec test_spec_from_json(const nlohmann::json& json) {
  return protocol_detail::decode_spec(protocol_detail::open_document("spec", json));
}

nlohmann::json to_json(const Measurement& measurement) {
  nlohmann::json json = {{"protocol", kProtocolVersion}};
  json.update(encode_measurement(measurement));
  return json;
}

Measurement measurement_from_json(const nlohmann::json& json) {
  return decode_measurement(protocol_detail::open_document("measurement", json));
}

nlohmann::json to_json(const TestResult& result) {
  return {
      {"protocol", kProtocolVersion},
      {"spec", protocol_detail::encode_spec(result.spec)},
      {"status", to_string(result.status)},
      {"reason", valid_utf8(result.reason)},
      {"stderr_tail", valid_utf8(result.stderr_tail)},
      {"exit_code", result.exit_code},
      {"signal", result.signal},
      {"started_at", result.started_at},
      {"finished_at", result.finished_at},
      {"elapsed_s", finite_or_null(result.elapsed_seconds)},
      {"measurement", result.measurement ? encode_measurement(*result.measurement) : nlohmann::json(nullptr)},
      {"accuracy", result.accuracy ? encode_accuracy(*result.accuracy) : nlohmann::json(nullptr)},
      {"details", encode_details(result.details)},
      {"framework_version", valid_utf8(result.framework_version)},
      {"log", valid_utf8(result.log)},
      {"environment", result.environment ? protocol_detail::encode_environment(*result.environment)
                                         : nlohmann::json(nullptr)},
  };
}

namespace protocol_detail {

template <typename Json>
TestResult decode_result(const BasicFieldReader<Json>& fields) {
  TestResult result;
  result.spec = decode_spec(fields.object("spec"));
  const std::string status = fields.string("status");
  try {
    result.status = test_status_from_string(status);
  } catch (const std::invalid_argument&) {
    throw std::runtime_error(
        fmt::format("result: field 'status' expected one of ok, failed, crashed, timeout, unsupported, got \"{}\"", status));
  }
  result.reason = fields.string("reason");
  result.stderr_tail = fields.string("stderr_tail");
  result.exit_code = fields.integer("exit_code");
  result.signal = fields.integer("signal");
  result.started_at = fields.string("started_at");
  result.finished_at = fields.string("finished_at");
  result.elapsed_seconds = fields.number("elapsed_s");
  if (!fields.is_null("measurement")) result.measurement = decode_measurement(fields.object("measurement"));
  if (!fields.is_null("accuracy")) result.accuracy = decode_accuracy(fields.object("accuracy"));
  result.details = fields.string_map("details");
  result.framework_version = fields.string("framework_version");
  if (fields.has("log")) result.log = fields.string("log");  // optional (within protocol 4)
  // Optional (added in protocol 3): results of older agents have none.
  if (fields.has("environment") && !fields.is_null("environment")) {
    result.environment = decode_environment(fields.object("environment"));
  }
  return result;
}

template TestResult decode_result(const FieldReader&);
template TestResult decode_result(const FastFieldReader&);

}  // namespace protocol_detail

TestResult test_result_from_json(const nlohmann::json& json) {
  return protocol_detail::decode_result(protocol_detail::open_document("result", json));
}

}  // namespace dli
