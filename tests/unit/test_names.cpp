// dli::name_problem: the one rule for names that become store key segments (include/dli/protocol/names.hpp).
#include <string>

#include <gtest/gtest.h>

#include "dli/protocol/names.hpp"

namespace dli {
namespace {

std::string problem(const std::string& name) { return name_problem(name).value_or("(valid)"); }

TEST(Names, UsualNamesAreValid) {
  for (const std::string name : {"local", "jetson-1", "box-2.lab", "mobilenet_v2", "a", "0", "_x", "a..b", "x."}) {
    EXPECT_EQ(problem(name), "(valid)") << name;
    EXPECT_TRUE(is_valid_name(name)) << name;
  }
  EXPECT_EQ(problem(std::string(64, 'a')), "(valid)");
}

TEST(Names, EmptyAndTooLongAreRefused) {
  EXPECT_EQ(problem(""), "it is empty");
  EXPECT_EQ(problem(std::string(65, 'a')), "it is 65 bytes long, longer than 64");
  EXPECT_EQ(problem(std::string(300, 'h')), "it is 300 bytes long, longer than 64");
  EXPECT_FALSE(is_valid_name(std::string(65, 'a')));
}

TEST(Names, DotNamesAndLeadingDashAreRefused) {
  EXPECT_EQ(problem("."), "it starts with '.'");
  EXPECT_EQ(problem(".."), "it starts with '.'");
  EXPECT_EQ(problem(".hidden"), "it starts with '.'");
  EXPECT_EQ(problem("-rf"), "it starts with '-'");
}

TEST(Names, PathSeparatorsBlanksAndControlCharactersAreRefused) {
  EXPECT_EQ(problem("lab/1"), "the character '/' is not allowed");
  EXPECT_EQ(problem("../x"), "the character '/' is not allowed");
  EXPECT_EQ(problem("a b"), "a space is not allowed");
  EXPECT_EQ(problem("a\tb"), "the byte 0x09 is not allowed");
  EXPECT_EQ(problem("a\nb"), "the byte 0x0a is not allowed");
  EXPECT_EQ(problem(std::string("a\0b", 3)), "the byte 0x00 is not allowed");
  EXPECT_EQ(problem("a\x7f"), "the byte 0x7f is not allowed");
  EXPECT_EQ(problem("caf\xc3\xa9"), "the byte 0xc3 is not allowed");
  EXPECT_EQ(problem("a\\b"), "the character '\\' is not allowed");
  EXPECT_EQ(problem("a:b"), "the character ':' is not allowed");
}

TEST(Names, TheRuleInWords) {
  EXPECT_EQ(name_rule(), "1 to 64 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
}

// A run id is YYYYMMDD-HHMMSS-<sweep name>-N: with the longest name it stays far below a segment's 255 bytes.
TEST(Names, TheLongestRunIdFitsInAPathSegment) {
  const std::string run_id = "20260101-120000-" + std::string(kMaxNameBytes, 'n') + "-99999";
  EXPECT_LT(run_id.size(), 255u);
}

}  // namespace
}  // namespace dli
