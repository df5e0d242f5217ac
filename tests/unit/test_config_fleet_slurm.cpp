// Fleet entries of kind slurm: the job's settings from `slurm.*` labels, each bad one named with its place.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/config/config.hpp"
#include "support/config_problems.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

class ConfigFleetSlurm : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::string fleet_path = dir.str("fleet.yaml");

  // A slurm host whose labels line (line 6) is `labels`.
  static std::string fleet(const std::string& labels, const std::string& more = "") {
    return "hosts:\n"                                  // 1
           "  - name: node-a\n"                        // 2
           "    kind: slurm\n"                         // 3
           "    work_dir: /shared/dli/node-a\n"        // 4
           "    agent_path: /shared/bin/dli-agent\n"   // 5
           "    labels: " + labels + "\n" + more;      // 6
  }

  std::vector<Diagnostic> diagnostics_of(const std::string& yaml) const {
    return testing::diagnostics_of([&] { parse_fleet(yaml, fleet_path); }, yaml);
  }
};

TEST_F(ConfigFleetSlurm, LabelsBecomeTheJobsSettings) {
  const FleetConfig parsed = parse_fleet(
      fleet("{slurm.partition: gpu, slurm.account: vision, slurm.qos: bench, slurm.time: \"1-02:30\", "
            "slurm.constraint: \"a100&ib\", slurm.gres: \"gpu:1\", slurm.exclusive: \"false\", site: hpc}"),
      fleet_path);
  ASSERT_EQ(parsed.hosts.size(), 1u);
  const HostConfig& host = parsed.hosts[0];
  EXPECT_EQ(host.kind, "slurm");
  EXPECT_EQ(host.work_dir, "/shared/dli/node-a");
  EXPECT_EQ(host.agent_path, "/shared/bin/dli-agent");
  EXPECT_EQ(host.slurm.partition, "gpu");
  EXPECT_EQ(host.slurm.account, "vision");
  EXPECT_EQ(host.slurm.qos, "bench");
  EXPECT_EQ(host.slurm.time_limit, "1-02:30");
  EXPECT_EQ(host.slurm.constraint, "a100&ib");
  EXPECT_EQ(host.slurm.gres, "gpu:1");
  EXPECT_FALSE(host.slurm.exclusive);
  EXPECT_EQ(host.labels.at("site"), "hpc");  // other labels still select hosts
}

TEST_F(ConfigFleetSlurm, DefaultsAreTheClustersAndAWholeNode) {
  const FleetConfig parsed = parse_fleet(fleet("{}"), fleet_path);
  const SlurmJobSettings& job = parsed.hosts[0].slurm;
  EXPECT_EQ(job.partition, "");
  EXPECT_EQ(job.time_limit, "");
  EXPECT_TRUE(job.exclusive);
}

TEST_F(ConfigFleetSlurm, EveryTimeFormOfSbatchIsTaken) {
  for (const std::string time : {"90", "90:30", "1:30:00", "2-0", "2-12", "2-12:30", "2-12:30:15", "0:30"}) {
    EXPECT_EQ(parse_fleet(fleet("{slurm.time: \"" + time + "\"}"), fleet_path).hosts[0].slurm.time_limit, time);
  }
}

TEST_F(ConfigFleetSlurm, BadTimesAreRefusedWithTheirPlace) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1h", "expected a Slurm time limit"}, {"1:2:3:4", "expected a Slurm time limit"},
      {"10:75", "must be below 60"},        {"3-25", "hours after DAYS- must be below 24"},
      {"0", "a time limit of zero"},        {"-5", "expected a Slurm time limit"},
      {"", "expected a Slurm time limit"}};
  for (const auto& [time, fragment] : cases) {
    const std::string yaml = fleet("{slurm.time: \"" + time + "\"}");
    testing::expect_single_problem(diagnostics_of(yaml), fleet_path, 6, 26, "hosts[0].labels.slurm.time", fragment);
  }
}

TEST_F(ConfigFleetSlurm, UnknownSlurmLabelSuggestsTheClosest) {
  const std::string yaml = fleet("{slurm.partiton: gpu}");
  testing::expect_single_problem(diagnostics_of(yaml), fleet_path, 6, 14, "hosts[0].labels.slurm.partiton",
                                 "did you mean 'slurm.partition'?");
}

TEST_F(ConfigFleetSlurm, ValuesThatWouldSplitAnOptionAreRefused) {
  const std::string yaml = fleet("{slurm.account: \"a b\"}");
  testing::expect_single_problem(diagnostics_of(yaml), fleet_path, 6, 29, "hosts[0].labels.slurm.account",
                                 "expected a single word (no spaces");
}

TEST_F(ConfigFleetSlurm, WorkDirIsRequiredBecauseTheNodesMustShareIt) {
  const std::string yaml = "hosts:\n  - {name: node-a, kind: slurm}\n";
  testing::expect_single_problem(diagnostics_of(yaml), fleet_path, 2, 5, "hosts[0].work_dir",
                                 "missing required key 'work_dir'");
}

TEST_F(ConfigFleetSlurm, SshKeysAreUnknownToASlurmHost) {
  const std::string yaml = fleet("{}", "    address: 10.0.0.1\n");
  testing::expect_single_problem(diagnostics_of(yaml), fleet_path, 7, 5, "hosts[0].address", "unknown key");
}

TEST_F(ConfigFleetSlurm, AllProblemsAreReportedAtOnce) {
  EXPECT_EQ(diagnostics_of(fleet("{slurm.time: 1h, slurm.exclusive: maybe, slurm.qos: \"x y\"}")).size(), 3u);
}

}  // namespace
}  // namespace dli
