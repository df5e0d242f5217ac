#include "dli/util/text.hpp"

#include <gtest/gtest.h>

namespace dli {
namespace {

TEST(TextSplit, KeepsEmptyPartsSoThatEachFieldKeepsItsPosition) {
  EXPECT_EQ(split("a:b::c", ':'), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(split("12|RUNNING|", '|'), (std::vector<std::string>{"12", "RUNNING", ""}));
  EXPECT_EQ(split("|x", '|'), (std::vector<std::string>{"", "x"}));
  EXPECT_EQ(split("", ','), std::vector<std::string>{""});
  EXPECT_EQ(split("1-5/2", ','), std::vector<std::string>{"1-5/2"});
}

}  // namespace
}  // namespace dli
