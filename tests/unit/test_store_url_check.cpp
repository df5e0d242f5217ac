// check_store_url: a store URL checked as open_store reads it, without opening or connecting, for `plan`.
#include <string>

#include <gtest/gtest.h>

#include "dli/store/store.hpp"
#include "dli/store/store_curl.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

std::string check(const std::string& url) {
  const auto checked = check_store_url(url);
  return checked.ok() ? "(valid)" : checked.error().message;
}

TEST(StoreUrlCheck, GoodUrlsPass) {
  testing::TempDir dir;
  const std::string ca = dir.write("ca.pem", "pem");
  const std::string known_hosts = dir.write("known_hosts", "");
  const std::string key = dir.write("id_ed25519", "key");
  EXPECT_EQ(check("file:///var/lib/dli-store"), "(valid)");
  EXPECT_EQ(check("file:///"), "(valid)");
  EXPECT_EQ(check("ftp://h/dli"), "(valid)");
  EXPECT_EQ(check("ftps://h:2121/dli?ca_file=" + ca + "&retries=5&connect_timeout=2.5&tls_max=1.3"), "(valid)");
  EXPECT_EQ(check("sftp://u@h/srv/dli?known_hosts=" + known_hosts + "&ssh_private_key=" + key), "(valid)");
  // Credentials are looked up where the store is opened, not here: a user-less sftp URL may get DLI_STORE_USER.
  EXPECT_EQ(check("sftp://h/srv/dli"), "(valid)");
}

TEST(StoreUrlCheck, SchemesAndFileUrls) {
  EXPECT_EQ(check("/var/lib/dli-store"),
            "malformed store URL '/var/lib/dli-store': expected scheme://..., e.g. file:///srv/dli-store");
  EXPECT_EQ(check("gopher://h/x"), "unsupported store URL scheme 'gopher' (supported: file, ftp, ftps, sftp)");
  EXPECT_EQ(check("file://relative/dir"),
            "store URL 'file://relative/dir': a file store needs an absolute path, as in file:///srv/dli-store");
  EXPECT_EQ(check("file:///srv/x?retries=2"), "store URL 'file:///srv/x?retries=2': a file store takes no options "
                                              "('?' or '#')");
  EXPECT_EQ(check("file:///srv/a\nb"), "store URL of a file store: control character in the path");
}

TEST(StoreUrlCheck, OptionNamesAndValues) {
  EXPECT_EQ(check("ftps://h/x?ca_flie=/etc/hosts"),
            "store ftps://h/x: unknown store URL option 'ca_flie' (known: ca_file, pinned_public_key, known_hosts, "
            "ssh_private_key, ssh_public_key, connect_timeout, stall_timeout, operation_timeout, retries, "
            "retry_delay, tls_max, sftp_posix_rename)");
  EXPECT_EQ(check("ftp://h/x?retries=lots"),
            "store ftp://h/x: store URL option retries=lots: expected a whole number from 0 to 20");
  EXPECT_EQ(check("ftp://h/x?tls_max=1.1"), "store ftp://h/x: store URL option tls_max=1.1: expected 1.2 or 1.3");
  EXPECT_EQ(check("ftp://h/x?password=p").find("store ftp://h/x: store URL option 'password' is not accepted"), 0u);
  EXPECT_EQ(check("ftp://h/x?ca_file=/etc/hosts"),
            "store ftp://h/x: ca_file and pinned_public_key apply to ftps:// stores only");
  EXPECT_EQ(check("ftps://h/x?known_hosts=/etc/hosts"),
            "store ftps://h/x: known_hosts and ssh_* options apply to sftp:// stores only");
  EXPECT_EQ(check("sftp://u@h:99999/x"), "malformed store URL 'sftp://u@h:99999/x': the port must be 1-65535");
}

TEST(StoreUrlCheck, DurationsAreBoundedAndFinite) {
  EXPECT_EQ(check("ftp://h/x?connect_timeout=3600&stall_timeout=86400&operation_timeout=0&retry_delay=0.25"),
            "(valid)");
  EXPECT_EQ(check("ftp://h/x?connect_timeout=1e300"),
            "store ftp://h/x: store URL option connect_timeout=1e300: expected seconds from 0 to 3600 (an hour), "
            "e.g. 2.5");
  EXPECT_EQ(check("ftp://h/x?connect_timeout=3601"),
            "store ftp://h/x: store URL option connect_timeout=3601: expected seconds from 0 to 3600 (an hour), "
            "e.g. 2.5");
  for (const std::string bad : {"nan", "inf", "-1", "0x10", "", "1e400", "86401"}) {
    EXPECT_EQ(check("ftp://h/x?stall_timeout=" + bad),
              "store ftp://h/x: store URL option stall_timeout=" + bad +
                  ": expected seconds from 0 to 86400 (a day), e.g. 2.5")
        << bad;
  }
  EXPECT_EQ(check("ftp://h/x?connect_timeout=0"), "store ftp://h/x: connect_timeout must be positive");
}

TEST(StoreUrlCheck, FilesNamedByOptionsMustBeAbsoluteAndReadable) {
  EXPECT_EQ(check("ftps://h/x?ca_file=/nonexistent/ca.pem"),
            "store ftps://h/x: ca_file /nonexistent/ca.pem cannot be read");
  EXPECT_EQ(check("ftps://h/x?ca_file=ca.pem"),
            "store ftps://h/x: ca_file ca.pem must be an absolute path (agents open the same URL from other folders)");
  EXPECT_EQ(check("sftp://u@h:2222/x?known_hosts=/nonexistent/kh"),
            "store sftp://u@h:2222/x: known_hosts file /nonexistent/kh cannot be read; the server's host key must be "
            "listed there (check it, then e.g. ssh-keyscan -p 2222 h >> /nonexistent/kh)");
  EXPECT_EQ(check("sftp://u@h/x?ssh_private_key=/nonexistent/key"),
            "store sftp://u@h/x: ssh_private_key /nonexistent/key cannot be read");
  EXPECT_EQ(check("sftp://u@h/x?ssh_public_key=/nonexistent/key.pub"),
            "store sftp://u@h/x: ssh_public_key /nonexistent/key.pub cannot be read");
}

// One definition: opening refuses what the check refuses, in the same words.
TEST(StoreUrlCheck, OpeningAgreesWithTheCheck) {
  CurlStoreOptions options;
  options.credentials = Credentials{"u", "p", "test"};
  for (const std::string url : {"ftps://h/x?ca_file=ca.pem", "ftp://h/x?connect_timeout=1e300", "ftp://h/x?bogus=1"}) {
    const auto opened = CurlStore::open(url, options);
    ASSERT_FALSE(opened.ok()) << url;
    EXPECT_EQ(opened.error().message, check(url)) << url;
  }
  EXPECT_EQ(open_store("file:///srv/x?retries=2").error().message, check("file:///srv/x?retries=2"));
}

}  // namespace
}  // namespace dli
