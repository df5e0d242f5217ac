// The daemon's state file: what it writes reads back exactly; other versions and damaged files are refused.
#include <string>

#include <gtest/gtest.h>

#include "dli/daemon/daemon_state.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

DaemonState example() {
  DaemonState state;
  state.daemon_pid = 4242;
  state.updated_at = 1795000000;
  SweepRecord& nightly = state.sweeps["nightly"];
  nightly.last_slot = 1794992400;
  nightly.runs = 3;
  nightly.tests_ok = 120;
  nightly.tests_failed = 2;
  nightly.hosts_lost = 1;
  nightly.store_errors = 1;
  nightly.last_success = 1794996000;
  nightly.last_run_id = "20261121-020000-nightly";
  nightly.last_exit_code = 0;
  state.sweeps["fresh"];  // known, never run
  state.active.push_back({"weekly", "20261121-030000-weekly", 1794996000, 1794996010, 777, 2});
  return state;
}

TEST(DaemonState, EncodesAndDecodesEveryField) {
  const std::string text = encode_daemon_state(example());
  const DaemonState back = decode_daemon_state(text);
  EXPECT_EQ(encode_daemon_state(back), text);
  EXPECT_EQ(back.daemon_pid, 4242);
  const SweepRecord& nightly = back.sweeps.at("nightly");
  EXPECT_EQ(nightly.last_slot, std::optional<std::time_t>(1794992400));
  EXPECT_EQ(nightly.last_success, std::optional<std::time_t>(1794996000));
  EXPECT_EQ(nightly.runs, 3);
  EXPECT_EQ(nightly.tests_ok, 120);
  EXPECT_EQ(nightly.tests_failed, 2);
  EXPECT_EQ(nightly.hosts_lost, 1);
  EXPECT_EQ(nightly.store_errors, 1);
  EXPECT_EQ(nightly.last_run_id, "20261121-020000-nightly");
  EXPECT_EQ(nightly.last_exit_code, 0);
  EXPECT_EQ(back.sweeps.at("fresh").last_slot, std::nullopt);
  EXPECT_EQ(back.sweeps.at("fresh").last_exit_code, -1);
  ASSERT_EQ(back.active.size(), 1u);
  EXPECT_EQ(back.active[0].sweep, "weekly");
  EXPECT_EQ(back.active[0].run_id, "20261121-030000-weekly");
  EXPECT_EQ(back.active[0].slot, 1794996000);
  EXPECT_EQ(back.active[0].started_at, 1794996010);
  EXPECT_EQ(back.active[0].pid, 777);
  EXPECT_EQ(back.active[0].attempts, 2);
  ASSERT_NE(back.find_active("weekly"), nullptr);
  EXPECT_EQ(back.find_active("nightly"), nullptr);
}

TEST(DaemonState, ItsVersionIsWrittenAndChecked) {
  EXPECT_NE(encode_daemon_state(DaemonState{}).find("\"version\": 1"), std::string::npos);
  try {
    decode_daemon_state(R"({"version": 2, "sweeps": {}, "active": []})");
    FAIL() << "version 2 accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "state version 2, this daemon reads version 1");
  }
  EXPECT_THROW(decode_daemon_state("{\"version\": 1, \"sweeps\": {}, \"active\": [{\"sweep\": 3}]}"),
               std::runtime_error);
  EXPECT_THROW(decode_daemon_state("{\"version\": 1, \"sw"), std::runtime_error);
}

TEST(DaemonState, TheFileIsReplacedWholeAndAbsentMeansEmpty) {
  testing::TempDir dir;
  const std::string path = dir.str("daemon-state.json");
  EXPECT_TRUE(read_daemon_state(path).sweeps.empty());
  write_daemon_state(path, example());
  EXPECT_EQ(encode_daemon_state(read_daemon_state(path)), encode_daemon_state(example()));
  dir.write("daemon-state.json", "damaged");
  try {
    read_daemon_state(path);
    FAIL() << "a damaged state file was read";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(path + ": not JSON"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace dli
