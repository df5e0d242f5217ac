// The file:// store on a disk that fills up (a small tmpfs), read-only, and not the user's: kNoSpace and kDenied,
// never transient. The mounts live in the mount namespace of a child process of the test's, so nothing stays mounted
// whatever happens; the child reports what it saw and the test checks it. Needs root, like every integration test.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "dli/store/store.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

using Report = std::map<std::string, std::string>;

// Runs `body` in a child process with a mount namespace of its own; returns the "name=value" lines it reported.
Report in_private_mounts(const std::function<void(Report&)>& body) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {{"error", "pipe failed"}};
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    Report report;
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      report["error"] = std::string("no private mount namespace: ") + std::strerror(errno);
    } else {
      body(report);
    }
    std::string text;
    for (const auto& [name, value] : report) text += name + "=" + value + "\n";
    for (std::size_t at = 0; at < text.size();) {
      const ssize_t wrote = ::write(fds[1], text.data() + at, text.size() - at);
      if (wrote <= 0) break;
      at += static_cast<std::size_t>(wrote);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t got; (got = ::read(fds[0], buffer, sizeof buffer)) > 0;) {
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  Report report;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t equals = line.find('=');
    if (equals != std::string::npos) report[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return report;
}

std::string at(const Report& report, const std::string& name) {
  const auto found = report.find(name);
  return found == report.end() ? "(not reported)" : found->second;
}

void record(Report& report, const std::string& name, const Status& status) {
  report[name + ".ok"] = status.ok() ? "1" : "0";
  if (status.ok()) return;
  report[name + ".kind"] = to_string(status.error().kind);
  report[name + ".transient"] = status.error().transient ? "1" : "0";
  report[name + ".message"] = status.error().message;
}

std::unique_ptr<Store> file_store(const std::string& path) {
  auto store = open_store("file://" + path);
  if (!store.ok()) throw std::runtime_error(store.error().message);
  return std::move(store.value());
}

TEST(StoreFileRefusals, FullDiskReadOnlyDiskAndForeignFolder) {
  testing::TempDir dir;
  const std::string disk = dir.str();
  const Report seen = in_private_mounts([&disk](Report& report) {
    if (::mount("dli-test-store", disk.c_str(), "tmpfs", 0, "size=256k,mode=0755") != 0) {
      report["error"] = std::string("cannot mount a tmpfs: ") + std::strerror(errno);
      return;
    }
    auto store = file_store(disk + "/store");
    // Fill it: 64 KiB objects until a put fails.
    const std::string object(64 * 1024, 'x');
    int stored = 0;
    Status last;
    for (; stored < 20; ++stored) {
      last = store->put("results/r" + std::to_string(stored) + ".json", object);
      if (!last.ok()) break;
    }
    report["stored"] = std::to_string(stored);
    record(report, "full", last);
    auto names = store->list("results");
    report["listed"] = names.ok() ? std::to_string(names.value().size()) : "error";
    record(report, "freed", store->remove("results/r0.json"));
    record(report, "after", store->put("results/after.json", "{}"));

    // Read-only: EROFS, even for root.
    if (::mount(nullptr, disk.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
      report["error"] = std::string("cannot remount read-only: ") + std::strerror(errno);
      return;
    }
    record(report, "readonly", store->put("results/ro.json", "{}"));
    record(report, "readonly_remove", store->remove("results/after.json"));

    // Writable again, but the folders are root's and this process is nobody now: EACCES.
    if (::mount(nullptr, disk.c_str(), nullptr, MS_REMOUNT, nullptr) != 0 || ::setgid(65534) != 0 ||
        ::setuid(65534) != 0) {
      report["error"] = std::string("cannot become nobody on a writable disk: ") + std::strerror(errno);
      return;
    }
    record(report, "foreign", store->put("results/nobody.json", "{}"));
    record(report, "foreign_folder", store->put("new/nobody.json", "{}"));
  });

  ASSERT_EQ(seen.count("error"), 0u) << at(seen, "error");
  ASSERT_EQ(at(seen, "full.ok"), "0") << "a 256 KiB disk took 20 objects of 64 KiB";
  EXPECT_GE(std::stoi(at(seen, "stored")), 2);
  EXPECT_EQ(at(seen, "full.kind"), "no-space") << at(seen, "full.message");
  EXPECT_EQ(at(seen, "full.transient"), "0");
  EXPECT_EQ(at(seen, "listed"), at(seen, "stored")) << "the failed put left something behind";
  EXPECT_EQ(at(seen, "freed.ok"), "1") << at(seen, "freed.message");
  EXPECT_EQ(at(seen, "after.ok"), "1") << at(seen, "after.message");

  EXPECT_EQ(at(seen, "readonly.kind"), "denied") << at(seen, "readonly.message");
  EXPECT_EQ(at(seen, "readonly.transient"), "0");
  EXPECT_EQ(at(seen, "readonly_remove.kind"), "denied") << at(seen, "readonly_remove.message");

  EXPECT_EQ(at(seen, "foreign.kind"), "denied") << at(seen, "foreign.message");
  EXPECT_EQ(at(seen, "foreign_folder.kind"), "denied") << at(seen, "foreign_folder.message");
}

}  // namespace
}  // namespace dli
