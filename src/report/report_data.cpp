#include "report_data.hpp"

#include <charconv>
#include <optional>
#include <system_error>
#include <unordered_map>

#include "dli/report/repeats.hpp"
#include "report_format.hpp"

namespace dli::report {

namespace {

using nlohmann::json;

// A cell as written: its trailing entries left out while they hold their defaults (flags 0, repeats 0, no change,
// no hover text), which most cells do.
json trimmed(int id, const char* status, json figure, json cv, int flags, int repeats, json change,
             const std::string& title) {
  json cell = json::array({id, status, std::move(figure), std::move(cv), flags, repeats, std::move(change), title});
  if (title.empty()) {
    cell.erase(7);
    if (cell[6].is_null()) {
      cell.erase(6);
      if (repeats == 0) {
        cell.erase(5);
        if (flags == 0) cell.erase(4);
      }
    }
  }
  return cell;
}

json plain_cell(int id, const char* status, const std::string& title) {
  return trimmed(id, status, nullptr, nullptr, 0, 0, nullptr, title);
}

// A figure as the page shows it ("81.23"), as a number: its shortest JSON spelling (81.23) reads back the same.
// from_chars, unlike stod, ignores the locale, as fixed() does.
json shown(const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return nullptr;
  return value;
}

// Why a test that did not end ok has no figure: "failed: exit code 3".
std::string failure_title(const ReportRow& row) {
  std::string title = status_text(row);
  if (!row.result->reason.empty()) title += ": " + row.result->reason;
  return title;
}

}  // namespace

json cell_data(const ReportRow* row, bool best, int id) {
  if (row == nullptr) return nullptr;
  if (!row->result) return plain_cell(id, "na", row->not_run_reason.empty() ? "not run" : row->not_run_reason);
  if (row->result->status == TestStatus::kUnsupported) return plain_cell(id, "unsupported", failure_title(*row));
  if (row->result->status != TestStatus::kOk) return plain_cell(id, "fail", failure_title(*row));
  const Measurement* m = measured(*row);
  if (m == nullptr) return plain_cell(id, "fail", "ok without a measurement");
  // The hover text holds only what the cell cannot show (the reasons, the warnings); the test's page has the rest.
  std::string title = m->verdict.valid ? "" : verdict_text(*m);
  int flags = best ? kCellBest : 0;
  if (row->result->environment && !row->result->environment->warnings.empty()) {
    flags |= kCellWarned;
    for (const auto& warning : row->result->environment->warnings) {
      title += (title.empty() ? "" : "\n") + std::string("warning: ") + warning;
    }
  }
  json change = nullptr;
  if (row->change && (row->change->kind == ChangeKind::kRegressed || row->change->kind == ChangeKind::kImproved)) {
    flags |= row->change->kind == ChangeKind::kRegressed ? kCellRegressed : kCellImproved;
    change = shown(fixed(100 * row->change->relative, 1));
  }
  const int repeats = row->repeats ? static_cast<int>(row->repeats->repeats.size()) : 0;
  return trimmed(id, m->verdict.valid ? "ok" : "invalid", shown(headline(row->spec, *m)),
                 shown(percent(m->request.cv, 1)), flags, repeats, std::move(change), title);
}

std::string column_unit(Mode mode) {
  switch (mode) {
    case Mode::kSingleStream:
    case Mode::kMultiStream: return "ms";
    case Mode::kServer: return "queries/s";
    case Mode::kOffline: return "samples/s";
    default: return "FPS";
  }
}

std::vector<bool> best_cells(const Matrix& matrix, const MatrixRow& row) {
  std::vector<bool> best(row.cells.size(), false);
  std::vector<bool> seen(row.cells.size(), false);
  for (std::size_t c = 0; c < row.cells.size(); ++c) {
    if (seen[c]) continue;
    std::optional<std::size_t> leader;
    double lead = 0;
    int candidates = 0;
    for (std::size_t d = c; d < row.cells.size(); ++d) {
      if (matrix.columns[d].label != matrix.columns[c].label) continue;
      seen[d] = true;
      const ReportRow* cell = row.cells[d];
      const Measurement* m = cell != nullptr ? measured(*cell) : nullptr;
      if (m == nullptr || !m->verdict.valid) continue;
      ++candidates;
      const double value = headline_value(cell->spec, *m);
      if (!leader || (higher_is_better(cell->spec.mode) ? value > lead : value < lead)) {
        leader = d;
        lead = value;
      }
    }
    if (leader && candidates >= 2) best[*leader] = true;
  }
  return best;
}

std::string hardware_summary(const std::string& host, const std::vector<std::pair<std::string, HostInfo>>& hosts) {
  for (const auto& [name, info] : hosts) {
    if (name != host) continue;
    std::string text = info.cpu_model + ", " + std::to_string(info.logical_cpus) + " logical CPUs, " +
                       fixed(static_cast<double>(info.memory_kb) / (1024.0 * 1024.0), 1) + " GiB";
    for (const auto& accelerator : info.accelerators) text += ", " + accelerator.name;
    return text;
  }
  return "";
}

json matrix_data(const Matrix& matrix, const std::vector<std::pair<std::string, HostInfo>>& hosts) {
  json host_list = json::array();
  json columns = json::array();
  for (const auto& column : matrix.columns) {
    // Columns come grouped by host: a new host starts where the previous column's host differs.
    if (host_list.empty() || host_list.back()[0] != column.host) {
      host_list.push_back(json::array({column.host, hardware_summary(column.host, hosts)}));
    }
    columns.push_back({{"host", host_list.size() - 1},
                       {"device", column.device},
                       {"mode", to_string(column.mode)},
                       {"label", column.label},
                       {"unit", column_unit(column.mode)},
                       {"higher", higher_is_better(column.mode)},
                       {"decimals", column_unit(column.mode) == "ms" ? 3 : 2},
                       {"title", column_title(column.mode, column.requests, column.samples_per_query,
                                              column.target_qps)}});
  }
  // A test id is the same on every host: the page lists each once, and cells name it by its place in the list.
  json ids = json::array();
  std::unordered_map<std::string, int> id_index;
  json rows = json::array();
  for (const auto& row : matrix.rows) {
    const std::vector<bool> best = best_cells(matrix, row);
    json cells = json::array();
    for (std::size_t c = 0; c < row.cells.size(); ++c) {
      int id = -1;
      if (const ReportRow* cell = row.cells[c]) {
        const auto [found, inserted] = id_index.emplace(cell->spec.id, static_cast<int>(ids.size()));
        if (inserted) ids.push_back(cell->spec.id);
        id = found->second;
      }
      cells.push_back(cell_data(row.cells[c], best[c], id));
    }
    rows.push_back(json::array({row.model, row.format, row.framework, row.input_shape, row.batch, row.threads,
                                row.parameters, std::move(cells)}));
  }
  return {{"hosts", std::move(host_list)}, {"columns", std::move(columns)}, {"ids", std::move(ids)},
          {"rows", std::move(rows)}};
}

std::string script_json(const nlohmann::json& value) {
  const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string safe;
  safe.reserve(text.size() + text.size() / 64);
  for (const char c : text) {
    switch (c) {
      case '<': safe += "\\u003c"; break;
      case '>': safe += "\\u003e"; break;
      case '&': safe += "\\u0026"; break;
      default: safe += c;
    }
  }
  return safe;
}

}  // namespace dli::report
