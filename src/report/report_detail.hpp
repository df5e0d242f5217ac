#pragma once
// Private to the host pages: one test's detail section (docs/site.md, "Host pages"). Pure.
#include <ostream>
#include <string>

#include "dli/report/report.hpp"

namespace dli::report {

// <section id="<test id>">: the test's parameters, statistics, verdict, repeats, change, environment and warnings,
// and where its log is (the store key under `run_id`, with the output's tail when it did not end ok).
// `series_link`: its series page, relative to the host page; empty: none.
void write_test_section(std::ostream& out, const std::string& run_id, const ReportRow& row,
                        const std::string& series_link);

}  // namespace dli::report
