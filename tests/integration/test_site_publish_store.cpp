// `dli-integrator publish URL`: the site into a web root on a real vsftpd and a real OpenSSH server (docs/site.md,
// "On a web server"): the root page points at a complete version, a second publish keeps the version before, a third
// removes the oldest whole, and a publish that cannot reach the server changes nothing a reader sees.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "e2e/sweep_fixture.hpp"
#include "support/sshd_server.hpp"
#include "support/vsftpd_server.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The version the root page points at ("versions/v...-pid"), empty when it points nowhere readable.
std::string pointed_version(const fs::path& root) {
  std::smatch match;
  const std::string page = read_text(root / "index.html");
  if (!std::regex_search(page, match, std::regex("url=(versions/v[0-9TZ]+-[0-9]+)/index\\.html"))) return "";
  return match[1];
}

std::vector<std::string> versions_on_disk(const fs::path& root) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root / "versions")) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

class SitePublishStore : public SweepWorkspace {
 protected:
  // One real night of the digits CNN, recorded in the history the publishes read.
  void record_a_run() {
    write_local_fleet();
    dir.write("sweep.yaml", "name: site-upload\nfleet: fleet.yaml\nmodels:\n  - name: digits\n    file: " +
                                model("digits_cnn.onnx") +
                                "\n    format: onnx\n    input_shape: [1, 8, 8]\nlaunchers: [opencv-dnn]\n"
                                "batch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n"
                                "measure: {iterations: 20, min_seconds: 0.02, max_cv: 0, timeout_seconds: 120}\n");
    const auto night = run_sweep("sweep.yaml");
    ASSERT_EQ(night.exit_code, 0) << night.output;
    run_id = run_id_from(night.output);
  }
  CommandOutput publish(const std::string& url) const {
    return integrator("publish " + shell_quote(url) + " --history " + shell_quote(dir.str("history.sqlite")));
  }
  // Publishes three times into `root` (the server's folder for `url`) and checks what a reader finds each time.
  void check_three_publishes(const std::string& url, const fs::path& root) {
    const auto first = publish(url);
    ASSERT_EQ(first.exit_code, 0) << first.output;
    EXPECT_NE(first.output.find("(1 runs, 1 series pages)"), std::string::npos) << first.output;
    const std::string v1 = pointed_version(root);
    ASSERT_FALSE(v1.empty()) << read_text(root / "index.html");
    // The version is complete: the index, the run's page and downloads, the series page, the feed, its file list.
    const std::string run_folder = "runs/" + run_id + "/";
    for (const std::string& file : {std::string("index.html"), std::string("feed.atom"), std::string("files.txt"),
                                    run_folder + "index.html", run_folder + "results.csv", run_folder + "results.json"}) {
      EXPECT_TRUE(fs::is_regular_file(root / v1 / file)) << file;
    }
    EXPECT_NE(read_text(root / v1 / "runs" / run_id / "results.csv").find("digits"), std::string::npos);
    EXPECT_EQ(read_text(root / "feed.atom"), read_text(root / v1 / "feed.atom"));

    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // version names carry the second
    const auto second = publish(url);
    ASSERT_EQ(second.exit_code, 0) << second.output;
    const std::string v2 = pointed_version(root);
    ASSERT_NE(v2, v1);
    EXPECT_EQ(versions_on_disk(root).size(), 2u) << "the version before stays: a reader may be on it";

    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    const auto third = publish(url);
    ASSERT_EQ(third.exit_code, 0) << third.output;
    const std::string v3 = pointed_version(root);
    EXPECT_EQ(versions_on_disk(root), (std::vector<std::string>{fs::path(v2).filename(), fs::path(v3).filename()}));
    EXPECT_FALSE(fs::exists(root / v1)) << "the oldest version is removed whole, folders included";
  }

  std::string run_id;
};

TEST_F(SitePublishStore, FtpWebRootGetsWholeVersionsAndAFailedPublishChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(record_a_run());
  VsftpdServer server{VsftpdOptions{}};
  const std::string credentials = dir.write("credentials", "machine " + server.address() + " login " +
                                                               server.user() + " password " + server.password() + "\n");
  ::chmod(credentials.c_str(), 0600);
  ::setenv("DLI_CREDENTIALS_FILE", credentials.c_str(), 1);
  const fs::path root = fs::path(server.home()) / "www";
  check_three_publishes(server.url("www?connect_timeout=2&retries=1"), root);

  const std::string before = read_text(root / "index.html");
  const auto listing = versions_on_disk(root);
  server.stop();
  const auto refused = publish(server.url("www?connect_timeout=2&retries=1"));
  ::unsetenv("DLI_CREDENTIALS_FILE");
  EXPECT_EQ(refused.exit_code, 5) << refused.output;
  EXPECT_NE(refused.output.find("cannot publish the site to"), std::string::npos) << refused.output;
  EXPECT_EQ(read_text(root / "index.html"), before);
  EXPECT_EQ(versions_on_disk(root), listing);
  EXPECT_EQ(refused.output.find(server.password()), std::string::npos) << "no secret in the messages";
}

TEST_F(SitePublishStore, SftpWebRootGetsWholeVersions) {
  ASSERT_NO_FATAL_FAILURE(record_a_run());
  SshdServer server;
  const fs::path root = fs::path(server.data_dir()) / "www";
  check_three_publishes(server.url(root.string()) + "?known_hosts=" + server.known_hosts() +
                            "&ssh_private_key=" + server.client_key(),
                        root);
}

TEST_F(SitePublishStore, ABadUrlIsRefusedBeforeAnyWork) {
  const auto refused = publish("ftp://user:secret@localhost/www");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_EQ(refused.output.find("secret"), std::string::npos) << refused.output;
}

}  // namespace
}  // namespace dli::testing
