#include "dli/agent/work_dir_room.hpp"

#include <cstdint>
#include <filesystem>
#include <limits>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace dli {
namespace {

constexpr std::uintmax_t kMiB = std::uintmax_t{1} << 20;

TEST(WorkDirRoom, EnoughRoomIsNoProblem) {
  EXPECT_EQ(room_shortfall(16 * kMiB), std::nullopt);
  EXPECT_EQ(room_shortfall(40 * kMiB), std::nullopt);
  EXPECT_EQ(room_shortfall(0, 0), std::nullopt);
}

TEST(WorkDirRoom, TooLittleSaysHowMuchThereIsAndWhatATestNeeds) {
  EXPECT_EQ(room_shortfall(16 * kMiB - 1), "16383 KiB free, a test needs 16 MiB");
  EXPECT_EQ(room_shortfall(0), "0 KiB free, a test needs 16 MiB");
  EXPECT_EQ(room_shortfall(123456, kMiB), "120 KiB free, a test needs 1 MiB");
  EXPECT_EQ(room_shortfall(3 * kMiB, 4 * kMiB), "3 MiB free, a test needs 4 MiB");
}

TEST(WorkDirRoom, AsksTheFoldersFileSystemAndIsSilentWhereItCannot) {
  testing::TempDir dir;
  constexpr auto kAll = std::numeric_limits<std::uintmax_t>::max();
  EXPECT_EQ(work_dir_problem(dir.str(), false, 0), std::nullopt);
  const auto short_of_room = work_dir_problem(dir.str(), false, kAll);
  ASSERT_TRUE(short_of_room.has_value());
  EXPECT_NE(short_of_room->find("free, a test needs"), std::string::npos) << *short_of_room;
  EXPECT_EQ(work_dir_problem(dir.str("no/such/folder"), true, kAll), std::nullopt);
}

TEST(WorkDirRoom, TheWriteProbeLeavesNothingAndSaysWhyAFileCannotBeWritten) {
  testing::TempDir dir;
  EXPECT_EQ(work_dir_problem(dir.str(), true, 0), std::nullopt);
  EXPECT_TRUE(std::filesystem::is_empty(dir.str())) << "the probe's file stayed";
  dir.write("plain-file", "x");  // a "work dir" that is a file: nothing can be created in it, even by root
  EXPECT_EQ(work_dir_problem(dir.str("plain-file"), true, 0), "a file cannot be written there (Not a directory)");
  EXPECT_EQ(work_dir_problem(dir.str("plain-file"), false, 0), std::nullopt) << "no probe unless asked";
}

}  // namespace
}  // namespace dli
