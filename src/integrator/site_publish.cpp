#include "dli/integrator/site_publish.hpp"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "dli/integrator/history_record.hpp"
#include "dli/report/report.hpp"
#include "dli/report/rows_json.hpp"
#include "dli/report/site.hpp"
#include "dli/util/clock.hpp"
#include "dli/util/local_file.hpp"

namespace dli {

namespace fs = std::filesystem;

namespace {

// One page or file of the site, written whole (the version folder is not visible until the swap anyway).
void write_page(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  write_file_atomically(path.string(), text);
}

SiteRun summary_of(const RecordedRun& run) {
  SiteRun summary{run.run_id, run.sweep_name, run.created_at, static_cast<int>(run.rows.size()), 0, 0, 0, 0, {}};
  for (const auto& row : run.rows) {
    if (row.result && row.result->status == TestStatus::kOk) ++summary.ok;
    if (row.result && row.result->measurement && row.result->measurement->verdict.valid) ++summary.valid;
    if (row.change && row.change->kind == ChangeKind::kRegressed) ++summary.regressed;
    if (row.change && row.change->kind == ChangeKind::kImproved) ++summary.improved;
    if (summary.hosts.empty() || summary.hosts.back() != row.spec.host) summary.hosts.push_back(row.spec.host);
  }
  return summary;
}

// Keeps the current version and the one before it (a reader may still be on it); removes older ones.
void prune_versions(const fs::path& versions, const fs::path& current, const fs::path& previous) {
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(versions, ignored)) {
    if (entry.path() == current || entry.path() == previous) continue;
    fs::remove_all(entry.path(), ignored);
  }
}

}  // namespace

Result<PublishSummary> publish_site(HistoryDb& history, const std::string& site_dir, const std::string& title) {
  const fs::path site = fs::absolute(site_dir).lexically_normal();
  std::error_code error;
  const auto status = fs::symlink_status(site, error);
  if (fs::exists(status) && !fs::is_symlink(status)) {
    return Error{site.string() + " exists and is not a site published by dli (a symbolic link to " +
                 site.string() + ".versions/...): choose another folder or remove it"};
  }
  const fs::path previous = fs::is_symlink(status) ? fs::read_symlink(site, error) : fs::path();
  const fs::path versions = site.string() + ".versions";
  const fs::path version = versions / fmt::format("{}-{}", utc_now_iso8601(), ::getpid());
  fs::create_directories(version, error);
  if (error) return Error{"cannot create " + version.string() + ": " + error.message()};

  auto written = write_site(history, version.string(), title);
  if (!written) {
    fs::remove_all(version, error);
    return written.error();
  }
  PublishSummary summary = written.value();
  summary.site = site.string();
  summary.version = version.string();
  // The swap: a new link renamed over the old one is atomic; a reader follows one or the other.
  const fs::path link = site.string() + fmt::format(".new-{}", ::getpid());
  fs::remove(link, error);
  fs::create_symlink(version, link, error);
  if (!error) fs::rename(link, site, error);
  if (error) {
    fs::remove(link, error);
    fs::remove_all(version, error);
    return Error{"cannot point " + site.string() + " at the new version: " + error.message()};
  }
  prune_versions(versions, version, previous);
  return summary;
}

Result<PublishSummary> write_site(HistoryDb& history, const std::string& into, const std::string& title) {
  const fs::path version = into;
  const std::string stamp = utc_now_iso8601();
  auto runs = history.runs();
  if (!runs) return runs.error();
  PublishSummary summary;
  std::vector<SiteRun> index;
  std::vector<std::pair<ReportContext, std::vector<ReportRow>>> published;
  try {
    for (const auto& listed : runs.value()) {
      auto run = history.run(listed.run_id);
      if (!run) return run.error();
      auto earlier = history.earlier_figures(listed.run_id);
      if (!earlier) return earlier.error();
      judge_changes(run.value().rows, earlier.value());
      ReportContext context{run.value().run_id, run.value().sweep_name, run.value().created_at, stamp,
                            run.value().hosts, run.value().host_states, "../../index.html", "../../series/",
                            run.value().maintenance, run.value().capacity};
      const fs::path folder = version / "runs" / run.value().run_id;
      std::ostringstream html, csv, json, feed;
      write_html(html, context, run.value().rows);
      write_csv(csv, run.value().rows);
      stream_rows_json(json, context, run.value().rows);
      write_atom(feed, context, run.value().rows);
      write_page(folder / "index.html", html.str());
      write_page(folder / "results.csv", csv.str());
      write_page(folder / "results.json", json.str());
      write_page(folder / "changes.atom", feed.str());
      for (const HostRows& host : rows_by_host(run.value().rows)) {  // the test details its page's cells link to
        std::ostringstream page;
        write_host_html(page, context, host, "../index.html");
        write_page(folder / host_page_path(host.host), page.str());
      }
      index.push_back(summary_of(run.value()));
      published.emplace_back(std::move(context), std::move(run.value().rows));
      ++summary.runs;
    }
    std::reverse(index.begin(), index.end());  // latest first
    std::ostringstream page;
    write_site_index(page, title, index);
    write_page(version / "index.html", page.str());
    // The feed: what moved in the latest 20 runs, newest first.
    std::vector<std::pair<ReportContext, const std::vector<ReportRow>*>> recent;
    for (auto it = published.rbegin(); it != published.rend() && recent.size() < 20; ++it) {
      recent.emplace_back(it->first, &it->second);
    }
    std::ostringstream feed;
    write_atom_feed(feed, title + ": changes", "urn:dli:site:" + title, recent);
    write_page(version / "feed.atom", feed.str());
    // A page per series of the latest run: what a reader follows from tonight's table.
    if (!published.empty()) {
      for (const ReportRow& row : published.back().second) {
        auto points = history.series(row.spec.host, row.spec.id);
        if (!points) return points.error();
        std::vector<SeriesEntry> entries;
        for (const auto& point : points.value()) {
          entries.push_back({point.run_id, point.created_at, point.status, point.verdict, point.figure});
        }
        std::ostringstream series;
        write_series_page(series, row, entries, "../../index.html", "../../runs/");
        write_page(version / "series" / row.spec.host / (row.spec.id + ".html"), series.str());
        ++summary.series;
      }
    }
  } catch (const std::exception& failure) {
    return Error{"cannot write the site into " + version.string() + ": " + failure.what()};
  }
  return summary;
}

}  // namespace dli
