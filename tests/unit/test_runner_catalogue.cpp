// CheckedParams: a runner reads its params by the catalogue's rules, the same `plan` checked them with.
#include <map>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "dli/protocol/runner_catalogue.hpp"

namespace dli {
namespace {

std::string refusal(const std::string& framework, const std::map<std::string, std::string>& params) {
  try {
    CheckedParams checked(framework, params);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "(accepted)";
}

TEST(CheckedParams, ReadsValuesByTheRules) {
  const CheckedParams null_params("null", {{"sleep_ms", "2.5"}, {"fault", "hang"}});
  EXPECT_EQ(null_params.number("sleep_ms"), 2.5);
  EXPECT_EQ(null_params.number("load_ms"), std::nullopt);
  EXPECT_EQ(null_params.text("fault"), "hang");
  const CheckedParams torch("libtorch", {{"inter_op_threads", "4.0"}});
  EXPECT_EQ(torch.number("inter_op_threads"), 4.0);
  const CheckedParams none("opencv-dnn", {});
  EXPECT_EQ(none.text("backend"), std::nullopt);
}

TEST(CheckedParams, RefusesWhatPlanRefusesInTheSameWords) {
  EXPECT_EQ(refusal("null", {{"sleep_ms", "abc"}}), "sleep_ms: expected a number from 0 to 86400000, got 'abc'");
  EXPECT_EQ(refusal("null", {{"sleep_ms", "1e30"}}), "sleep_ms: expected a number from 0 to 86400000, got '1e30'");
  EXPECT_EQ(refusal("null", {{"sleep_ms", "0x10"}}), "sleep_ms: expected a number from 0 to 86400000, got '0x10'");
  EXPECT_EQ(refusal("null", {{"fault", "boom"}}), "fault: expected one of none, crash, abort, hang, exit, eat_memory, got 'boom'");
  EXPECT_EQ(refusal("opencv-dnn", {{"backend", "nope"}}),
            "backend: expected one of opencv, default, cuda, got 'nope'");
  EXPECT_EQ(refusal("libtorch", {{"inter_op_threads", "0"}}),
            "inter_op_threads: expected an integer from 1 to 1024, got '0'");
  EXPECT_EQ(refusal("null", {{"sleep", "1"}}), "unknown parameter 'sleep' for null (known: sleep_ms, load_ms, fault)");
  EXPECT_EQ(refusal("command", {}), "command needs the parameter 'command'");
  EXPECT_EQ(refusal("tensorrt", {}), "no runner rules for framework 'tensorrt'");
  EXPECT_EQ(check_param_value(find_runner_entry("null")->params[0], "nan"),
            "a number from 0 to 86400000, got 'nan'");
}

TEST(CheckedParams, AskingForAParameterTheCatalogueLacksIsAProgrammingError) {
  const CheckedParams checked("null", {});
  EXPECT_THROW(checked.number("fault"), std::logic_error);  // a choice, not a number
  EXPECT_THROW(checked.text("sleep_ms"), std::logic_error);
  EXPECT_THROW(checked.text("backend"), std::logic_error);
}

}  // namespace
}  // namespace dli
