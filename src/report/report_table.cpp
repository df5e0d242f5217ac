#include "report_table.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "report_format.hpp"

namespace dli::report {

namespace {

using RowKey = std::tuple<std::string, std::string, std::string, std::string, int, int, std::string>;

MatrixRow row_of(const TestSpec& spec) {
  MatrixRow row;
  row.model = spec.model.name;
  row.format = spec.model.format;
  row.framework = spec.framework;
  row.input_shape = format_shape(spec.model.input_shape);
  row.batch = spec.batch;
  row.threads = spec.threads;
  row.parameters = format_params(spec.params, {"device"});
  return row;
}

RowKey key_of(const MatrixRow& row) {
  return {row.model, row.format, row.framework, row.input_shape, row.batch, row.threads, row.parameters};
}

// Sync requests are always 1; async columns are told apart by their request count.
int requests_of(const TestSpec& spec) { return spec.mode == Mode::kSync ? 1 : spec.requests; }

// Order of first appearance of each string, for sorting by it.
class Appearance {
 public:
  int rank(const std::string& name) {
    auto found = ranks_.find(name);
    if (found == ranks_.end()) found = ranks_.emplace(name, static_cast<int>(ranks_.size())).first;
    return found->second;
  }

 private:
  std::map<std::string, int> ranks_;
};

std::vector<MatrixColumn> columns_of(const std::vector<ReportRow>& rows) {
  Appearance hosts;
  std::map<std::string, Appearance> devices;  // per host
  // (host rank, device rank, mode, requests) -> column; the key's order is the display order.
  std::map<std::tuple<int, int, int, int>, MatrixColumn> unique;
  for (const auto& row : rows) {
    const TestSpec& spec = row.spec;
    const std::string device = device_precision(spec);
    const auto key = std::make_tuple(hosts.rank(spec.host), devices[spec.host].rank(device),
                                     spec.mode == Mode::kSync ? 0 : 1, requests_of(spec));
    unique.emplace(key, MatrixColumn{spec.host, device, spec.mode, requests_of(spec), ""});
  }
  std::vector<MatrixColumn> columns;
  for (auto& entry : unique) columns.push_back(std::move(entry.second));

  // Throughput columns name their request count only when a device group has several.
  for (auto& column : columns) {
    if (column.mode == Mode::kSync) {
      column.label = "Latency mode";
      continue;
    }
    const auto siblings = std::count_if(columns.begin(), columns.end(), [&](const MatrixColumn& other) {
      return other.mode == Mode::kAsync && other.host == column.host && other.device == column.device;
    });
    column.label = siblings > 1 ? "Throughput mode, " + std::to_string(column.requests) + " req" : "Throughput mode";
  }
  return columns;
}

}  // namespace

Matrix build_matrix(const std::vector<ReportRow>& rows) {
  Matrix matrix;
  matrix.columns = columns_of(rows);
  std::map<RowKey, std::size_t> row_index;
  for (const auto& report_row : rows) {
    const TestSpec& spec = report_row.spec;
    MatrixRow candidate = row_of(spec);
    auto [found, inserted] = row_index.emplace(key_of(candidate), matrix.rows.size());
    if (inserted) {
      candidate.cells.assign(matrix.columns.size(), nullptr);
      matrix.rows.push_back(std::move(candidate));
    }
    const std::string device = device_precision(spec);
    for (std::size_t c = 0; c < matrix.columns.size(); ++c) {
      const MatrixColumn& column = matrix.columns[c];
      if (column.host != spec.host || column.device != device || column.mode != spec.mode ||
          column.requests != requests_of(spec)) {
        continue;
      }
      // Two planned tests in one cell would differ only in what the table does not show (the plan
      // does not make such pairs); the first one stays, the details table lists both.
      auto& cell = matrix.rows[found->second].cells[c];
      if (cell == nullptr) cell = &report_row;
    }
  }
  return matrix;
}

}  // namespace dli::report
