// A crowded FTP server (vsftpd's max_clients): "421 too many users" is transient and retried with jittered backoff,
// and a store that disconnect()s gives its slot to the next one at once (docs/stores.md, "Connections").
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "dli/store/store_curl.hpp"
#include "integration/ftp_store.hpp"
#include "integration/store_checks.hpp"
#include "support/vsftpd_server.hpp"

namespace dli {
namespace {

using testing::contains;
using testing::VsftpdOptions;
using testing::VsftpdServer;

VsftpdOptions crowded(int max_clients) {
  VsftpdOptions options;
  options.max_clients = max_clients;
  return options;
}

CurlStoreOptions no_retries(const VsftpdServer& server) {
  CurlStoreOptions options = testing::ftp_store_options(server);
  options.retries = 0;
  return options;
}

// vsftpd counts a connection until the process serving it has ended, a moment after the client's QUIT.
bool wait_for_no_sessions(const VsftpdServer& server) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server.session_processes() > 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(StoreFtpSlots, TooManyUsersIsTransient) {
  VsftpdServer server(crowded(1));
  auto holder = testing::open_ftp_store(server, "store");
  ASSERT_TRUE(holder->put("a.json", "{}").ok());  // keeps its connection: the only slot
  auto turned_away = testing::open_ftp_store(server, "store", no_retries(server));
  auto got = turned_away->get("a.json");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.error().transient) << got.error().message;
  EXPECT_TRUE(contains(got.error().message, "421")) << got.error().message;
  std::cout << "[ figures  ] FTP server full: " << got.error().message << "\n";
}

TEST(StoreFtpSlots, DisconnectGivesTheSlotBackAtOnce) {
  VsftpdServer server(crowded(1));
  auto first = testing::open_ftp_store(server, "store", no_retries(server));
  auto second = testing::open_ftp_store(server, "store", no_retries(server));
  ASSERT_TRUE(first->put("a.json", "1").ok());
  ASSERT_FALSE(second->get("a.json").ok());  // the slot is taken

  first->disconnect();
  ASSERT_TRUE(wait_for_no_sessions(server)) << server.log();
  auto got = second->get("a.json");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got.value(), "1");
  EXPECT_EQ(second->retry_count(), 0u);

  // The first store logs in again by itself once the slot is free.
  second->disconnect();
  ASSERT_TRUE(wait_for_no_sessions(server)) << server.log();
  auto put = first->put("a.json", "2");
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_EQ(first->connection_count(), 2u);
  first->disconnect();
  first->disconnect();  // twice is harmless
}

// Four agents, two slots: each works in bursts and gives its slot back in between; those turned away retry with
// jittered backoff until they get in. Every operation succeeds.
TEST(StoreFtpSlots, FourStoresShareTwoSlots) {
  VsftpdServer server(crowded(2));
  const int stores = 4, bursts = 5;
  std::atomic<int> failures{0};
  std::atomic<std::uint64_t> retries{0};
  std::vector<std::thread> agents;
  for (int agent = 0; agent < stores; ++agent) {
    agents.emplace_back([&, agent] {
      CurlStoreOptions options = testing::ftp_store_options(server);
      options.retries = 12;
      options.retry_delay = std::chrono::milliseconds(20);
      auto store = testing::open_ftp_store(server, "store", options);
      const std::string key = "hosts/h" + std::to_string(agent) + "/status.json";
      for (int burst = 0; burst < bursts; ++burst) {
        const std::string value = std::to_string(burst);
        auto put = store->put(key, value);
        auto got = store->get(key);
        auto names = store->list("hosts");
        if (!put.ok() || !got.ok() || got.value() != value || !names.ok()) {
          ++failures;
          ADD_FAILURE() << "agent " << agent << " burst " << burst << ": "
                        << (!put.ok() ? put.error().message : !got.ok() ? got.error().message : "wrong content");
        }
        store->disconnect();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      retries += store->retry_count();
    });
  }
  for (std::thread& agent : agents) agent.join();
  EXPECT_EQ(failures, 0);
  EXPECT_GT(retries, 0u) << "no store was ever turned away: the test did not crowd the server";
  std::cout << "[ figures  ] FTP, 4 stores on 2 slots: " << stores * bursts * 3 << " operations, all done, "
            << retries << " retries after 421\n";
}

}  // namespace
}  // namespace dli
