// What in a collected run needs attention, and the mail that tells it, exactly (docs/notifications.md).
#include "dli/integrator/notify.hpp"

#include <gtest/gtest.h>

#include "dli/util/exit_codes.hpp"

namespace dli {
namespace {

ReportRow row_of(const std::string& host, const std::string& id, TestStatus status) {
  ReportRow row;
  row.spec.id = id;
  row.spec.host = host;
  row.spec.model.name = "digits";
  row.spec.framework = "opencv-dnn";
  row.spec.batch = 1;
  row.spec.threads = 2;
  TestResult result;
  result.spec = row.spec;
  result.status = status;
  if (status != TestStatus::kOk) result.reason = "exit code 3";
  row.result = result;
  return row;
}

Collected a_run() {
  Collected collected;
  collected.manifest.run_id = "20261130-010000-nightly";
  collected.manifest.sweep_name = "nightly";
  collected.manifest.created_at = "2026-11-30T01:00:00Z";
  collected.manifest.hosts = {{"a", "local", 2}, {"b", "ssh", 1}, {"c", "ssh", 1}};
  ReportRow slower = row_of("a", "t1", TestStatus::kOk);
  slower.change = Change{ChangeKind::kRegressed, 5, 200, -0.25, 0.05};
  collected.rows = {slower, row_of("a", "t2", TestStatus::kCrashed)};
  HostStatus a, b;
  a.host = "a";
  a.state = HostState::kDone;
  b.host = "b";
  b.state = HostState::kLost;
  b.reason = "no heartbeat for 60 s";
  collected.host_states = {a, b};  // c never reported
  return collected;
}

TEST(NotifyEvents, ARunTellsItsRegressionsFailedHostsAndFailedTestsOnceEach) {
  const auto events = notify_events(a_run(), exit_code::kHostsUnreached);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].key, "regression:20261130-010000-nightly");
  EXPECT_EQ(events[0].summary, "dli 20261130-010000-nightly: 1 test regressed");
  EXPECT_EQ(events[0].body.dump(),
            R"({"created_at":"2026-11-30T01:00:00Z","event":"regression","items":[{"baseline":200.0,"change_pct":-25.0,)"
            R"("host":"a","test":"digits/opencv-dnn/b1/sync/t2","test_id":"t1"}],"run_id":"20261130-010000-nightly",)"
            R"("summary":"dli 20261130-010000-nightly: 1 test regressed","sweep_name":"nightly"})");
  EXPECT_EQ(events[1].key, "host_failed:20261130-010000-nightly");
  EXPECT_EQ(events[1].body.at("items").dump(),
            R"([{"host":"b","reason":"no heartbeat for 60 s","state":"lost"},)"
            R"({"host":"c","reason":"never reported","state":"unreachable"}])");
  EXPECT_EQ(events[2].key, "tests_failed:20261130-010000-nightly");
  EXPECT_EQ(events[2].summary, "dli 20261130-010000-nightly: 1 test failed, crashed or timed out");
  EXPECT_EQ(events[2].body.at("items")[0].at("status"), "crashed");
}

TEST(NotifyEvents, AStoreErrorIsItsOwnEventAndAQuietRunHasNone) {
  Collected collected = a_run();
  collected.host_states[0].state = HostState::kStoreFailed;
  collected.host_states[0].unpublished = 2;
  collected.host_states[0].publish_error = "no space left";
  const auto events = notify_events(collected, exit_code::kStoreFailed);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[3].key, "store_error:20261130-010000-nightly");
  EXPECT_EQ(events[3].body.at("items").dump(),
            R"([{"host":"a","reason":"no space left","state":"store-failed","unpublished":2}])");

  Collected quiet = a_run();
  quiet.rows = {row_of("a", "t1", TestStatus::kOk)};
  quiet.manifest.hosts = {{"a", "local", 1}};
  EXPECT_TRUE(notify_events(quiet, exit_code::kOk).empty());
}

TEST(NotifyEvents, ManyItemsAreCutAndCounted) {
  Collected collected = a_run();
  collected.rows.clear();
  for (int i = 0; i < 60; ++i) collected.rows.push_back(row_of("a", "t" + std::to_string(i), TestStatus::kFailed));
  collected.manifest.hosts = {{"a", "local", 60}};
  const auto events = notify_events(collected, exit_code::kTestsFailed);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].body.at("items").size(), kMaxEventItems);
  EXPECT_EQ(events[0].body.at("more"), 10);
  EXPECT_EQ(events[0].summary, "dli 20261130-010000-nightly: 60 tests failed, crashed or timed out");
}

TEST(NotifyMail, TheMessageHasItsHeadersThenTheSummaryAndTheEvent) {
  NotifyConfig config;
  config.mail_to = {"admin@lab.example", "ops@lab.example"};
  config.mail_from = "dli@lab.example";
  NotifyEvent event{"store_error", "store_error:r", "dli r: the store could not be read or written", {{"event", "store_error"}}};
  EXPECT_EQ(mail_message(config, event),
            "From: dli@lab.example\nTo: admin@lab.example, ops@lab.example\n"
            "Subject: dli r: the store could not be read or written\nContent-Type: text/plain; charset=utf-8\n"
            "Auto-Submitted: auto-generated\n\ndli r: the store could not be read or written\n\n{\n  \"event\": "
            "\"store_error\"\n}\n");
}

}  // namespace
}  // namespace dli
