#pragma once
// Private to the run page: the speed table as compact JSON (docs/site.md, "The run page's data"), which the page's
// script renders a page of rows at a time, so that a run of 100,000 results stays usable. Pure.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dli/report/report.hpp"
#include "report_table.hpp"

namespace dli::report {

// Bits of a cell's flags (its fifth entry).
inline constexpr int kCellBest = 1;       // the best VALID figure of its row among the columns of its mode
inline constexpr int kCellWarned = 2;     // measured under an environment warning
inline constexpr int kCellRegressed = 4;  // moved for the worse against the history
inline constexpr int kCellImproved = 8;   // moved for the better

// One cell: [test id's index in the ids list, status, figure, CV %, flags, repeats, change %, hover text], the
// trailing entries left out while they are 0, null or empty; status is "ok", "invalid", "fail", "unsupported" or
// "na" (planned, not run); figure, CV and change are numbers as the page shows them (null without a figure).
// null: not planned.
nlohmann::json cell_data(const ReportRow* row, bool best, int id);

// The whole table: {"hosts": [[name, hardware summary]], "columns": [...], "ids": [...], "rows": [...]}
// (docs/site.md).
nlohmann::json matrix_data(const Matrix& matrix, const std::vector<std::pair<std::string, HostInfo>>& hosts);

// JSON text safe inside <script type="application/json">: '<', '>' and '&' written as \u escapes, so that no
// "</script>" or "<!--" in a name can end the block; JSON.parse reads the same strings back.
std::string script_json(const nlohmann::json& value);

// Per row, the cells holding the best VALID figure among the columns of the same mode (across hosts and devices).
// A group of one cell has no best.
std::vector<bool> best_cells(const Matrix& matrix, const MatrixRow& row);

// "AMD EPYC 7B13, 2 logical CPUs, 23.5 GiB, RTX 4090"; empty when the host did not describe itself.
std::string hardware_summary(const std::string& host, const std::vector<std::pair<std::string, HostInfo>>& hosts);

// The unit of a column's figures: "FPS", "ms", "queries/s" or "samples/s".
std::string column_unit(Mode mode);

}  // namespace dli::report
