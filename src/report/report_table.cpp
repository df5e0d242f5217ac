#include "report_table.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "report_format.hpp"

namespace dli::report {

namespace {

using RowKey = std::tuple<std::string, std::string, std::string, std::string, int, int, std::string>;
using AccuracyKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;

MatrixRow row_of(const TestSpec& spec) {
  MatrixRow row;
  row.model = spec.model.name;
  row.format = spec.model.format;
  row.framework = spec.framework;
  row.input_shape = format_shape(spec.model.input_shape);
  row.batch = spec.batch;
  row.threads = spec.threads;
  row.parameters = format_params(spec.params);
  return row;
}

RowKey key_of(const MatrixRow& row) {
  return {row.model, row.format, row.framework, row.input_shape, row.batch, row.threads, row.parameters};
}

AccuracyRow accuracy_row_of(const TestSpec& spec) {
  AccuracyRow row;
  row.model = spec.model.name;
  row.format = spec.model.format;
  row.framework = spec.framework;
  row.parameters = format_params(spec.params);
  row.dataset = spec.dataset.name;
  return row;
}

AccuracyKey key_of(const AccuracyRow& row) {
  return {row.model, row.format, row.framework, row.parameters, row.dataset};
}

bool is_speed(const TestSpec& spec) { return spec.mode != Mode::kAccuracy; }

// Sync requests are always 1; the other columns are told apart by their request count.
int requests_of(const TestSpec& spec) { return uses_streams(spec.mode) ? spec.requests : 1; }

// Display order of the modes within a device group: the seed's two first, then the scenarios.
int mode_rank(Mode mode) {
  switch (mode) {
    case Mode::kSync: return 0;
    case Mode::kAsync: return 1;
    case Mode::kSingleStream: return 2;
    case Mode::kMultiStream: return 3;
    case Mode::kServer: return 4;
    case Mode::kOffline: return 5;
    case Mode::kAccuracy: break;
  }
  return 6;
}

bool same_column(const MatrixColumn& column, const TestSpec& spec, const std::string& device) {
  return column.host == spec.host && column.device == device && column.mode == spec.mode &&
         column.requests == requests_of(spec) && column.samples_per_query == spec.samples_per_query &&
         column.target_qps == spec.target_qps;
}

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
  std::map<std::tuple<int, int, int, int, int, double>, MatrixColumn> unique;
  for (const auto& row : rows) {
    const TestSpec& spec = row.spec;
    if (!is_speed(spec)) continue;
    const std::string device = device_precision(spec);
    const auto key = std::make_tuple(hosts.rank(spec.host), devices[spec.host].rank(device), mode_rank(spec.mode),
                                     requests_of(spec), spec.samples_per_query, spec.target_qps);
    unique.emplace(key, MatrixColumn{spec.host, device, spec.mode, requests_of(spec), spec.samples_per_query,
                                     spec.target_qps, ""});
  }
  std::vector<MatrixColumn> columns;
  for (auto& entry : unique) columns.push_back(std::move(entry.second));

  // Throughput columns name their request count only when a device group has several.
  for (auto& column : columns) {
    column.label = column_label(column.mode, column.samples_per_query, column.target_qps);
    if (!uses_streams(column.mode)) continue;
    const auto siblings = std::count_if(columns.begin(), columns.end(), [&](const MatrixColumn& other) {
      return other.mode == column.mode && other.host == column.host && other.device == column.device &&
             other.samples_per_query == column.samples_per_query && other.target_qps == column.target_qps;
    });
    if (siblings > 1) column.label += ", " + std::to_string(column.requests) + " req";
  }
  return columns;
}

std::vector<AccuracyColumn> accuracy_columns_of(const std::vector<ReportRow>& rows) {
  Appearance hosts;
  std::map<std::string, Appearance> devices;  // per host
  std::map<std::tuple<int, int>, AccuracyColumn> unique;
  for (const auto& row : rows) {
    const TestSpec& spec = row.spec;
    if (spec.mode != Mode::kAccuracy) continue;
    const std::string device = device_precision(spec);
    unique.emplace(std::make_tuple(hosts.rank(spec.host), devices[spec.host].rank(device)),
                   AccuracyColumn{spec.host, device});
  }
  std::vector<AccuracyColumn> columns;
  for (auto& entry : unique) columns.push_back(std::move(entry.second));
  return columns;
}

}  // namespace

Matrix build_matrix(const std::vector<ReportRow>& rows) {
  Matrix matrix;
  matrix.columns = columns_of(rows);
  std::map<RowKey, std::size_t> row_index;
  for (const auto& report_row : rows) {
    const TestSpec& spec = report_row.spec;
    if (!is_speed(spec)) continue;
    MatrixRow candidate = row_of(spec);
    auto [found, inserted] = row_index.emplace(key_of(candidate), matrix.rows.size());
    if (inserted) {
      candidate.cells.assign(matrix.columns.size(), nullptr);
      matrix.rows.push_back(std::move(candidate));
    }
    const std::string device = device_precision(spec);
    for (std::size_t c = 0; c < matrix.columns.size(); ++c) {
      const MatrixColumn& column = matrix.columns[c];
      if (!same_column(column, spec, device)) continue;
      // Two planned tests in one cell would differ only in what the table does not show (the plan
      // does not make such pairs); the first one stays, the details table lists both.
      auto& cell = matrix.rows[found->second].cells[c];
      if (cell == nullptr) cell = &report_row;
    }
  }
  return matrix;
}

AccuracyTable build_accuracy_table(const std::vector<ReportRow>& rows) {
  AccuracyTable table;
  table.columns = accuracy_columns_of(rows);
  std::map<AccuracyKey, std::size_t> row_index;
  for (const auto& report_row : rows) {
    const TestSpec& spec = report_row.spec;
    if (spec.mode != Mode::kAccuracy) continue;
    AccuracyRow candidate = accuracy_row_of(spec);
    auto [found, inserted] = row_index.emplace(key_of(candidate), table.rows.size());
    if (inserted) {
      candidate.cells.assign(table.columns.size(), nullptr);
      table.rows.push_back(std::move(candidate));
    }
    const std::string device = device_precision(spec);
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (table.columns[c].host != spec.host || table.columns[c].device != device) continue;
      // The plan makes one accuracy test per model, framework and device; a second (another batch or thread
      // count) stays in the details table only.
      auto& cell = table.rows[found->second].cells[c];
      if (cell == nullptr) cell = &report_row;
    }
  }
  // A model's frameworks next to each other, even when a later host adds a framework the first one lacked.
  Appearance models;
  for (const auto& row : table.rows) models.rank(row.model);
  std::stable_sort(table.rows.begin(), table.rows.end(), [&](const AccuracyRow& a, const AccuracyRow& b) {
    return models.rank(a.model) < models.rank(b.model);
  });
  return table;
}

}  // namespace dli::report
