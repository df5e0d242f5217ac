// collect_run reads results in parallel where the store allows it: the rows, the CSV and the problems must be
// what reading them one by one gives (a store that does not allow it is read one by one).
#include <filesystem>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "dli/integrator/collect.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/report/report.hpp"
#include "support/counting_store.hpp"
#include "support/generated_run.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

std::string csv_of(const Collected& collected) {
  std::ostringstream out;
  write_csv(out, collected.rows);
  return out.str();
}

class CollectResults : public ::testing::Test {
 protected:
  void SetUp() override {
    shape_.run_id = "20261130-000000-collect";
    shape_.hosts = 3;
    shape_.tests_per_host = 200;
    testing::generate_run(store_dir_.str(), shape_);
  }
  std::string result_path(int host, const std::string& task) const {
    return store_dir_.str(layout::result(shape_.run_id, fmt_host(host), task));
  }
  static std::string fmt_host(int host) { return "node00" + std::to_string(host); }

  testing::TempDir store_dir_;
  testing::GeneratedRunShape shape_;
};

TEST_F(CollectResults, ParallelAndOneByOneReadsGiveTheSameRowsCsvAndProblems) {
  auto opened = open_store("file://" + store_dir_.str());
  ASSERT_TRUE(opened);
  Store& store = *opened.value();
  ASSERT_TRUE(store.concurrent_gets());
  // One result unreadable, one missing, one of another protocol, on two hosts.
  auto tasks = task_list_from_json(nlohmann::json::parse(
      testing::read_file(store_dir_.str(layout::tasks(shape_.run_id, fmt_host(1))))));
  store_dir_.write(layout::result(shape_.run_id, fmt_host(1), task_key(tasks.tests[7])), "{not json");
  std::filesystem::remove(result_path(1, task_key(tasks.tests[8])));
  store_dir_.write(layout::result(shape_.run_id, fmt_host(2), task_key(tasks.tests[3])), "{\"protocol\": 3}");

  auto parallel = collect_run(store, shape_.run_id);
  ASSERT_TRUE(parallel) << parallel.error().message;
  testing::CountingStore one_by_one(store);
  ASSERT_FALSE(one_by_one.concurrent_gets());
  auto sequential = collect_run(one_by_one, shape_.run_id);
  ASSERT_TRUE(sequential) << sequential.error().message;

  EXPECT_EQ(parallel.value().rows.size(), 600u);
  EXPECT_EQ(csv_of(parallel.value()), csv_of(sequential.value()));
  EXPECT_EQ(parallel.value().problems, sequential.value().problems);
  ASSERT_EQ(parallel.value().problems.size(), 2u);  // the missing one is only not run
  EXPECT_NE(parallel.value().problems[0].find("not valid JSON"), std::string::npos);
  EXPECT_NE(parallel.value().problems[1].find("protocol version 3"), std::string::npos);
  EXPECT_EQ(parallel.value().not_run, 3);
  EXPECT_EQ(parallel.value().ok + parallel.value().failed + parallel.value().unsupported, 597);
}

// The integrator reads each host as it completes (collect_complete_host) and hands those parts to collect_known:
// the run's rows, CSV and problems are those of one collect at the end, and no host read ahead is read again.
TEST_F(CollectResults, HostsReadAsTheyCompleteGiveTheSameRowsAndAreNotReadAgain) {
  auto opened = open_store("file://" + store_dir_.str());
  ASSERT_TRUE(opened);
  Store& store = *opened.value();
  auto tasks = task_list_from_json(nlohmann::json::parse(
      testing::read_file(store_dir_.str(layout::tasks(shape_.run_id, fmt_host(1))))));
  store_dir_.write(layout::result(shape_.run_id, fmt_host(1), task_key(tasks.tests[7])), "{not json");
  std::vector<std::string> problems;
  auto record = read_run_record(store, shape_.run_id, problems);
  ASSERT_TRUE(record) << record.error().message;
  ASSERT_TRUE(problems.empty());
  auto at_the_end = collect_known(store, record.value());
  ASSERT_TRUE(at_the_end) << at_the_end.error().message;

  std::map<std::string, HostPart> ready;
  for (int host : {0, 1}) {
    const HostStatus& last = record.value().statuses.at(fmt_host(host));
    ASSERT_TRUE(host_complete(last));
    ready.emplace(fmt_host(host), collect_complete_host(store, record.value().tasks.at(fmt_host(host)), last));
  }
  EXPECT_EQ(ready.at(fmt_host(1)).problems.size(), 1u);
  testing::CountingStore counted(store);
  auto collected = collect_known(counted, record.value(), std::move(ready));
  ASSERT_TRUE(collected) << collected.error().message;
  // Only the third host is left: its description and its results, each read by its key.
  EXPECT_EQ(counted.gets.load(), 1 + shape_.tests_per_host);
  EXPECT_EQ(counted.lists.load(), 0);
  EXPECT_EQ(csv_of(collected.value()), csv_of(at_the_end.value()));
  EXPECT_EQ(collected.value().problems, at_the_end.value().problems);
  EXPECT_EQ(collected.value().hosts.size(), 3u);
  EXPECT_EQ(collected.value().ok, at_the_end.value().ok);
  EXPECT_EQ(collected.value().not_run, at_the_end.value().not_run);

  // A part whose reading failed is read again at the end.
  std::map<std::string, HostPart> failed;
  failed[fmt_host(0)].error = Error{"store down"};
  testing::CountingStore again(store);
  ASSERT_TRUE(collect_known(again, record.value(), std::move(failed)));
  EXPECT_EQ(again.gets.load(), 3 * (1 + shape_.tests_per_host));
}

TEST_F(CollectResults, WritesResultsJsonBesideTheCsv) {
  auto store = open_store("file://" + store_dir_.str());
  ASSERT_TRUE(store);
  auto collected = collect_run(*store.value(), shape_.run_id);
  ASSERT_TRUE(collected);
  testing::TempDir out;
  const ReportPaths paths = write_reports(collected.value(), out.str("reports"));
  EXPECT_EQ(paths.json, out.str("reports/results.json"));
  const auto json = nlohmann::json::parse(testing::read_file(paths.json));
  EXPECT_EQ(json["run_id"], shape_.run_id);
  ASSERT_EQ(json["rows"].size(), 600u);
  EXPECT_EQ(json["rows"][0]["spec"]["host"], "node000");
  EXPECT_EQ(test_result_from_json(json["rows"][0]["result"]).spec.id, collected.value().rows[0].spec.id);
  EXPECT_TRUE(std::filesystem::exists(out.str("reports/results.csv")));
  EXPECT_TRUE(std::filesystem::exists(out.str("reports/results.html")));
  EXPECT_TRUE(std::filesystem::exists(out.str("reports/changes.atom")));
}

}  // namespace
}  // namespace dli
