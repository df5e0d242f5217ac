#pragma once
// A collected run into the history database (docs/history.md).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dli/integrator/collect.hpp"
#include "dli/util/result.hpp"

namespace dli {

// Where a run's history goes unless told: `history.sqlite` beside the run's report folder (dli-out/history.sqlite
// for dli-out/<run id>), so that every run reported into one folder shares one history.
std::string default_history_location(const std::string& out_dir);

// Records the run (its manifest, hosts and every planned test's row) in the history at `location`, in one
// transaction, then compares each VALID figure with the same test's earlier runs on its host (judge_change) and
// sets the rows' `change`. Returns the number of rows recorded.
Result<int> record_history(Collected& collected, const std::string& location);

// Pure: each row's change against `earlier` (series -> earlier VALID figures, oldest first).
void judge_changes(std::vector<ReportRow>& rows,
                   const std::map<std::pair<std::string, std::string>, std::vector<double>>& earlier);

}  // namespace dli
