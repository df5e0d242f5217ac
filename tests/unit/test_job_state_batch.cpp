// The batched scheduler: one question for every host's job per interval, ended jobs never asked again.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/remote/job_state_batch.hpp"

namespace dli {
namespace {

// Answers from a table and remembers each question (the one class under test is the batcher).
class TableScheduler : public JobScheduler {
 public:
  std::map<std::string, JobRecord> table;
  std::vector<std::vector<std::string>> asked;
  bool failing = false;

  Result<std::string> submit(const JobRequest&) override { return std::string("1"); }
  Status cancel(const std::vector<std::string>&) override { return {}; }
  Result<std::map<std::string, JobRecord>> states(const std::vector<std::string>& ids) override {
    asked.push_back(ids);
    if (failing) return Error{"controller down", true, ErrorKind::kUnreachable};
    std::map<std::string, JobRecord> answer;
    for (const auto& id : ids) {
      if (table.count(id)) answer[id] = table[id];
    }
    return answer;
  }
};

JobRecord in_state(const std::string& id, const std::string& state) {
  JobRecord record;
  record.id = id;
  record.state = state;
  return record;
}

TEST(JobStateBatch, HostsAskingWithinTheIntervalShareOneQuestion) {
  auto table = std::make_shared<TableScheduler>();
  table->table = {{"1", in_state("1", "RUNNING")}, {"2", in_state("2", "PENDING")}};
  auto batched = make_batched_scheduler(table, 3600);
  EXPECT_EQ(batched->states({"1"}).value().at("1").state, "RUNNING");
  EXPECT_EQ(batched->states({"2"}).value().at("2").state, "PENDING");  // new job: asked, with the other
  EXPECT_EQ(batched->states({"1"}).value().at("1").state, "RUNNING");  // from memory
  EXPECT_EQ(batched->states({"2"}).value().at("2").state, "PENDING");
  ASSERT_EQ(table->asked.size(), 2u);
  EXPECT_EQ(table->asked[1], (std::vector<std::string>{"1", "2"}));
}

TEST(JobStateBatch, EndedJobsAreNotAskedAgainAndForgottenOnesAreAbsent) {
  auto table = std::make_shared<TableScheduler>();
  table->table = {{"1", in_state("1", "TIMEOUT")}, {"2", in_state("2", "RUNNING")}};
  auto batched = make_batched_scheduler(table, 0);
  (void)batched->states({"1", "2", "3"});
  const auto second = batched->states({"1", "2", "3"});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.value().at("1").state, "TIMEOUT");
  EXPECT_EQ(second.value().count("3"), 0u);
  ASSERT_EQ(table->asked.size(), 2u);
  EXPECT_EQ(table->asked[1], (std::vector<std::string>{"2", "3"}));
}

TEST(JobStateBatch, AFailedQuestionWaitsItsIntervalToo) {
  auto table = std::make_shared<TableScheduler>();
  table->failing = true;
  auto batched = make_batched_scheduler(table, 3600);
  const auto first = batched->states({"1"});
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().kind, ErrorKind::kUnreachable);
  EXPECT_FALSE(batched->states({"1"}).ok());
  EXPECT_EQ(table->asked.size(), 1u);
}

}  // namespace
}  // namespace dli
