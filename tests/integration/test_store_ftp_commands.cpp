// How many FTP commands each store operation costs on an open connection, counted in vsftpd's protocol log: a fleet
// of agents polling and publishing multiplies every command (docs/stores.md, "Commands per operation").
#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "dli/store/store_curl.hpp"
#include "integration/ftp_store.hpp"
#include "support/temp_dir.hpp"
#include "support/vsftpd_log.hpp"
#include "support/vsftpd_server.hpp"

namespace dli {
namespace {

using testing::FtpCommand;
using testing::VsftpdOptions;
using testing::VsftpdServer;

class StoreFtpCommands : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    VsftpdOptions options;
    options.tls = GetParam();
    server_ = std::make_unique<VsftpdServer>(options);
    store_ = testing::open_ftp_store(*server_, "store/base");
    // Logs in, creates the folders and sets the transfer type: what every later operation finds done.
    auto warm = store_->put("runs/r/hosts/h/status.json", "{}");
    ASSERT_TRUE(warm.ok()) << warm.error().message;
  }

  // The commands `operation` sent, printed for the record.
  std::vector<FtpCommand> commands_of(const std::string& what, const std::function<void()>& operation) {
    const std::size_t before = testing::ftp_commands(server_->log()).size();
    operation();
    std::vector<FtpCommand> all = testing::ftp_commands(server_->log());
    std::vector<FtpCommand> sent(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
    std::string verbs;
    for (const FtpCommand& command : sent) verbs += " " + command.verb;
    std::cout << "[ figures  ] " << (GetParam() ? "FTPS" : "FTP") << " " << what << ": " << sent.size()
              << " commands:" << verbs << "\n";
    return sent;
  }

  std::unique_ptr<VsftpdServer> server_;
  std::unique_ptr<CurlStore> store_;
};

TEST_P(StoreFtpCommands, PerOperationOnAnOpenConnection) {
  auto put_existing = commands_of("put into an existing folder", [&] {
    auto put = store_->put("runs/r/hosts/h/status.json", "{\"done\":1}");
    EXPECT_TRUE(put.ok()) << put.error().message;
  });
  auto put_new = commands_of("put into a new nested folder", [&] {
    auto put = store_->put("runs/r/hosts/h/results/a/t1.json", "{}");
    EXPECT_TRUE(put.ok()) << put.error().message;
  });
  auto get = commands_of("get", [&] {
    auto got = store_->get("runs/r/hosts/h/status.json");
    EXPECT_TRUE(got.ok() && got.value() == "{\"done\":1}");
  });
  auto exists = commands_of("exists", [&] {
    auto found = store_->exists("runs/r/hosts/h/status.json");
    EXPECT_TRUE(found.ok() && found.value());
  });
  auto missing = commands_of("exists (missing)", [&] {
    auto found = store_->exists("runs/r/hosts/h/nothing.json");
    EXPECT_TRUE(found.ok() && !found.value());
  });
  auto list = commands_of("list", [&] {
    auto names = store_->list("runs/r/hosts/h");
    ASSERT_TRUE(names.ok()) << names.error().message;
    EXPECT_EQ(names.value(), (std::vector<std::string>{"results", "status.json"}));
  });
  auto exists_after_list = commands_of("exists after a list", [&] {
    auto found = store_->exists("runs/r/hosts/h/status.json");
    EXPECT_TRUE(found.ok() && found.value());
  });
  auto remove = commands_of("remove", [&] {
    auto removed = store_->remove("runs/r/hosts/h/results/a/t1.json");
    EXPECT_TRUE(removed.ok()) << removed.error().message;
  });
  auto missing_get = commands_of("get (missing)", [&] {
    auto got = store_->get("runs/r/hosts/h/nothing.json");
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().kind, ErrorKind::kNotFound) << got.error().message;
  });
  // A run's folders at once (what the integrator makes before the task lists): 2 new levels under an existing one,
  // and a sibling; each level once, parents first, an existing one refused and ignored.
  auto folders = commands_of("make folders", [&] {
    auto made = store_->make_folders({"runs/r2/hosts/h/results", "runs/r2/hosts/h/logs", "runs/r2/status"});
    EXPECT_TRUE(made.ok()) << made.error().message;
  });
  const testing::TempDir local;
  const std::string log_file = local.write("t1.log", "a test's output\n");
  auto in_place = commands_of("put in place", [&] {
    auto put = store_->put_file_in_place("runs/r2/hosts/h/logs/t1.log", log_file);
    EXPECT_TRUE(put.ok()) << put.error().message;
  });
  auto logged = store_->get("runs/r2/hosts/h/logs/t1.log");
  ASSERT_TRUE(logged.ok()) << logged.error().message;
  EXPECT_EQ(logged.value(), "a test's output\n");
  auto listed = store_->list("runs/r2/hosts/h");
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_EQ(listed.value(), (std::vector<std::string>{"logs", "results"}));
  EXPECT_EQ(store_->connection_count(), 1u);

  // upload (EPSV STOR) + size check (SIZE) + rename (RNFR RNTO); a folder is made only when the upload finds it
  // missing: up from the deepest until an MKD is accepted, then down again, then the upload again.
  EXPECT_LE(put_existing.size(), 5u);
  EXPECT_LE(put_new.size(), 10u);
  EXPECT_LE(get.size(), 2u);  // EPSV RETR
  EXPECT_LE(exists.size(), 1u);
  EXPECT_LE(missing.size(), 1u);
  EXPECT_LE(list.size(), 3u);               // EPSV TYPE A NLST
  EXPECT_LE(exists_after_list.size(), 2u);  // TYPE I SIZE: some servers refuse SIZE in ASCII mode
  EXPECT_LE(remove.size(), 1u);
  EXPECT_LE(missing_get.size(), 3u);  // EPSV, TYPE I after the listing, RETR (550)
  // store, store/base, runs (all there), then r2, hosts, h, logs, results, status: one MKD each.
  EXPECT_EQ(folders.size(), 9u);
  for (const auto& command : folders) EXPECT_EQ(command.verb, "MKD");
  EXPECT_LE(in_place.size(), 3u);  // EPSV STOR, TYPE I when a listing came before; no SIZE, no rename
  for (const auto& command : in_place) EXPECT_NE(command.verb, "RNFR");
}

INSTANTIATE_TEST_SUITE_P(Tls, StoreFtpCommands, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& tls) { return tls.param ? "Ftps" : "Ftp"; });

}  // namespace
}  // namespace dli
