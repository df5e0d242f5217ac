// An FTP server that refuses writes: a full disk is kNoSpace, a folder the user may not write in is kDenied; neither
// is retried (docs/stores.md, "Error kinds"). Real vsftpd, its disk a small tmpfs.
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>

#include "dli/store/store_curl.hpp"
#include "integration/ftp_store.hpp"
#include "integration/store_checks.hpp"
#include "support/error_kind.hpp"
#include "support/temp_dir.hpp"
#include "support/vsftpd_server.hpp"

namespace dli {
namespace {

using testing::contains;
using testing::VsftpdOptions;
using testing::VsftpdServer;

CurlStoreOptions quick_retries(const VsftpdServer& server) {
  CurlStoreOptions options = testing::ftp_store_options(server);
  options.retry_delay = std::chrono::milliseconds(50);
  return options;
}

TEST(StoreFtpRefusals, FullDiskIsNoSpaceAndNotRetried) {
  VsftpdOptions server_options;
  server_options.home_size_kib = 256;
  VsftpdServer server(server_options);
  auto store = testing::open_ftp_store(server, "store", quick_retries(server));

  const std::string object(64 * 1024, 'x');
  Status last;
  int stored = 0;
  for (; stored < 20; ++stored) {
    last = store->put("results/r" + std::to_string(stored) + ".json", object);
    if (!last.ok()) break;
  }
  ASSERT_FALSE(last.ok()) << "a 256 KiB disk took 20 objects of 64 KiB";
  EXPECT_GE(stored, 2);
  EXPECT_EQ(last.error().kind, ErrorKind::kNoSpace) << last.error().message;
  EXPECT_FALSE(last.error().transient) << last.error().message;
  EXPECT_EQ(store->retry_count(), 0u) << last.error().message;
  EXPECT_TRUE(contains(last.error().message, "no space")) << last.error().message;
  std::cout << "[ figures  ] FTP full disk after " << stored << " puts: " << last.error().message << "\n";

  // The failed put left nothing behind, and once there is room again the store writes.
  auto names = store->list("results");
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_EQ(names.value().size(), static_cast<std::size_t>(stored));
  ASSERT_TRUE(store->remove("results/r0.json").ok());
  auto again = store->put("results/again.json", "{}");
  EXPECT_TRUE(again.ok()) << again.error().message;
}

// One server for the permission cases; the test makes folders the FTP user may not write in (root's, mode 0755).
class StoreFtpDenied : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new VsftpdServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  // A folder of root's at `relative` under the FTP home (its parent must exist), with one object of root's in it.
  static void make_locked_folder(const std::string& relative) {
    const std::string folder = server_->home() + "/" + relative;
    const auto made = testing::run_command("mkdir " + testing::shell_quote(folder) + " && echo old > " +
                                           testing::shell_quote(folder + "/old.json") + " && chown -R root: " +
                                           testing::shell_quote(folder) + " && chmod 0755 " +
                                           testing::shell_quote(folder));
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  static VsftpdServer* server_;
};
VsftpdServer* StoreFtpDenied::server_ = nullptr;

TEST_F(StoreFtpDenied, PutIntoAFolderOfAnotherUserIsDenied) {
  auto store = testing::open_ftp_store(*server_, "store", quick_retries(*server_));
  ASSERT_TRUE(store->put("ready.json", "{}").ok());  // the store's folder, the FTP user's
  make_locked_folder("store/locked");
  auto put = store->put("locked/new.json", "{}");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().kind, ErrorKind::kDenied) << put.error().message;
  EXPECT_FALSE(put.error().transient);
  EXPECT_TRUE(contains(put.error().message, "permission denied")) << put.error().message;
  EXPECT_EQ(store->retry_count(), 0u);
  std::cout << "[ figures  ] FTP read-only folder: " << put.error().message << "\n";

  // Also when the folder to create lies below it; the store itself still works elsewhere.
  auto nested = store->put("locked/below/new.json", "{}");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.error().kind, ErrorKind::kDenied) << nested.error().message;
  auto elsewhere = store->put("free/new.json", "{}");
  EXPECT_TRUE(elsewhere.ok()) << elsewhere.error().message;
}

TEST_F(StoreFtpDenied, RemovingAnotherUsersObjectIsDenied) {
  auto store = testing::open_ftp_store(*server_, "store2", quick_retries(*server_));
  ASSERT_TRUE(store->put("ready.json", "{}").ok());
  make_locked_folder("store2/locked");
  auto removed = store->remove("locked/old.json");
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().kind, ErrorKind::kDenied) << removed.error().message;
  EXPECT_FALSE(removed.error().transient);
  auto still = store->get("locked/old.json");
  ASSERT_TRUE(still.ok()) << still.error().message;
  EXPECT_EQ(still.value(), "old\n");
}

// A download whose local file the host's own disk cannot hold is no failure of the store's: kLocalNoSpace, not
// retried, no partial file left, so that the agent's model cache can make room and try again (docs/protocol.md 7).
// The local disk is a 1 MiB tmpfs in a mount namespace of this test process's own.
TEST(StoreFtpRefusals, ADownloadThatFillsThisHostsDiskIsLocalNoSpaceAndNotRetried) {
  VsftpdServer server;
  auto store = testing::open_ftp_store(server, "store", quick_retries(server));
  ASSERT_TRUE(store->put("models/big", std::string(3u << 20, 'm')).ok());

  testing::TempDir local;
  ASSERT_EQ(::unshare(CLONE_NEWNS), 0);
  ASSERT_EQ(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0);
  ASSERT_EQ(::mount("dli-test-local-disk", local.str().c_str(), "tmpfs", 0, "size=1m"), 0);
  const Status got = store->get_file("models/big", local.str("model.onnx"));
  int left = 0;
  for (auto entry = std::filesystem::directory_iterator(local.str()); entry != std::filesystem::directory_iterator();
       ++entry) {
    ++left;
  }
  ::umount(local.str().c_str());

  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind, ErrorKind::kLocalNoSpace) << got.error().message;
  EXPECT_FALSE(got.error().transient);
  EXPECT_EQ(store->retry_count(), 0u) << got.error().message;
  EXPECT_TRUE(contains(got.error().message, "No space left on device")) << got.error().message;
  EXPECT_EQ(left, 0) << "a partial download was left";
}

}  // namespace
}  // namespace dli
