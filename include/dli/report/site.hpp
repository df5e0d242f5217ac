#pragma once
// The pages of a published site that are not a run's own page (docs/site.md): the index of runs and one page per
// series (a test on a host across runs), and a run's rows as JSON. Pure: text out.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "dli/report/report.hpp"

namespace dli {

struct SiteRun {
  std::string run_id, sweep_name, created_at;
  int tests = 0, ok = 0, valid = 0, regressed = 0, improved = 0;
  std::vector<std::string> hosts;
};

// Latest first, as given.
void write_site_index(std::ostream& out, const std::string& title, const std::vector<SiteRun>& runs);

struct SeriesEntry {
  std::string run_id, created_at, status, verdict;
  std::optional<double> figure;  // the table's figure (history_row.hpp)
};

// `latest`: the series' row in the newest run (its spec names the series; its change draws the band).
// `points`: oldest first. Links to runs are <runs_link><run>/index.html.
void write_series_page(std::ostream& out, const ReportRow& latest, const std::vector<SeriesEntry>& points,
                       const std::string& index_link, const std::string& runs_link);

}  // namespace dli
