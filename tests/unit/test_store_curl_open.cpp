// CurlStore::open: URL forms, options and refusals, checked without any server (it connects lazily).
#include <gtest/gtest.h>

#include "dli/store/store_curl.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

CurlStoreOptions with_credentials() {
  CurlStoreOptions options;
  options.credentials = Credentials{"u", "p-secret", "test"};
  return options;
}

std::string open_error(const std::string& url, CurlStoreOptions options = with_credentials()) {
  auto store = CurlStore::open(url, options);
  return store.ok() ? std::string("(opened)") : store.error().message;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(CurlStoreOpen, PasswordInUrlIsRefusedWithoutRepeatingIt) {
  const std::string message = open_error("ftp://alice:s3cr3tZ@h/dli");
  EXPECT_TRUE(contains(message, "contains a password")) << message;
  EXPECT_TRUE(contains(message, "DLI_STORE_PASSWORD")) << message;
  EXPECT_FALSE(contains(message, "s3cr3tZ")) << message;
}

TEST(CurlStoreOpen, OtherSchemesAndMalformedUrls) {
  EXPECT_TRUE(contains(open_error("http://h/x"), "not an ftp://, ftps:// or sftp:// URL"));
  EXPECT_TRUE(contains(open_error("ftp:/h/x"), "expected scheme://host/path"));
  EXPECT_TRUE(contains(open_error("ftp:///x"), "no host"));
  EXPECT_TRUE(contains(open_error("ftp://h:99999/x"), "the port must be"));
  EXPECT_TRUE(contains(open_error("ftp://h:2x/x"), "the port must be a number"));
  EXPECT_TRUE(contains(open_error("ftp://h/a b"), "%-escaped"));
  EXPECT_TRUE(contains(open_error("ftp://h/x#frag"), "'#' must be written %23"));
  EXPECT_TRUE(contains(open_error("ftp://h/a%zz"), "bad %-escape"));
  EXPECT_TRUE(contains(open_error("sftp://u@h"), "needs an absolute path"));
}

TEST(CurlStoreOpen, UnknownAndBadOptionsAreRefused) {
  EXPECT_TRUE(contains(open_error("ftps://h/x?ca_flie=/etc/hosts"), "unknown store URL option 'ca_flie'"));
  EXPECT_TRUE(contains(open_error("ftps://h/x?retries=lots"), "retries=lots"));
  EXPECT_TRUE(contains(open_error("ftps://h/x?connect_timeout=-1"), "expected seconds"));
  EXPECT_TRUE(contains(open_error("ftps://h/x?tls_max=1.1"), "expected 1.2 or 1.3"));
  EXPECT_TRUE(contains(open_error("ftps://h/x?password=p"), "credentials never go in URLs"));
  EXPECT_TRUE(contains(open_error("ftp://h/x?ca_file=/etc/hosts"), "apply to ftps:// stores only"));
  EXPECT_TRUE(contains(open_error("ftps://h/x?known_hosts=/etc/hosts"), "apply to sftp:// stores only"));
  EXPECT_TRUE(
      contains(open_error("ftps://h/x?ca_file=/nonexistent/ca.pem"), "ca_file /nonexistent/ca.pem cannot be read"));
}

TEST(CurlStoreOpen, QueryOptionsAreParsed) {
  CurlStoreOptions options;
  auto applied = apply_store_url_options({{"connect_timeout", "2.5"},
                                          {"stall_timeout", "7"},
                                          {"operation_timeout", "0"},
                                          {"retries", "5"},
                                          {"retry_delay", "0.1"},
                                          {"tls_max", "1.3"},
                                          {"sftp_posix_rename", "no"},
                                          {"ca_file", "/a/ca.pem"},
                                          {"pinned_public_key", "sha256//x"},
                                          {"known_hosts", "/a/kh"},
                                          {"ssh_private_key", "/a/key"},
                                          {"ssh_public_key", "/a/key.pub"}},
                                         options);
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(options.connect_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(options.stall_timeout, std::chrono::milliseconds(7000));
  EXPECT_EQ(options.operation_timeout, std::chrono::milliseconds(0));
  EXPECT_EQ(options.retries, 5);
  EXPECT_EQ(options.retry_delay, std::chrono::milliseconds(100));
  EXPECT_EQ(options.tls_max, "1.3");
  EXPECT_FALSE(options.sftp_posix_rename);
  EXPECT_EQ(options.ca_file, "/a/ca.pem");
  EXPECT_EQ(options.pinned_public_key, "sha256//x");
  EXPECT_EQ(options.known_hosts, "/a/kh");
  EXPECT_EQ(options.ssh_private_key, "/a/key");
  EXPECT_EQ(options.ssh_public_key, "/a/key.pub");
}

TEST(CurlStoreOpen, DescribeShowsTheUrlWithoutQueryOrSecrets) {
  auto ftps = CurlStore::open("FTPS://h.example:2121/dli/store/?ca_file=/etc/hosts", with_credentials());
  ASSERT_TRUE(ftps.ok()) << ftps.error().message;
  EXPECT_EQ(ftps.value()->describe(), "ftps://h.example:2121/dli/store");
  auto absolute = CurlStore::open("ftp://h/%2Fsrv/dli", with_credentials());
  ASSERT_TRUE(absolute.ok()) << absolute.error().message;
  EXPECT_EQ(absolute.value()->describe(), "ftp://h/%2Fsrv/dli");
  auto login_folder = CurlStore::open("ftp://h:21", with_credentials());
  ASSERT_TRUE(login_folder.ok()) << login_folder.error().message;
  EXPECT_EQ(login_folder.value()->describe(), "ftp://h/");
  auto ipv6 = CurlStore::open("ftp://[::1]:2121/x%20y", with_credentials());
  ASSERT_TRUE(ipv6.ok()) << ipv6.error().message;
  EXPECT_EQ(ipv6.value()->describe(), "ftp://[::1]:2121/x%20y");
}

TEST(CurlStoreOpen, OpeningDoesNotConnect) {
  auto store = CurlStore::open("ftp://127.0.0.1:1/x", with_credentials());
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(store.value()->request_count(), 0u);
  EXPECT_EQ(store.value()->connection_count(), 0u);
}

TEST(CurlStoreOpen, InvalidKeysAreRefusedBeforeAnyRequest) {
  auto store = CurlStore::open("ftp://127.0.0.1:1/x", with_credentials());
  ASSERT_TRUE(store.ok()) << store.error().message;
  for (const std::string key : {"../up", "/abs", "a//b", ".tmp", "a/./b", "cr\rlf"}) {
    auto put = store.value()->put(key, "x");
    ASSERT_FALSE(put.ok()) << key;
    EXPECT_TRUE(contains(put.error().message, "invalid store key")) << put.error().message;
  }
  EXPECT_FALSE(store.value()->list("../x").ok());
  EXPECT_EQ(store.value()->request_count(), 0u);
}

TEST(CurlStoreOpen, SftpNeedsUserKnownHostsAndAKey) {
  testing::TempDir dir;
  const std::string known_hosts = dir.write("known_hosts", "");
  const std::string key = dir.write("id_ed25519", "not really a key");
  CurlStoreOptions options;
  options.credentials = Credentials{"", "", "test"};
  options.known_hosts = known_hosts;
  options.ssh_private_key = key;
  EXPECT_TRUE(contains(open_error("sftp://h/srv/dli", options), "needs a user"));

  options.credentials = Credentials{"u", "", "test"};
  EXPECT_EQ(open_error("sftp://h/srv/dli", options), "(opened)");

  options.known_hosts = dir.str("missing_known_hosts");
  EXPECT_TRUE(contains(open_error("sftp://h:2222/srv/dli", options), "ssh-keyscan -p 2222 h"));

  options.known_hosts = known_hosts;
  options.ssh_private_key = dir.str("missing_key");
  EXPECT_TRUE(contains(open_error("sftp://h/srv/dli", options),
                       "ssh_private_key " + dir.str("missing_key") + " cannot be read"));
}

TEST(CurlStoreOpen, UnreachableServerIsATransientErrorAfterRetries) {
  CurlStoreOptions options = with_credentials();
  options.retries = 2;
  options.retry_delay = std::chrono::milliseconds(10);
  auto store = CurlStore::open("ftp://127.0.0.1:1/x", options);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto got = store.value()->get("k");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.error().transient);
  EXPECT_TRUE(contains(got.error().message, "ftp://127.0.0.1:1/x: get k: ")) << got.error().message;
  EXPECT_TRUE(contains(got.error().message, "(gave up after 3 attempts in ")) << got.error().message;
  EXPECT_EQ(store.value()->retry_count(), 2u);
  EXPECT_FALSE(contains(got.error().message, "p-secret"));
}

}  // namespace
}  // namespace dli
