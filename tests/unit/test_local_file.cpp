#include "dli/util/local_file.hpp"

#include <filesystem>
#include <stdexcept>

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
