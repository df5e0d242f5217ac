// The run's batch jobs in the store (docs/protocol.md 4.7): each submission appended, read back by host.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/integrator/scheduler_jobs.hpp"
#include "dli/protocol/protocol.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

class SchedulerJobs : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::unique_ptr<Store> store = std::move(open_store("file://" + dir.str("store")).value());

  void publish_manifest() {
    Manifest manifest;
    manifest.run_id = "r1";
    manifest.sweep_name = "s";
    manifest.created_at = "2026-11-30T00:00:00Z";
    manifest.hosts = {{"node-a", "slurm", 2}, {"node-b", "slurm", 2}, {"box", "ssh", 2}};
    ASSERT_TRUE(store->put(layout::manifest("r1"), to_json(manifest).dump()).ok());
  }
};

TEST_F(SchedulerJobs, EachSubmissionIsAppendedAndReadBackByHost) {
  publish_manifest();
  ASSERT_TRUE(record_scheduler_job(*store, "r1", "node-a", "12").ok());
  ASSERT_TRUE(record_scheduler_job(*store, "r1", "node-a", "15").ok());  // resume submitted it again
  ASSERT_TRUE(record_scheduler_job(*store, "r1", "node-b", "13").ok());
  const auto jobs = recorded_scheduler_jobs(*store, "r1");
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  EXPECT_EQ(jobs.value(), (std::map<std::string, std::vector<std::string>>{{"node-a", {"12", "15"}},
                                                                           {"node-b", {"13"}}}));
  const auto document = nlohmann::json::parse(store->get(layout::scheduler_jobs("r1", "node-a")).value());
  EXPECT_EQ(document.at("protocol"), kProtocolVersion);
  EXPECT_EQ(document.at("host"), "node-a");
  EXPECT_EQ(document.at("jobs").at(1).at("scheduler"), "slurm");
  EXPECT_EQ(document.at("jobs").at(1).at("id"), "15");
}

TEST_F(SchedulerJobs, ARunWithoutJobsHasNoneAndAMissingRunIsAnError) {
  publish_manifest();
  EXPECT_TRUE(recorded_scheduler_jobs(*store, "r1").value().empty());
  EXPECT_FALSE(recorded_scheduler_jobs(*store, "r2").ok());
}

TEST_F(SchedulerJobs, ADocumentOfAnotherVersionIsRefusedWithBothVersions) {
  publish_manifest();
  ASSERT_TRUE(store->put(layout::scheduler_jobs("r1", "node-a"), R"({"protocol": 9, "host": "node-a", "jobs": []})")
                  .ok());
  const auto jobs = recorded_scheduler_jobs(*store, "r1");
  ASSERT_FALSE(jobs.ok());
  EXPECT_NE(jobs.error().message.find("protocol version 9 is not supported (this build reads version 4)"),
            std::string::npos)
      << jobs.error().message;
}

}  // namespace
}  // namespace dli
