#pragma once
// Private to the HTML writer: planned tests grouped into the website's matrix. Rows are model x framework
// x input shape x batch x threads x parameters; columns are host, then device/precision, then mode.
#include <string>
#include <vector>

#include "dli/report/report.hpp"

namespace dli::report {

struct MatrixColumn {
  std::string host;
  std::string device;  // "CPU / FP32"
  Mode mode = Mode::kSync;
  int requests = 1;
  std::string label;   // "Latency mode", "Throughput mode" or "Throughput mode, 2 req"
};

struct MatrixRow {
  std::string model;
  std::string format;
  std::string framework;
  std::string input_shape;  // "3x224x224"
  int batch = 1;
  int threads = 1;
  std::string parameters;   // "k=v;k=v" without "device", which is a column level
  std::vector<const ReportRow*> cells;  // one per column; nullptr where the combination was not planned
};

struct Matrix {
  std::vector<MatrixColumn> columns;  // grouped: a host's columns are adjacent, and a device's within it
  std::vector<MatrixRow> rows;        // in order of first appearance
};

// Hosts, device groups and rows in order of first appearance; within a device group the latency column
// comes first, then throughput columns by request count. Points into `rows`, which must outlive it.
Matrix build_matrix(const std::vector<ReportRow>& rows);

}  // namespace dli::report
