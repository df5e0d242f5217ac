// ftp:// and ftps:// stores against a real vsftpd (tests/support/vsftpd_server.hpp).
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>

#include "dli/store/store_curl.hpp"
#include "integration/store_checks.hpp"
#include "support/netns_testbed.hpp"
#include "support/temp_dir.hpp"
#include "support/vsftpd_server.hpp"

namespace dli {
namespace {

using testing::contains;
using testing::VsftpdOptions;
using testing::VsftpdServer;

std::string current_test_name() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

Credentials credentials_of(const VsftpdServer& server) {
  return Credentials{server.user(), server.password(), "the test fixture"};
}

std::unique_ptr<CurlStore> open_or_throw(const std::string& url, const CurlStoreOptions& options) {
  auto store = CurlStore::open(url, options);
  if (!store.ok()) throw std::runtime_error("cannot open " + url + ": " + store.error().message);
  return std::move(store.value());
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One server per suite (user creation and start take a while); each test works in its own folder.
template <bool kTls>
class FtpStoreTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    if (!server_) {
      VsftpdOptions options;
      options.tls = kTls;
      server_ = std::make_unique<VsftpdServer>(options);
    }
  }
  CurlStoreOptions options() const {
    CurlStoreOptions options;
    options.credentials = credentials_of(*server_);
    if (kTls) options.ca_file = server_->ca_file();
    return options;
  }
  std::unique_ptr<CurlStore> open(const CurlStoreOptions& store_options) {
    return open_or_throw(server_->url(current_test_name()), store_options);
  }
  std::unique_ptr<CurlStore> open() { return open(options()); }

  static std::unique_ptr<VsftpdServer> server_;
};
template <bool kTls>
std::unique_ptr<VsftpdServer> FtpStoreTest<kTls>::server_;

using StoreFtp = FtpStoreTest<false>;
using StoreFtps = FtpStoreTest<true>;

// --- plain FTP ---

TEST_F(StoreFtp, RoundTripSmall) {
  auto store = open();
  testing::check_small_round_trip(*store);
}

TEST_F(StoreFtp, RoundTripLargeFile20MB) {
  auto store = open();
  testing::check_large_file_round_trip(*store, 20u << 20);
}

TEST_F(StoreFtp, OverwriteLeavesNoTemporaries) {
  auto store = open();
  testing::check_overwrite(*store);
  EXPECT_TRUE(testing::leftover_temporaries(server_->home()).empty());
}

TEST_F(StoreFtp, List) {
  auto store = open();
  testing::check_list(*store);
}

TEST_F(StoreFtp, MissingKeys) {
  auto store = open();
  testing::check_missing_keys(*store);
}

TEST_F(StoreFtp, ExistsAndRemove) {
  auto store = open();
  testing::check_exists_and_remove(*store);
}

TEST_F(StoreFtp, InvalidKeysAreRefusedLocally) {
  auto store = open();
  testing::check_invalid_keys(*store);
  EXPECT_EQ(store->request_count(), 0u);
}

TEST_F(StoreFtp, AtomicPublish) {
  auto writer = open();
  auto reader = open();
  const auto counts = testing::check_atomic_publish(*writer, *reader, false);
  EXPECT_GE(counts.reads, 60);
  EXPECT_EQ(counts.not_found, 0);
  std::cout << "[ figures  ] FTP atomic publish: " << counts.reads << " reads during " << counts.versions_written
            << " puts saw " << counts.versions_seen << " versions, none partial\n";
}

TEST_F(StoreFtp, DescribeHasNoCredentials) {
  auto store = open();
  EXPECT_EQ(store->describe(), server_->url(current_test_name()));
  EXPECT_FALSE(contains(store->describe(), server_->password()));
}

TEST_F(StoreFtp, WrongPasswordIsPermanentAndNotRepeated) {
  CurlStoreOptions store_options = options();
  store_options.credentials->password = "Wrong-" + testing::random_token(12);
  auto store = open(store_options);
  const auto start = std::chrono::steady_clock::now();
  auto put = store->put("x.json", "{}");
  ASSERT_FALSE(put.ok());
  EXPECT_FALSE(put.error().transient);
  EXPECT_TRUE(contains(put.error().message, "login refused for user '" + server_->user() + "'")) << put.error().message;
  EXPECT_FALSE(contains(put.error().message, store_options.credentials->password)) << put.error().message;
  EXPECT_EQ(store->retry_count(), 0u);
  EXPECT_LT(seconds_since(start), 5.0);
}

TEST_F(StoreFtp, ReusesOneConnection) {
  auto store = open();
  ASSERT_TRUE(store->put("runs/r/hosts/h/status.json", "{}").ok());  // makes the folders
  const std::uint64_t requests = store->request_count();
  const double put_ms = testing::time_small_puts(*store, 50);
  const double get_ms = testing::time_small_gets(*store, 50);
  EXPECT_EQ(store->connection_count(), 1u);
  EXPECT_EQ(store->operation_count(), 102u);
  EXPECT_EQ(store->request_count() - requests, 51u * 2 + 50u);  // put: upload with its SIZE check, rename
  RecordProperty("ms_per_small_put", std::to_string(put_ms));
  std::cout << "[ figures  ] FTP on loopback: " << put_ms << " ms per small put, " << get_ms << " ms per small get, "
            << store->connection_count() << " connection(s)\n";
}

TEST_F(StoreFtp, ServerStoppedMidwayGivesATransientErrorWithinBoundedTime) {
  VsftpdServer own;
  CurlStoreOptions store_options;
  store_options.credentials = credentials_of(own);
  store_options.retries = 2;
  store_options.retry_delay = std::chrono::milliseconds(100);
  store_options.connect_timeout = std::chrono::seconds(2);
  store_options.stall_timeout = std::chrono::seconds(2);
  auto store = open_or_throw(own.url("data"), store_options);
  ASSERT_TRUE(store->put("status.json", "1").ok());
  own.stop();
  const auto start = std::chrono::steady_clock::now();
  auto put = store->put("status.json", "2");
  const double put_seconds = seconds_since(start);
  ASSERT_FALSE(put.ok());
  EXPECT_TRUE(put.error().transient);
  EXPECT_TRUE(contains(put.error().message, "gave up after 3 attempts")) << put.error().message;
  EXPECT_TRUE(contains(put.error().message, "put status.json")) << put.error().message;
  EXPECT_LT(put_seconds, 10.0);
  auto got = store->get("status.json");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.error().transient);
  std::cout << "[ figures  ] FTP server down: put gave up after " << put_seconds << " s: " << put.error().message
            << "\n";
}

TEST_F(StoreFtp, HungServerTimesOutWithinBoundedTime) {
  VsftpdServer own;
  CurlStoreOptions store_options;
  store_options.credentials = credentials_of(own);
  store_options.retries = 1;
  store_options.retry_delay = std::chrono::milliseconds(100);
  store_options.connect_timeout = std::chrono::seconds(2);
  store_options.stall_timeout = std::chrono::seconds(1);
  auto store = open_or_throw(own.url("data"), store_options);
  ASSERT_TRUE(store->put("status.json", "1").ok());
  own.pause();
  const auto start = std::chrono::steady_clock::now();
  auto put = store->put("status.json", "2");
  const double put_seconds = seconds_since(start);
  own.resume();
  ASSERT_FALSE(put.ok());
  EXPECT_TRUE(put.error().transient);
  EXPECT_TRUE(contains(put.error().message, "gave up after 2 attempts")) << put.error().message;
  EXPECT_LT(put_seconds, 8.0);
  std::cout << "[ figures  ] FTP server hung: put gave up after " << put_seconds << " s: " << put.error().message
            << "\n";
}

// --- FTPS (explicit TLS), against a server keeping vsftpd's default require_ssl_reuse=YES ---

TEST_F(StoreFtps, RoundTripSmall) {
  auto store = open();
  testing::check_small_round_trip(*store);
}

TEST_F(StoreFtps, RoundTripLargeFile20MB) {
  auto store = open();
  testing::check_large_file_round_trip(*store, 20u << 20);
}

TEST_F(StoreFtps, OverwriteLeavesNoTemporaries) {
  auto store = open();
  testing::check_overwrite(*store);
  EXPECT_TRUE(testing::leftover_temporaries(server_->home()).empty());
}

TEST_F(StoreFtps, List) {
  auto store = open();
  testing::check_list(*store);
}

TEST_F(StoreFtps, MissingKeys) {
  auto store = open();
  testing::check_missing_keys(*store);
}

TEST_F(StoreFtps, ExistsAndRemove) {
  auto store = open();
  testing::check_exists_and_remove(*store);
}

TEST_F(StoreFtps, AtomicPublish) {
  auto writer = open();
  auto reader = open();
  const auto counts = testing::check_atomic_publish(*writer, *reader, false);
  EXPECT_GE(counts.reads, 60);
  EXPECT_EQ(counts.not_found, 0);
}

// vsftpd keeps its default require_ssl_reuse=YES here: with TLS 1.3 over one reused libcurl handle it fails about
// 40 % of uploads with 0-byte files (seen with bare libcurl: 8-13 of 30). The store must come through every time.
TEST_F(StoreFtps, FiftyRepeatedSmallPutsAllVerified) {
  auto store = open();
  for (int i = 0; i < 50; ++i) {
    const std::string data = "{\"done\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i * 7, 'p') + "\"}";
    auto put = store->put("runs/r/hosts/h/status.json", data);
    ASSERT_TRUE(put.ok()) << "put " << i << ": " << put.error().message;
    auto got = store->get("runs/r/hosts/h/status.json");
    ASSERT_TRUE(got.ok()) << got.error().message;
    ASSERT_EQ(got.value(), data) << "put " << i;
  }
  EXPECT_EQ(store->connection_count(), 1u);
  std::cout << "[ figures  ] FTPS, TLS 1.2, one connection: 50 puts verified, " << store->retry_count() << " retries\n";
}

TEST_F(StoreFtps, Tls13UsesAFreshConnectionPerDataTransferAndSurvives) {
  CurlStoreOptions store_options = options();
  store_options.tls_max = "1.3";
  auto store = open(store_options);
  for (int i = 0; i < 20; ++i) {
    const std::string data = "status " + std::to_string(i);
    auto put = store->put("status.json", data);
    ASSERT_TRUE(put.ok()) << "put " << i << ": " << put.error().message;
    auto got = store->get("status.json");
    ASSERT_TRUE(got.ok()) << got.error().message;
    ASSERT_EQ(got.value(), data);
  }
  // One login per upload and per download; the size check and the rename reuse the upload's connection. (+1: the
  // first upload is refused until the store's folder is made, then sent again.)
  EXPECT_GE(store->connection_count(), 40u);
  EXPECT_LE(store->connection_count(), 41u + 3 * store->retry_count());
  const double put_ms = testing::time_small_puts(*store, 20);
  std::cout << "[ figures  ] FTPS TLS 1.3 fresh connections: " << put_ms << " ms per small put, "
            << store->retry_count() << " retries\n";
}

TEST_F(StoreFtps, ReusesOneConnection) {
  auto store = open();
  const double put_ms = testing::time_small_puts(*store, 50);
  const double get_ms = testing::time_small_gets(*store, 50);
  EXPECT_EQ(store->connection_count(), 1u);
  RecordProperty("ms_per_small_put", std::to_string(put_ms));
  std::cout << "[ figures  ] FTPS (TLS 1.2) on loopback: " << put_ms << " ms per small put, " << get_ms
            << " ms per small get, " << store->connection_count() << " connection(s)\n";
}

TEST_F(StoreFtps, UnverifiableCertificateIsRefused) {
  CurlStoreOptions store_options = options();
  store_options.ca_file.clear();  // the system CAs do not vouch for a self-signed certificate
  auto store = open(store_options);
  auto put = store->put("x.json", "{}");
  ASSERT_FALSE(put.ok());
  EXPECT_FALSE(put.error().transient);
  EXPECT_TRUE(contains(put.error().message, "TLS certificate could not be verified")) << put.error().message;
  EXPECT_TRUE(contains(put.error().message, "ca_file=")) << put.error().message;
  EXPECT_EQ(store->retry_count(), 0u);
}

TEST_F(StoreFtps, PinnedPublicKeyWithoutCaWorks) {
  CurlStoreOptions store_options = options();
  store_options.ca_file.clear();
  store_options.pinned_public_key = server_->pinned_public_key();
  auto store = open(store_options);
  testing::check_small_round_trip(*store);
}

TEST_F(StoreFtps, PinnedKeyStillChecksTheHostName) {
  CurlStoreOptions store_options = options();
  store_options.ca_file.clear();
  store_options.pinned_public_key = server_->pinned_public_key();
  store_options.retries = 0;
  // The certificate names 127.0.0.1 only.
  auto store =
      open_or_throw("ftps://localhost:" + std::to_string(server_->port()) + "/" + current_test_name(), store_options);
  auto put = store->put("x.json", "{}");
  ASSERT_FALSE(put.ok());
  EXPECT_FALSE(put.error().transient);
  EXPECT_TRUE(contains(put.error().message, "not for this host name")) << put.error().message;
}

TEST_F(StoreFtps, WrongPinIsRefused) {
  CurlStoreOptions store_options = options();
  store_options.ca_file.clear();
  store_options.pinned_public_key = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  auto store = open(store_options);
  auto put = store->put("x.json", "{}");
  ASSERT_FALSE(put.ok());
  EXPECT_FALSE(put.error().transient);
  EXPECT_TRUE(contains(put.error().message, "does not match pinned_public_key")) << put.error().message;
}

TEST_F(StoreFtps, WrongPasswordIsPermanentAndNotRepeated) {
  CurlStoreOptions store_options = options();
  store_options.credentials->password = "Wrong-" + testing::random_token(12);
  auto store = open(store_options);
  auto got = store->get("x.json");
  ASSERT_FALSE(got.ok());
  EXPECT_FALSE(got.error().transient);
  EXPECT_TRUE(contains(got.error().message, "login refused")) << got.error().message;
  EXPECT_FALSE(contains(got.error().message, store_options.credentials->password)) << got.error().message;
  EXPECT_EQ(store->retry_count(), 0u);
}

TEST_F(StoreFtps, OptionsFromTheUrlQuery) {
  CurlStoreOptions store_options;
  store_options.credentials = credentials_of(*server_);
  auto store = open_curl_store(server_->url(current_test_name()) + "?ca_file=" + server_->ca_file() + "&retries=1",
                               store_options);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto put = store.value()->put("q.json", "{}");
  EXPECT_TRUE(put.ok()) << put.error().message;
  EXPECT_EQ(store.value()->describe(), server_->url(current_test_name()));
}

TEST_F(StoreFtps, CredentialsFromTheEnvironment) {
  ::setenv("DLI_STORE_USER", server_->user().c_str(), 1);
  ::setenv("DLI_STORE_PASSWORD", server_->password().c_str(), 1);
  auto store = open_curl_store(server_->url(current_test_name()) + "?ca_file=" + server_->ca_file());
  ::unsetenv("DLI_STORE_USER");
  ::unsetenv("DLI_STORE_PASSWORD");
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto put = store.value()->put("env.json", "{}");
  EXPECT_TRUE(put.ok()) << put.error().message;
}

// The fixture runs inside a test bed host (network namespace); the store reaches it across the test bed's bridge.
TEST(StoreFtpsNetns, ServerInsideANetworkNamespace) {
  testing::NetnsTestbed bed(1);
  VsftpdOptions server_options;
  server_options.tls = true;
  server_options.netns = bed.host(0).netns;
  server_options.address = bed.host(0).address;
  VsftpdServer server(server_options);
  CurlStoreOptions options;
  options.credentials = credentials_of(server);
  options.ca_file = server.ca_file();
  auto store = open_or_throw(server.url("store"), options);
  testing::check_small_round_trip(*store);
  testing::check_list(*store);
  EXPECT_EQ(store->connection_count(), 1u);
}

}  // namespace
}  // namespace dli
