#include "dli/report/rows_json.hpp"

#include <sstream>

#include <gtest/gtest.h>

#include "dli/protocol/protocol.hpp"

namespace dli {
namespace {

std::string streamed(const ReportContext& context, const std::vector<ReportRow>& rows) {
  std::ostringstream out;
  stream_rows_json(out, context, rows);
  return out.str();
}

// The document as nlohmann writes it whole: what the streamed bytes must equal.
std::string whole(const ReportContext& context, const std::vector<ReportRow>& rows) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& row : rows) {
    list.push_back({{"spec", to_json(row.spec)},
                    {"result", row.result ? to_json(*row.result) : nlohmann::json(nullptr)},
                    {"not_run_reason", row.not_run_reason}});
  }
  const nlohmann::json document = {
      {"run_id", context.run_id}, {"sweep_name", context.sweep_name}, {"created_at", context.created_at}, {"rows", list}};
  return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

TEST(ReportRowsJson, EmptyRunAsNlohmannWritesIt) {
  const ReportContext context{"20261130-010203-nightly", "nightly", "2026-11-30T01:02:03Z", "now"};
  EXPECT_EQ(streamed(context, {}), whole(context, {}));
  EXPECT_EQ(streamed(context, {}),
            "{\"created_at\":\"2026-11-30T01:02:03Z\",\"rows\":[],\"run_id\":\"20261130-010203-nightly\","
            "\"sweep_name\":\"nightly\"}\n");
}

TEST(ReportRowsJson, RowsWithAndWithoutResultsAsNlohmannWritesThem) {
  const ReportContext context{"run \"1\"", "sweep \xFF", "2026-11-30T01:02:03Z", "now"};
  TestSpec spec;
  spec.id = "0123456789abcdef";
  spec.host = "node001";
  spec.model.name = "mobilenet_v2";
  spec.model.macs = 300774272;
  TestResult measured;
  measured.spec = spec;
  measured.status = TestStatus::kOk;
  measured.exit_code = 0;
  Measurement m;
  m.histogram.buckets = {{494, 5}, {495, 645}};
  m.throughput = {0.012, 0.0125, 80.5};
  m.verdict.notes = {"streams_imbalanced"};
  measured.measurement = m;
  measured.details = {{"intra_op_threads", "2"}};
  TestResult failed = measured;
  failed.status = TestStatus::kCrashed;
  failed.measurement.reset();
  failed.reason = "killed by signal 11\n";
  const std::vector<ReportRow> rows = {
      {spec, measured},
      {spec, failed},
      {spec, std::nullopt, "not run: host lost: no heartbeat for 300 s \xE2\x82"},
  };
  EXPECT_EQ(streamed(context, rows), whole(context, rows));
}

}  // namespace
}  // namespace dli
