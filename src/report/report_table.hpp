#pragma once
// Private to the HTML writer: planned tests grouped into the website's tables.
// Speed: rows are model x framework x input shape x batch x threads x parameters; columns are host, then
// device/precision, then mode (latency, throughput per request count).
// Accuracy: rows are model x framework x parameters x dataset; columns are host, then device/precision (each shown
// as a top-1 and a top-5 column).
#include <string>
#include <vector>

#include "dli/report/report.hpp"

namespace dli::report {

struct MatrixColumn {
  std::string host;
  std::string device;  // "CPU / FP32", "GPU 1 / FP16" (device_precision)
  Mode mode = Mode::kSync;
  int requests = 1;
  int samples_per_query = 1;  // multi_stream
  double target_qps = 0;      // server
  std::string label;   // "Latency mode", "Throughput mode" or "Throughput mode, 2 req", a scenario's name
};

struct MatrixRow {
  std::string model;
  std::string format;
  std::string framework;
  std::string input_shape;  // "3x224x224"
  int batch = 1;
  int threads = 1;
  std::string parameters;   // "k=v;k=v"
  std::vector<const ReportRow*> cells;  // one per column; nullptr where the combination was not planned
};

struct Matrix {
  std::vector<MatrixColumn> columns;  // grouped: a host's columns are adjacent, and a device's within it
  std::vector<MatrixRow> rows;        // in order of first appearance
};

// The speed table of the sync and async tests (accuracy tests are left out: see build_accuracy_table).
// Hosts, device groups and rows in order of first appearance; within a device group the latency column
// comes first, then throughput columns by request count. Points into `rows`, which must outlive it.
Matrix build_matrix(const std::vector<ReportRow>& rows);

struct AccuracyColumn {
  std::string host;
  std::string device;  // "CPU / FP32"
};

struct AccuracyRow {
  std::string model;
  std::string format;
  std::string framework;
  std::string parameters;  // "k=v;k=v"
  std::string dataset;     // the dataset's name in the sweep
  std::vector<const ReportRow*> cells;  // one per column; nullptr where the combination was not planned
};

struct AccuracyTable {
  std::vector<AccuracyColumn> columns;  // a host's columns adjacent
  std::vector<AccuracyRow> rows;        // in order of first appearance: a model's frameworks follow each other
};

// The accuracy tests only; empty when the sweep has none. Points into `rows`, which must outlive it.
AccuracyTable build_accuracy_table(const std::vector<ReportRow>& rows);

}  // namespace dli::report
