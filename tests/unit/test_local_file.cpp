#include "dli/util/local_file.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace dli {
namespace {

TEST(LocalFile, ReplacesContentAndLeavesNoTemporaryBehind) {
  testing::TempDir dir;
  const std::string path = dir.str("results.csv");
  write_file_atomically(path, "first\n");
  write_file_atomically(path, "second\n");
  EXPECT_EQ(testing::read_file(path), "second\n");
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) entries += entry.exists() ? 1 : 0;
  EXPECT_EQ(entries, 1);
}

TEST(LocalFile, IntoAMissingFolderThrowsAndCreatesNothing) {
  testing::TempDir dir;
  EXPECT_ANY_THROW(write_file_atomically(dir.str("missing/results.csv"), "x"));
  EXPECT_FALSE(std::filesystem::exists(dir.str("missing")));
}

TEST(LocalFile, StreamsContentIntoPlace) {
  testing::TempDir dir;
  const std::string path = dir.str("results.json");
  write_file_atomically(path, [](std::ostream& out) {
    for (int i = 0; i < 3; ++i) out << "row " << i << "\n";
  });
  EXPECT_EQ(testing::read_file(path), "row 0\nrow 1\nrow 2\n");
}

// Pieces of every size around the file buffer's (single characters, small rows, rows larger than the buffer) come
// out whole and in order.
TEST(LocalFile, StreamsPiecesOfEverySizeExactly) {
  testing::TempDir dir;
  const std::string path = dir.str("results.json");
  std::string expected;
  write_file_atomically(path, [&](std::ostream& out) {
    for (const std::size_t size : {1, 7, 1000, 4095, 32767, 32768, 32769, 100000, 1, 65536, 3}) {
      const std::string piece(size, static_cast<char>('a' + size % 26));
      out << piece << '|';
      expected += piece + '|';
    }
  });
  EXPECT_EQ(testing::read_file(path), expected);
}

// A file the system refuses to let grow (its size limit: EFBIG, as a full disk gives ENOSPC) fails the write with
// the system's reason, keeps the old content and leaves no temporary. In a child process: the limit is per process.
TEST(LocalFile, AFileThatCannotGrowFailsTheWriteAndKeepsTheOldOne) {
  testing::TempDir dir;
  const std::string path = dir.str("results.csv");
  write_file_atomically(path, "old\n");
  const pid_t child = ::fork();
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{64 * 1024, 64 * 1024};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(3);
    try {
      write_file_atomically(path, [](std::ostream& out) {
        for (int i = 0; i < 1000; ++i) out << std::string(1000, 'x') << '\n';
      });
    } catch (const std::runtime_error& error) {
      ::_exit(std::string(error.what()).find("File too large") != std::string::npos ? 0 : 4);
    }
    ::_exit(5);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: no limit set, 4: another error, 5: no error at all";
  EXPECT_EQ(testing::read_file(path), "old\n");
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) entries += entry.exists() ? 1 : 0;
  EXPECT_EQ(entries, 1);
}

TEST(LocalFile, AFailedStreamLeavesTheOldFileAndNoTemporary) {
  testing::TempDir dir;
  const std::string path = dir.str("results.html");
  write_file_atomically(path, "old\n");
  EXPECT_THROW(write_file_atomically(path,
                                     [](std::ostream& out) {
                                       out << "half a page";
                                       throw std::runtime_error("renderer failed");
                                     }),
               std::runtime_error);
  EXPECT_EQ(testing::read_file(path), "old\n");
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) entries += entry.exists() ? 1 : 0;
  EXPECT_EQ(entries, 1);
}

TEST(LocalFile, StreamingIntoAMissingFolderThrows) {
  testing::TempDir dir;
  EXPECT_ANY_THROW(write_file_atomically(dir.str("missing/results.json"), [](std::ostream& out) { out << "x"; }));
  EXPECT_FALSE(std::filesystem::exists(dir.str("missing")));
}

}  // namespace
}  // namespace dli
