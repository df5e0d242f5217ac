// The agent's spool: results and logs kept on the host until the store has them.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "dli/agent/spool.hpp"
#include "dli/protocol/protocol.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TestResult result_of(const std::string& id) {
  TestResult result;
  result.spec.id = id;
  result.spec.host = "h";
  result.status = TestStatus::kFailed;
  result.reason = "why";
  return result;
}

TEST(Spool, KeepsTheResultAndMovesTheLogInThenReleasesBoth) {
  TempDir dir;
  Spool spool(dir.str("spool"));
  const std::string log = dir.write("0123.log", "runner output\n");
  spool.keep(result_of("0123"), log);
  EXPECT_FALSE(fs::exists(log));
  EXPECT_EQ(spool.waiting(), std::vector<std::string>{"0123"});
  std::ifstream in(spool.result_path("0123"));
  const TestResult kept = test_result_from_json(nlohmann::json::parse(in));
  EXPECT_EQ(kept.reason, "why");
  std::ifstream kept_log(spool.log_path("0123"));
  std::string line;
  std::getline(kept_log, line);
  EXPECT_EQ(line, "runner output");
  spool.release("0123");
  EXPECT_TRUE(spool.waiting().empty());
  EXPECT_FALSE(fs::exists(spool.log_path("0123")));
}

TEST(Spool, ATestWithoutALogIsKeptAndAnotherSpoolOnTheSameFolderSeesIt) {
  TempDir dir;
  {
    Spool spool(dir.str("spool"));
    spool.keep(result_of("bbbb"), dir.str("absent.log"));
    spool.keep(result_of("aaaa"), dir.str("absent.log"));
  }
  Spool again(dir.str("spool"));  // a restarted agent
  EXPECT_EQ(again.waiting(), (std::vector<std::string>{"aaaa", "bbbb"}));
}

TEST(Spool, TemporaryFilesAreNotResults) {
  TempDir dir;
  Spool spool(dir.str("spool"));
  dir.write("spool/cccc.result.json.tmp.77", "{");
  EXPECT_TRUE(spool.waiting().empty());
}

}  // namespace
}  // namespace dli
