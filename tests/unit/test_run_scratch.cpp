// What an agent whose whole run the store has leaves in its work dir: the model cache and other runs' files, and
// nothing of its own run.
#include <filesystem>

#include <gtest/gtest.h>

#include "dli/agent/run_scratch.hpp"
#include "dli/protocol/work_dir.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

namespace fs = std::filesystem;

TEST(RunScratch, TheRunsFilesGoAndTheModelCacheAndOtherRunsStay) {
  testing::TempDir work;
  const std::string run = "20261201-120000-nightly";
  const std::string other = "20261130-120000-nightly";
  for (const std::string& id : {run, other}) {
    work.write("runs/" + id + "/abcd.request.json", "{}");
    work.write("runs/" + id + "/abcd.result.json", "{}");
    work.write("runs/" + id + "/agent.log", "log\n");
    work.write("runs/" + id + "/agent.lock", "42");
    work.write("runs/" + id + "/spool/abcd.result.json.tmp.7", "{");
    work.write(tasks_file_name(id), "{}");
    work.write(agent_output_file_name(id), "log\n");
  }
  work.write("models/0123/model.onnx", "model");
  work.write("models/0123/model.onnx.verified", "0123 5");

  EXPECT_EQ(remove_run_scratch(work.str(), run), "");

  EXPECT_FALSE(fs::exists(run_folder(work.str(), run)));
  EXPECT_FALSE(fs::exists(work.str(tasks_file_name(run))));
  EXPECT_FALSE(fs::exists(work.str(agent_output_file_name(run))));
  EXPECT_TRUE(fs::exists(work.str("runs/" + other + "/agent.log")));
  EXPECT_TRUE(fs::exists(work.str("runs/" + other + "/spool/abcd.result.json.tmp.7")));
  EXPECT_TRUE(fs::exists(work.str(tasks_file_name(other))));
  EXPECT_TRUE(fs::exists(work.str(agent_output_file_name(other))));
  EXPECT_TRUE(fs::exists(work.str("models/0123/model.onnx")));
  EXPECT_TRUE(fs::exists(work.str("models/0123/model.onnx.verified")));
  // Nothing there any more is not a failure: a second call removes nothing and says nothing.
  EXPECT_EQ(remove_run_scratch(work.str(), run), "");
}

}  // namespace
}  // namespace dli
