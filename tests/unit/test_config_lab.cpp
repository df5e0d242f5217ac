// Lab file loading: exact values from a good file (defaults beside the lab file, paths relative to it); file, line,
// column, key and expectation for each bad one, and the problems of the fleet and sweeps it names.
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "dli/config/lab.hpp"
#include "support/config_problems.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

// The valid lab each bad case starts from; the line numbers in the tests refer to it.
const std::vector<std::string> kGoodLab = {
    "fleet: fleet.yaml",                  // 1
    "publish: site",                      // 2
    "max_concurrent_runs: 2",             // 3
    "sweeps:",                            // 4
    "  - name: nightly",                  // 5
    "    sweep: sweep.yaml",              // 6
    "    schedule: \"0 2 * * *\"",        // 7
    "    time_zone: Europe/Berlin",       // 8
};

std::string lab_with(const std::vector<std::pair<int, std::string>>& replacements, const std::string& appended = "") {
  std::vector<std::string> lines = kGoodLab;
  for (const auto& [line, text] : replacements) lines.at(static_cast<std::size_t>(line - 1)) = text;
  std::string yaml;
  for (const auto& line : lines) yaml += line + "\n";
  return yaml + appended;
}

class ConfigLab : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::string lab_path = dir.str("lab.yaml");

  void SetUp() override {
    dir.write("fleet.yaml", "hosts:\n  - {name: local, kind: local}\n");
    dir.write("other-fleet.yaml", "hosts:\n  - {name: local, kind: local}\n");
    dir.write("model.onnx", "unread");
    write_sweep("sweep.yaml", "fleet.yaml");
  }

  void write_sweep(const std::string& name, const std::string& fleet) const {
    dir.write(name, "name: s\nfleet: " + fleet +
                        "\nmodels:\n  - {name: m, file: model.onnx, format: onnx, input_shape: [1, 8, 8]}\n"
                        "launchers:\n  - {framework: \"null\"}\nbatch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n");
  }

  std::vector<Diagnostic> diagnostics_of(const std::string& yaml) const {
    return testing::diagnostics_of([&] { parse_lab(yaml, lab_path); }, yaml);
  }

  void expect_problem(const std::string& yaml, int line, int column, const std::string& key,
                      const std::string& fragment) const {
    testing::expect_single_problem(diagnostics_of(yaml), lab_path, line, column, key, fragment);
  }
};

TEST_F(ConfigLab, GoodFileParsesIntoExactValuesWithDefaultsBesideIt) {
  const LabConfig lab = parse_lab(lab_with({}), lab_path);
  EXPECT_EQ(lab.path, lab_path);
  EXPECT_EQ(lab.fleet_path, dir.str("fleet.yaml"));
  EXPECT_EQ(lab.fleet.hosts.size(), 1u);
  EXPECT_EQ(lab.publish, dir.str("site"));
  EXPECT_EQ(lab.max_concurrent_runs, 2);
  EXPECT_EQ(lab.state_dir, dir.str("dli-state"));
  EXPECT_EQ(lab.reports_dir, dir.str("dli-state/reports"));
  EXPECT_EQ(lab.metrics_path, dir.str("dli-state/dli.prom"));
  EXPECT_EQ(lab.history, dir.str("dli-state/history.sqlite"));
  EXPECT_EQ(lab.store_url, "file://" + dir.str("dli-state/store"));
  ASSERT_EQ(lab.sweeps.size(), 1u);
  EXPECT_EQ(lab.sweeps[0].name, "nightly");
  EXPECT_EQ(lab.sweeps[0].sweep_path, dir.str("sweep.yaml"));
  EXPECT_EQ(lab.sweeps[0].schedule.text, "0 2 * * *");
  EXPECT_EQ(lab.sweeps[0].time_zone, "Europe/Berlin");
  ASSERT_NE(lab.find("nightly"), nullptr);
  EXPECT_EQ(lab.schedules().at(0).name, "nightly");
}

TEST_F(ConfigLab, EveryLocationCanBeNamed) {
  const LabConfig lab = parse_lab(lab_with({{2, "publish: sftp://bench@web.lab/srv/www/dli?known_hosts=" +
                                                    dir.str("fleet.yaml")}},
                                           "store: file:///srv/dli-store\nhistory: postgresql://dli@db.lab/dli\n"
                                           "state: /var/lib/dli\nreports: out\nmetrics: /var/lib/node_exporter/dli.prom\n"
                                           "title: Lab\n"),
                                  lab_path);
  EXPECT_EQ(lab.store_url, "file:///srv/dli-store");
  EXPECT_EQ(lab.history, "postgresql://dli@db.lab/dli");
  EXPECT_EQ(lab.state_dir, "/var/lib/dli");
  EXPECT_EQ(lab.reports_dir, dir.str("out"));
  EXPECT_EQ(lab.metrics_path, "/var/lib/node_exporter/dli.prom");
  EXPECT_EQ(lab.title, "Lab");
  EXPECT_EQ(lab.publish.rfind("sftp://bench@web.lab/srv/www/dli", 0), 0u);
}

TEST_F(ConfigLab, BadValuesAreReportedWhereTheyAreWritten) {
  expect_problem(lab_with({{7, "    schedule: \"0 25 * * *\""}}), 7, 15, "sweeps[0].schedule",
                 "hour field '25': '25' is not a value from 0 to 23");
  expect_problem(lab_with({{8, "    time_zone: CEST"}}), 8, 16, "sweeps[0].time_zone",
                 "expected an IANA time zone name like Europe/Berlin or UTC, got 'CEST'");
  expect_problem(lab_with({{8, "    time_zon: Europe/Berlin"}}), 8, 5, "sweeps[0].time_zon", "time_zone");
  expect_problem(lab_with({{6, "    sweep: missing.yaml"}}), 6, 12, "sweeps[0].sweep", "does not exist");
  expect_problem(lab_with({{3, "max_concurrent_runs: 0"}}), 3, 22, "max_concurrent_runs", "");
  expect_problem(lab_with({{5, "  - name: night/ly"}}), 5, 11, "sweeps[0].name", "'/'");
  expect_problem(lab_with({}, "  - {name: nightly, sweep: sweep.yaml, schedule: '@daily', time_zone: UTC}\n"), 9, 12,
                 "sweeps[1].name", "nightly");
  expect_problem(lab_with({{1, "fleet: /nonexistent/fleet.yaml"}}), 1, 8, "fleet", "does not exist");
  expect_problem(lab_with({}, "store: nowhere\n"), 9, 8, "store", "expected a store URL");
}

TEST_F(ConfigLab, TheFleetAndSweepsItNamesAreCheckedToo) {
  dir.write("fleet.yaml", "hosts:\n  - {name: local, kind: lokal}\n");
  const auto fleet_problems = diagnostics_of(lab_with({}));
  ASSERT_EQ(fleet_problems.size(), 1u) << testing::listing(fleet_problems);
  EXPECT_EQ(fleet_problems[0].file, dir.str("fleet.yaml"));
  EXPECT_EQ(fleet_problems[0].line, 2);

  dir.write("fleet.yaml", "hosts:\n  - {name: local, kind: local}\n");
  write_sweep("sweep.yaml", "other-fleet.yaml");
  expect_problem(lab_with({}), 5, 5, "sweeps[0]", "names the fleet " + dir.str("other-fleet.yaml"));
}

}  // namespace
}  // namespace dli
