// hosts/<host>.html: the details of every test one host ran in a run, a section each (docs/site.md, "Host pages").
#include <map>
#include <set>

#include "dli/report/distribution_plot.hpp"
#include "dli/report/report.hpp"
#include "report_data.hpp"
#include "report_detail.hpp"
#include "report_format.hpp"

namespace dli {

std::string host_page_path(const std::string& host) { return "hosts/" + host + ".html"; }

std::vector<std::string> report_hosts(const std::vector<ReportRow>& rows) {
  std::vector<std::string> hosts;
  std::set<std::string> seen;
  for (const auto& row : rows) {
    if (seen.insert(row.spec.host).second) hosts.push_back(row.spec.host);
  }
  return hosts;
}

std::vector<HostRows> rows_by_host(const std::vector<ReportRow>& rows) {
  std::vector<HostRows> hosts;
  std::map<std::string, std::size_t> index;
  for (const auto& row : rows) {
    const auto [at, added] = index.try_emplace(row.spec.host, hosts.size());
    if (added) hosts.push_back({row.spec.host, {}});
    hosts[at->second].rows.push_back(&row);
  }
  return hosts;
}

void write_host_html(std::ostream& out, const ReportContext& context, const HostRows& host,
                     const std::string& run_page) {
  const std::string summary = report::hardware_summary(host.host, context.hosts);
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>DLI tests on " << html_escape(host.host) << ": " << html_escape(context.sweep_name) << " ("
      << html_escape(context.run_id) << ")</title>\n<style>" << report::page_style() << "</style>\n</head>\n<body>\n"
      << "<h1>Tests on " << html_escape(host.host) << "</h1>\n<p><a href=\"" << html_escape(run_page)
      << "\">The run's table</a> \u00b7 run " << html_escape(context.run_id) << ", sweep "
      << html_escape(context.sweep_name) << "</p>\n";
  if (!summary.empty()) out << "<p class=\"hw\">" << html_escape(summary) << "</p>\n";
  // The host page sits one folder below the run page: series links (relative to the run page) gain a "../".
  const std::string series = context.series_links.empty() ? "" : "../" + context.series_links + host.host + "/";
  for (const ReportRow* row : host.rows) {
    report::write_test_section(out, context.run_id, *row, series.empty() ? "" : series + row->spec.id + ".html");
  }
  out << "<script>" << distribution_script() << "</script>\n</body>\n</html>\n";
}

void write_host_html(std::ostream& out, const ReportContext& context, const std::string& host,
                     const std::vector<ReportRow>& rows, const std::string& run_page) {
  HostRows own{host, {}};
  for (const auto& row : rows) {
    if (row.spec.host == host) own.rows.push_back(&row);
  }
  write_host_html(out, context, own, run_page);
}

}  // namespace dli
