#pragma once
// Rendering of merged results: CSV (docs/results-csv.md) and one self-contained static HTML page.
// Pure functions writing to a stream.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "dli/protocol/capacity_question.hpp"
#include "dli/protocol/host_info.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/protocol/test_result.hpp"
#include "dli/report/regression.hpp"
#include "dli/report/repeats.hpp"

namespace dli {

struct ReportRow {
  // A planned test; `result` is absent when it has not been run (shown as N/A).
  TestSpec spec;
  std::optional<TestResult> result;
  std::string not_run_reason = {};  // without a result: why (the host's fate), e.g. "host lost: ..."
  // The GEMM peak of the test's host (host.json's gemm_peak), GFLOP/s; absent when the host did not say.
  std::optional<double> host_peak_gflops = {};
  // A repeated test (measure.repeats > 1): `result` is its median repeat (combine_repeats), this says which and
  // how the repeats agree. Absent for a test run once.
  std::optional<RepeatSummary> repeats = {};
  // How the figure compares with the same test's earlier runs on the same host, from the history database; absent
  // without a history or without a VALID figure.
  std::optional<Change> change = {};
};

struct ReportContext {
  std::string run_id;
  std::string sweep_name;
  std::string created_at;
  std::string generated_at;
  std::vector<std::pair<std::string, HostInfo>> hosts = {};  // host name -> machine, when the agent described it
  std::vector<HostStatus> host_states = {};  // each host's last status, in run order (absent: never heard of)
  // On a published site (docs/site.md): the link back to the index, and the prefix of series pages
  // (<prefix><host>/<test id>.html) each test of the details table links to; empty: a page on its own.
  std::string index_link = {};
  std::string series_links = {};
  // Hosts left out of the run because they are in maintenance: name and reason.
  std::vector<std::pair<std::string, std::string>> maintenance = {};
  // The capacity questions the sweep asked (`capacity:`): the page answers each from the run's results.
  std::vector<CapacityQuestion> capacity = {};
};

std::vector<std::string> csv_columns();
void write_csv(std::ostream& out, const std::vector<ReportRow>& rows);
// The run page: its speed table is data (docs/site.md, "The run page's data") its script renders a page at a time;
// each cell links to its test's section on the host's page (host_page_path).
void write_html(std::ostream& out, const ReportContext& context, const std::vector<ReportRow>& rows);

// Where the run page links a host's detail page: "hosts/<host>.html" (host names are safe path segments,
// names.hpp). Each test is a section anchored by its test id.
std::string host_page_path(const std::string& host);
// The hosts of `rows`, in order of first appearance: one detail page each.
std::vector<std::string> report_hosts(const std::vector<ReportRow>& rows);
// Each host's rows, hosts in order of first appearance, rows in their order: one pass over the rows for all the
// host pages, where filtering the whole run once per host would read every row as many times as there are hosts.
struct HostRows {
  std::string host;
  std::vector<const ReportRow*> rows;
};
std::vector<HostRows> rows_by_host(const std::vector<ReportRow>& rows);
// One host's detail page: each of its tests, with its parameters, statistics, verdict, environment and log.
// `run_page`: the run page, relative to this one ("../results.html").
void write_host_html(std::ostream& out, const ReportContext& context, const HostRows& host,
                     const std::string& run_page);
// The same for the tests of `rows` planned on `host`.
void write_host_html(std::ostream& out, const ReportContext& context, const std::string& host,
                     const std::vector<ReportRow>& rows, const std::string& run_page);

// An Atom feed (RFC 4287) of what moved in this run against earlier runs: one entry per regressed or improved test,
// regressions first; a feed without entries when nothing moved (or without a history).
void write_atom(std::ostream& out, const ReportContext& context, const std::vector<ReportRow>& rows);
// One feed over several runs (newest first): the entries of each, as write_atom writes them.
void write_atom_feed(std::ostream& out, const std::string& title, const std::string& id,
                     const std::vector<std::pair<ReportContext, const std::vector<ReportRow>*>>& runs);

std::string csv_escape(const std::string& field);
std::string html_escape(const std::string& text);

}  // namespace dli
