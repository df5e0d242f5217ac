#include "dli/util/local_file.hpp"

#include <filesystem>

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

}  // namespace
}  // namespace dli
