#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "dli/store/credentials.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

using testing::TempDir;

std::string write_private(const TempDir& dir, const std::string& relative, const std::string& text,
                          mode_t mode = 0600) {
  const std::string path = dir.write(relative, text);
  ::chmod(path.c_str(), mode);
  return path;
}

CredentialSources home_only(const TempDir& home) {
  CredentialSources sources;
  sources.home = home.str();
  return sources;
}

TEST(NetrcParse, MachineEntries) {
  auto entries = parse_netrc("machine a.example login alice password s3cret\nmachine b login bob password x\n");
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries.value().size(), 2u);
  EXPECT_EQ(entries.value()[0].machine, "a.example");
  EXPECT_EQ(entries.value()[0].login, "alice");
  EXPECT_EQ(entries.value()[0].password, "s3cret");
  EXPECT_FALSE(entries.value()[0].is_default);
  EXPECT_EQ(entries.value()[1].machine, "b");
  EXPECT_EQ(entries.value()[1].login, "bob");
  EXPECT_EQ(entries.value()[1].password, "x");
}

TEST(NetrcParse, CommentsAndLineBreaksInsideAnEntry) {
  auto entries =
      parse_netrc("# store credentials\nmachine h # the store host\n  login u\n  password p#not-a-comment\n");
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries.value().size(), 1u);
  EXPECT_EQ(entries.value()[0].machine, "h");
  EXPECT_EQ(entries.value()[0].login, "u");
  EXPECT_EQ(entries.value()[0].password, "p#not-a-comment");
}

TEST(NetrcParse, DefaultEntry) {
  auto entries = parse_netrc("machine h login u password p\ndefault login anonymous password guest\n");
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries.value().size(), 2u);
  EXPECT_TRUE(entries.value()[1].is_default);
  EXPECT_EQ(entries.value()[1].machine, "");
  EXPECT_EQ(entries.value()[1].login, "anonymous");
  EXPECT_EQ(entries.value()[1].password, "guest");
}

TEST(NetrcParse, QuotedValues) {
  auto entries = parse_netrc("machine h login \"u s\" password \"two words \\\"q\\\" \\\\ end\"\n");
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries.value().size(), 1u);
  EXPECT_EQ(entries.value()[0].login, "u s");
  EXPECT_EQ(entries.value()[0].password, "two words \"q\" \\ end");
}

TEST(NetrcParse, MacdefBodyIsSkipped) {
  auto entries = parse_netrc("macdef init\ncd /tmp\nmachine fake login x\n\nmachine h login u password p\n");
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries.value().size(), 1u);
  EXPECT_EQ(entries.value()[0].machine, "h");
}

TEST(NetrcParse, AccountIsIgnored) {
  auto entries = parse_netrc("machine h login u account acct password p");
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  EXPECT_EQ(entries.value()[0].password, "p");
}

TEST(NetrcParse, Errors) {
  auto before = parse_netrc("login u\n");
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().message, "'login' at line 1 comes before any machine or default entry");

  auto no_value = parse_netrc("machine h\nlogin");
  ASSERT_FALSE(no_value.ok());
  EXPECT_EQ(no_value.error().message, "'login' at line 2 has no value");

  auto unterminated = parse_netrc("machine h\n\nlogin u password \"abc");
  ASSERT_FALSE(unterminated.ok());
  EXPECT_EQ(unterminated.error().message, "unterminated quoted value at line 3");
}

TEST(NetrcParse, StrayWordErrorDoesNotQuoteIt) {
  // An unquoted password with a blank: the second half is a stray word, and must not reach a log.
  auto entries = parse_netrc("machine h login u\npassword my secretpart\n");
  ASSERT_FALSE(entries.ok());
  EXPECT_NE(entries.error().message.find("unexpected word at line 2"), std::string::npos) << entries.error().message;
  EXPECT_EQ(entries.error().message.find("secretpart"), std::string::npos);
}

TEST(ResolveCredentials, EnvironmentWithUser) {
  CredentialSources sources;
  sources.user = "alice";
  sources.password = "pw1";
  auto found = resolve_credentials("h", "", sources);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().user, "alice");
  EXPECT_EQ(found.value().password, "pw1");
  EXPECT_EQ(found.value().source, "DLI_STORE_PASSWORD");
}

TEST(ResolveCredentials, EnvironmentPasswordTakesTheUrlUser) {
  CredentialSources sources;
  sources.password = "pw1";
  auto found = resolve_credentials("h", "bob", sources);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().user, "bob");
  EXPECT_EQ(found.value().password, "pw1");
}

TEST(ResolveCredentials, EnvironmentPasswordWithoutAnyUserIsAnError) {
  CredentialSources sources;
  sources.password = "pw1";
  auto found = resolve_credentials("h", "", sources);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().message,
            "DLI_STORE_PASSWORD is set but no user is known: set DLI_STORE_USER or put user@ in the store URL");
  EXPECT_EQ(found.error().message.find("pw1"), std::string::npos);
}

TEST(ResolveCredentials, EnvironmentForAnotherUserFallsThroughToTheFile) {
  TempDir home;
  write_private(home, ".config/dli/credentials", "machine h login bob password from-file\n");
  CredentialSources sources = home_only(home);
  sources.user = "alice";
  sources.password = "alice-pw";
  auto found = resolve_credentials("h", "bob", sources);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().user, "bob");
  EXPECT_EQ(found.value().password, "from-file");
}

TEST(ResolveCredentials, EnvironmentWinsOverFiles) {
  TempDir home;
  write_private(home, ".config/dli/credentials", "machine h login u password from-file\n");
  CredentialSources sources = home_only(home);
  sources.user = "u";
  sources.password = "from-env";
  auto found = resolve_credentials("h", "", sources);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().password, "from-env");
}

TEST(ResolveCredentials, EmptyEnvironmentPasswordCountsAsUnset) {
  TempDir home;
  const std::string file = write_private(home, ".config/dli/credentials", "machine h login u password p\n");
  CredentialSources sources = home_only(home);
  sources.password = "";
  auto found = resolve_credentials("h", "", sources);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().password, "p");
  EXPECT_EQ(found.value().source, file);
}

TEST(ResolveCredentials, CredentialsFileMachineBeatsDefaultAndNetrc) {
  TempDir home;
  const std::string file = write_private(
      home, ".config/dli/credentials", "default login anon password guest\nmachine Store.Example login u password p\n");
  write_private(home, ".netrc", "machine store.example login u password from-netrc\n");
  auto found = resolve_credentials("store.example", "", home_only(home));
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().user, "u");
  EXPECT_EQ(found.value().password, "p");
  EXPECT_EQ(found.value().source, file);
}

TEST(ResolveCredentials, DefaultEntryWhenNoMachineMatches) {
  TempDir home;
  write_private(home, ".config/dli/credentials", "machine other login u password p\ndefault login d password dp\n");
  auto found = resolve_credentials("h", "", home_only(home));
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().user, "d");
  EXPECT_EQ(found.value().password, "dp");
}

TEST(ResolveCredentials, UrlUserSelectsTheEntry) {
  TempDir home;
  write_private(home, ".config/dli/credentials", "machine h login a password pa\nmachine h login b password pb\n");
  auto found = resolve_credentials("h", "b", home_only(home));
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().user, "b");
  EXPECT_EQ(found.value().password, "pb");
}

TEST(ResolveCredentials, ExplicitCredentialsFile) {
  TempDir dir;
  const std::string file = write_private(dir, "creds", "machine h login u password p\n");
  CredentialSources sources;
  sources.credentials_file = file;
  auto found = resolve_credentials("h", "", sources);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().password, "p");
  EXPECT_EQ(found.value().source, file);
}

TEST(ResolveCredentials, MissingExplicitCredentialsFileIsAnError) {
  CredentialSources sources;
  sources.credentials_file = "/nonexistent/dli-creds";
  auto found = resolve_credentials("h", "", sources);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().message, "DLI_CREDENTIALS_FILE names /nonexistent/dli-creds, which does not exist");
}

TEST(ResolveCredentials, CredentialsFileReadableByOthersIsRefused) {
  TempDir home;
  const std::string file = write_private(home, ".config/dli/credentials", "machine h login u password p\n", 0644);
  auto found = resolve_credentials("h", "", home_only(home));
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().message,
            "credentials file " + file +
                " may be read by group or others (mode 0644); refusing to use it: run chmod 600 " + file);
}

TEST(ResolveCredentials, CredentialsFileWithGroupAccessIsRefusedEvenWithoutAMatch) {
  TempDir home;
  write_private(home, ".config/dli/credentials", "machine other login u password p\n", 0640);
  auto found = resolve_credentials("h", "", home_only(home));
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.error().message.find("(mode 0640)"), std::string::npos) << found.error().message;
}

TEST(ResolveCredentials, NetrcFallback) {
  TempDir home;
  const std::string netrc = write_private(home, ".netrc", "machine h login u password from-netrc\n");
  auto found = resolve_credentials("h", "", home_only(home));
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().password, "from-netrc");
  EXPECT_EQ(found.value().source, netrc);
}

TEST(ResolveCredentials, NetrcReadableByOthersIsRefusedOnlyForAMatchingPassword) {
  TempDir home;
  write_private(home, ".netrc", "machine other login u password p\n", 0644);
  auto unrelated = resolve_credentials("h", "", home_only(home));
  ASSERT_TRUE(unrelated.ok()) << unrelated.error().message;
  EXPECT_EQ(unrelated.value().source, "none");

  auto matching = resolve_credentials("other", "", home_only(home));
  ASSERT_FALSE(matching.ok());
  EXPECT_NE(matching.error().message.find("chmod 600"), std::string::npos) << matching.error().message;
}

TEST(ResolveCredentials, NothingFound) {
  TempDir home;
  auto found = resolve_credentials("h", "carol", home_only(home));
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found.value().user, "carol");
  EXPECT_EQ(found.value().password, "");
  EXPECT_EQ(found.value().source, "none");
}

TEST(ResolveCredentials, FromProcessReadsTheEnvironment) {
  ::setenv("DLI_STORE_USER", "env-user", 1);
  ::setenv("DLI_STORE_PASSWORD", "env-pw", 1);
  ::setenv("DLI_CREDENTIALS_FILE", "/some/file", 1);
  const CredentialSources sources = CredentialSources::from_process();
  ::unsetenv("DLI_STORE_USER");
  ::unsetenv("DLI_STORE_PASSWORD");
  ::unsetenv("DLI_CREDENTIALS_FILE");
  EXPECT_EQ(sources.user.value_or(""), "env-user");
  EXPECT_EQ(sources.password.value_or(""), "env-pw");
  EXPECT_EQ(sources.credentials_file.value_or(""), "/some/file");
  EXPECT_FALSE(sources.home.empty());
  EXPECT_FALSE(CredentialSources::from_process().password.has_value());
}

TEST(RejectPasswordInUrl, PasswordIsRejectedWithoutBeingRepeated) {
  auto status = reject_password_in_url("ftp://alice:hunter2@store.example:2121/dli?ca_file=/x");
  ASSERT_FALSE(status.ok());
  const std::string& message = status.error().message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_NE(message.find("ftp://alice:***@store.example:2121/dli"), std::string::npos) << message;
  EXPECT_NE(message.find("DLI_STORE_PASSWORD"), std::string::npos) << message;
  EXPECT_NE(message.find("'machine store.example login alice password ...' to ~/.config/dli/credentials"),
            std::string::npos)
      << message;
  EXPECT_FALSE(status.error().transient);
}

TEST(RejectPasswordInUrl, UserOnlyAndPlainUrlsPass) {
  EXPECT_TRUE(reject_password_in_url("sftp://alice@h/srv/dli").ok());
  EXPECT_TRUE(reject_password_in_url("ftp://h:21/dli").ok());
  EXPECT_TRUE(reject_password_in_url("ftp://h/a:b@c").ok());  // '@' in the path is not user info
  EXPECT_TRUE(reject_password_in_url("file:///srv/dli").ok());
}

TEST(RejectPasswordInUrl, EmptyPasswordAndIpv6) {
  EXPECT_FALSE(reject_password_in_url("ftp://alice:@h/dli").ok());
  auto status = reject_password_in_url("sftp://u:p%40ss@[::1]:22/x");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("machine ::1 login u"), std::string::npos) << status.error().message;
}

TEST(RenderNetrc, PlainValues) {
  EXPECT_EQ(render_netrc("h.example", Credentials{"u", "p", "x"}), "machine h.example login u password p\n");
  EXPECT_EQ(render_netrc("h", Credentials{"u", "", "x"}), "machine h login u\n");
}

TEST(RenderNetrc, SpecialCharactersRoundTrip) {
  const Credentials credentials{"a user", "#p \"w\" \\d", "x"};
  const std::string line = render_netrc("h", credentials);
  EXPECT_EQ(line, "machine h login \"a user\" password \"#p \\\"w\\\" \\\\d\"\n");
  auto entries = parse_netrc(line);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries.value().size(), 1u);
  EXPECT_EQ(entries.value()[0].login, credentials.user);
  EXPECT_EQ(entries.value()[0].password, credentials.password);
}

}  // namespace
}  // namespace dli
