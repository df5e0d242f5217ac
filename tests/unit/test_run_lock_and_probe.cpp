#include <unistd.h>

#include <gtest/gtest.h>

#include "dli/agent/run_lock.hpp"
#include "dli/store/store_probe.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

TEST(RunLock, SecondHolderIsRefusedWithTheFirstOnesPid) {
  testing::TempDir dir;
  auto first = RunLock::acquire(dir.str("agent.lock"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = RunLock::acquire(dir.str("agent.lock"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message,
            "another agent (pid " + std::to_string(::getpid()) + ") is already running this run for this host");
}

TEST(RunLock, IsFreeAgainOnceReleased) {
  testing::TempDir dir;
  { auto first = RunLock::acquire(dir.str("agent.lock")); ASSERT_TRUE(first.ok()); }
  EXPECT_TRUE(RunLock::acquire(dir.str("agent.lock")).ok());
}

TEST(StoreProbe, WritesReadsAndDeletesLeavingNothing) {
  testing::TempDir dir;
  auto store = open_store("file://" + dir.str("store"));
  ASSERT_TRUE(store.ok());
  const Status probed = probe_store(*store.value(), "node-1", "42");
  ASSERT_TRUE(probed.ok()) << probed.error().message;
  auto left = store.value()->list("probes");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left.value().empty());
}

TEST(StoreProbe, UnwritableStoreNamesTheStep) {
  testing::TempDir dir;
  dir.write("store/probes", "a file where the folder should be");
  auto store = open_store("file://" + dir.str("store"));
  ASSERT_TRUE(store.ok());
  const Status probed = probe_store(*store.value(), "node-1", "42");
  ASSERT_FALSE(probed.ok());
  EXPECT_EQ(probed.error().message.rfind("write: ", 0), 0u) << probed.error().message;
}

}  // namespace
}  // namespace dli
