#include "dli/agent/work_dir_room.hpp"

#include <cstdint>
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
  EXPECT_EQ(work_dir_room_problem(dir.str(), 0), std::nullopt);
  const auto none = work_dir_room_problem(dir.str(), std::numeric_limits<std::uintmax_t>::max());
  ASSERT_TRUE(none.has_value());
  EXPECT_NE(none->find("free, a test needs"), std::string::npos) << *none;
  EXPECT_EQ(work_dir_room_problem(dir.str("no/such/folder"), std::numeric_limits<std::uintmax_t>::max()),
            std::nullopt);
}

}  // namespace
}  // namespace dli
