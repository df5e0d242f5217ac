#include <filesystem>

#include <gtest/gtest.h>

#include "dli/protocol/json_writer.hpp"
#include "dli/protocol/protocol.hpp"
#include "support/generated_run.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

std::string compact(const TestResult& result) {
  std::string text;
  append_json(text, result);
  return text;
}

// A plain result's text with one piece replaced.
std::string edited(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

class QuickResult : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    store_ = new testing::TempDir;
    testing::GeneratedRunShape shape;
    shape.hosts = 1;
    shape.tests_per_host = 1000;
    testing::generate_run(store_->str(), shape);
  }
  static void TearDownTestSuite() { delete store_; }
  static std::vector<std::string> result_texts() {
    std::vector<std::string> texts;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(store_->path())) {
      if (entry.path().parent_path().filename() == "results") texts.push_back(testing::read_file(entry.path()));
    }
    return texts;
  }
  static std::string plain_result() {  // an ok result (its log holds escaped newlines)
    for (const auto& text : result_texts()) {
      if (text.find("\"status\": \"ok\"") != std::string::npos) return text;
    }
    return "";
  }
  static testing::TempDir* store_;
};
testing::TempDir* QuickResult::store_ = nullptr;

TEST_F(QuickResult, ReadsGeneratedResultsAsTheUsualReaderDoes) {
  int quick = 0, total = 0;
  for (const auto& text : result_texts()) {
    const TestResult usual = test_result_from_json(nlohmann::json::parse(text));
    const auto read = quick_test_result(text);
    ++total;
    if (!read) continue;
    ++quick;
    ASSERT_EQ(compact(*read), compact(usual)) << text;
  }
  EXPECT_EQ(total, 1000);
  EXPECT_EQ(quick, 1000);  // logs and failures' output, newlines and all
}

TEST_F(QuickResult, ReadsEscapesAndUtf8AsNlohmannDoesAndLeavesTheRestToIt) {
  const std::string text = plain_result();
  for (const std::string reason : {"o\\u006b", "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
                                   "\\\" \\\\ \\/ \\b \\f \\n \\r \\t", "\\ud83d\\ude00 and \\u00e9 and \\u0000",
                                   "\\uFFFF\\u0041"}) {
    const std::string changed = edited(text, "\"reason\": \"\"", "\"reason\": \"" + reason + "\"");
    const TestResult usual = test_result_from_json(nlohmann::json::parse(changed));
    const auto read = quick_test_result(changed);
    ASSERT_TRUE(read) << reason;
    EXPECT_EQ(read->reason, usual.reason) << reason;
    EXPECT_EQ(compact(*read), compact(usual)) << reason;
  }
  for (const std::string reason : {"\\udc00", "\\ud83d", "\\ud83dx", "\\ud83d\\u0041", "\\u12", "\\x", "\xC3(",
                                   "\xC0\xAF", "\xED\xA0\x80", "\xF5\x80\x80\x80", "\x7F", "\xE2\x82"}) {
    EXPECT_FALSE(quick_test_result(edited(text, "\"reason\": \"\"", "\"reason\": \"" + reason + "\"")))
        << reason;
  }
  // Keys stay plain: an escape in one is the usual reader's business.
  EXPECT_FALSE(quick_test_result(edited(text, "\"reason\":", "\"re\\u0061son\":")));
}

TEST_F(QuickResult, ReadsCompactTextAsWell) {
  const TestResult usual = test_result_from_json(nlohmann::json::parse(plain_result()));
  const auto read = quick_test_result(compact(usual));
  ASSERT_TRUE(read);
  EXPECT_EQ(compact(*read), compact(usual));
}

TEST_F(QuickResult, LeavesWhatItDoesNotVouchForToTheUsualReader) {
  const std::string text = plain_result();
  ASSERT_FALSE(text.empty());
  ASSERT_TRUE(quick_test_result(text));
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"protocol\": 4", "\"protocol\": 3"},                  // another protocol: an error
           {"\"protocol\": 4", "\"protocol\": 4, \"protocol\": 4"},  // a duplicate key
           {"\"protocol\": 4", "\"protocol\": 4.0"},                // a float where an integer belongs
           {"\"protocol\": 4", "\"protocol\": 04"},                 // not JSON's grammar
           {"\"protocol\": 4", "\"protocol\": -"},
           {"\"signal\": 0", "\"signal\": 99999999999999999999"},  // beyond 64 bits
           {"\"signal\": 0", "\"signal\": 1."},
           {"\"signal\": 0", "\"signal\": .5"},
           {"\"signal\": 0", "\"signal\": 1e400"},
           {"\"signal\": 0", "\"signal\": tru"},
           {"\"status\": \"ok\"", "\"status\": \"ok"},
           {"\"status\": \"ok\"", "\"status\": \"o\tk\""},           // a raw control character
           {"\"status\": \"ok\"", "\"status\" \"ok\""},
           {"\"status\": \"ok\",", "\"status\": \"ok\",,"},
       }) {
    EXPECT_FALSE(quick_test_result(edited(text, from, to))) << from << " -> " << to;
  }
  EXPECT_FALSE(quick_test_result(text + "x"));
  EXPECT_FALSE(quick_test_result(text.substr(0, text.size() / 2)));
  EXPECT_FALSE(quick_test_result(""));
  EXPECT_FALSE(quick_test_result("[]"));
  EXPECT_TRUE(quick_test_result(" \n" + text + " \r\n\t"));
}

TEST_F(QuickResult, NumbersReadAsNlohmannReadsThem) {
  const std::string text = plain_result();
  for (const std::string number : {"0", "-0", "1e-9", "-2.5E+3", "0.1", "123456789.125", "1.7976931348623157e308",
                                   "4.9e-324", "300", "18446744073709551615", "-9223372036854775808"}) {
    const std::string changed = edited(text, "\"elapsed_s\": ", "\"elapsed_s\": " + number + ", \"x\": ");
    const TestResult usual = test_result_from_json(nlohmann::json::parse(changed));
    const auto read = quick_test_result(changed);
    ASSERT_TRUE(read) << number;
    EXPECT_EQ(compact(*read), compact(usual)) << number;
  }
}

}  // namespace
}  // namespace dli
