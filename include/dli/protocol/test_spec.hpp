#pragma once
// One planned test: everything an agent and its runner need to run it, and a stable id derived from it.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dli/measure/measure_config.hpp"

namespace dli {

// sync: latency mode; async: throughput mode (requests in flight); accuracy: top-1/top-5 over a labelled dataset.
// The scenarios in MLPerf LoadGen's sense (docs/methodology.md, "Scenarios"): single_stream, multi_stream, server,
// offline.
enum class Mode { kSync, kAsync, kAccuracy, kSingleStream, kMultiStream, kServer, kOffline };
// "sync", "async", "accuracy", "single_stream", "multi_stream", "server", "offline"
std::string to_string(Mode mode);
Mode mode_from_string(const std::string& text);  // throws std::invalid_argument
const std::vector<Mode>& all_modes();
bool is_scenario(Mode mode);        // single_stream, multi_stream, server, offline
bool uses_streams(Mode mode);       // async, server, offline: `requests` sessions, one thread each
// The percentile a mode's latency figure is: 50 (sync, async, offline), 90 (single_stream), 99 (multi_stream,
// server), unless measure.latency_percentile sets it (scenarios only).
double reported_percentile(Mode mode, double latency_percentile);

struct ModelRef {
  std::string name;
  std::string format;
  std::string precision;
  std::vector<int64_t> input_shape;  // without batch
  std::string file_name;             // base name of the model file (keeps the extension readers need)
  std::string sha256;                // content hash of the model file: its key in the store
  std::string config_name;           // optional second file (Caffe/TensorFlow), base name
  std::string config_sha256;         // and its hash; empty when there is none
  // Multiply-accumulates of one sample (batch 1) counted from the model's ONNX graph at plan time
  // (docs/methodology.md, "Operation count"); absent when unknown. Derived from the file, so not part of the id.
  std::optional<std::int64_t> macs = {};
};

// The labelled data of an accuracy test, packed (docs/runners.md, section 5) and stored like a model.
struct DatasetRef {
  std::string name;    // as the sweep names it (file or folder name)
  std::string sha256;  // of the packed file: its key in the store; empty when the test has no dataset
};

struct TestSpec {
  std::string id;    // test_id(*this); same spec gives the same id on every host and every run
  std::string host;  // host it is planned on (not part of the id)
  ModelRef model;
  std::string framework;
  std::map<std::string, std::string> params;
  int batch = 1;
  Mode mode = Mode::kSync;
  int threads = 1;
  int requests = 1;             // requests in flight (async, server, offline); 1 in the other modes
  int samples_per_query = 1;    // multi_stream: requests per query; 1 in the other modes
  double target_qps = 0;        // server: the Poisson arrival rate, queries per second (the search's start); 0 otherwise
  std::string device = "cpu";   // cpu, cuda or cuda:N
  DatasetRef dataset;           // accuracy mode only
  MeasureConfig measure;
  // Which of measure.repeats runs this task is, from 1; 0 when the test is not repeated. Not part of the id: every
  // repeat of a test shares its id, and task_key tells them apart.
  int repeat = 0;
};

// Canonical text of the spec's identity (model name/format/precision/shape/file name, framework, params, batch,
// mode, threads, requests, device, dataset, measurement settings), excluding host, the model's hash, the timeout and
// the memory limit (watchdogs, not measurement settings: the same test keeps one id on every host).
std::string canonical_spec(const TestSpec& spec);
// First 16 hex digits of sha256(canonical_spec(spec)).
std::string test_id(const TestSpec& spec);

// The key of one task's result and log in the store and the agent's spool: the test id, and "-r<k>" for repeat k
// (docs/protocol.md, section 2).
std::string task_key(const TestSpec& spec);

// Short human label: "mobilenet_v2/opencv-dnn/b1/sync/t2", with "/cuda" when not on the CPU, "/r2" for requests in
// flight, "/n8" for samples per query, "/q100" for a Server's rate and "/rep2of3" for a repeat.
std::string test_label(const TestSpec& spec);

}  // namespace dli
