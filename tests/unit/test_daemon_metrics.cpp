// The daemon's metrics file: Prometheus' text format, exactly.
#include <string>

#include <gtest/gtest.h>

#include "dli/daemon/metrics.hpp"

namespace dli {
namespace {

TEST(DaemonMetrics, OneSeriesPerSweepWithHelpAndType) {
  DaemonState state;
  SweepRecord& nightly = state.sweeps["nightly"];
  nightly.runs = 3;
  nightly.tests_ok = 120;
  nightly.tests_failed = 2;
  nightly.hosts_lost = 1;
  nightly.store_errors = 0;
  nightly.last_success = 1794996000;
  state.sweeps["new"];  // never succeeded: no timestamp sample
  EXPECT_EQ(render_metrics(state),
            "# HELP dli_runs_total Runs of the sweep collected by the daemon.\n"
            "# TYPE dli_runs_total counter\n"
            "dli_runs_total{sweep=\"new\"} 0\n"
            "dli_runs_total{sweep=\"nightly\"} 3\n"
            "# HELP dli_tests_ok_total Tests measured ok in the sweep's runs.\n"
            "# TYPE dli_tests_ok_total counter\n"
            "dli_tests_ok_total{sweep=\"new\"} 0\n"
            "dli_tests_ok_total{sweep=\"nightly\"} 120\n"
            "# HELP dli_tests_failed_total Tests failed, crashed, timed out or not run in the sweep's runs.\n"
            "# TYPE dli_tests_failed_total counter\n"
            "dli_tests_failed_total{sweep=\"new\"} 0\n"
            "dli_tests_failed_total{sweep=\"nightly\"} 2\n"
            "# HELP dli_hosts_lost_total Hosts not reached or lost in the sweep's runs.\n"
            "# TYPE dli_hosts_lost_total counter\n"
            "dli_hosts_lost_total{sweep=\"new\"} 0\n"
            "dli_hosts_lost_total{sweep=\"nightly\"} 1\n"
            "# HELP dli_store_errors_total Store errors in the sweep's runs: exit code 5, results unreadable, site upload "
            "refused.\n"
            "# TYPE dli_store_errors_total counter\n"
            "dli_store_errors_total{sweep=\"new\"} 0\n"
            "dli_store_errors_total{sweep=\"nightly\"} 0\n"
            "# HELP dli_last_success_timestamp_seconds When a run of the sweep last ended with every test measured "
            "(exit code 0), seconds since the epoch.\n"
            "# TYPE dli_last_success_timestamp_seconds gauge\n"
            "dli_last_success_timestamp_seconds{sweep=\"nightly\"} 1794996000\n");
}

TEST(DaemonMetrics, LabelValuesAreEscaped) {
  DaemonState state;
  state.sweeps["a\"b\\c\nd"];
  EXPECT_NE(render_metrics(state).find("dli_runs_total{sweep=\"a\\\"b\\\\c\\nd\"} 0\n"), std::string::npos);
}

}  // namespace
}  // namespace dli
