// Verdicts (docs/methodology.md, "Verdicts"): one test per reason, and their order.
#include "dli/measure/verdict.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace dli {
namespace {

// A run that passes every rule: 1000 requests in 2 s for a minimum of 100 and 1 s, CV 5 %, median reported.
VerdictInputs passing() {
  VerdictInputs in;
  in.count = 1000;
  in.wall_seconds = 2;
  in.min_count = 100;
  in.min_seconds = 1;
  in.reported_percentile = 50;
  in.reported_latency_s = 0.002;
  in.cv = 0.05;
  in.max_cv = 0.2;
  return in;
}

std::vector<std::string> reasons(const VerdictInputs& in) { return judge(in).reasons; }

TEST(Verdict, APassingRunIsValidWithoutReasons) {
  const Verdict verdict = judge(passing());
  EXPECT_TRUE(verdict.valid);
  EXPECT_TRUE(verdict.reasons.empty());
}

TEST(Verdict, RequestsNeededForAPercentile) {
  EXPECT_EQ(requests_needed_for(50), 20);
  EXPECT_EQ(requests_needed_for(90), 100);
  EXPECT_EQ(requests_needed_for(99), 1000);
  EXPECT_EQ(requests_needed_for(99.9), 10000);
  EXPECT_EQ(requests_needed_for(100), 0);
}

TEST(Verdict, EachReasonAlone) {
  VerdictInputs in = passing();
  in.reported_percentile = 99;
  in.count = 999;
  EXPECT_EQ(reasons(in), std::vector<std::string>{"too_few_requests"});
  in = passing();
  in.count = 99;
  in.reported_percentile = 0;
  EXPECT_EQ(reasons(in), std::vector<std::string>{"min_count_not_met"});
  in = passing();
  in.wall_seconds = 0.999;
  EXPECT_EQ(reasons(in), std::vector<std::string>{"min_time_not_met"});
  in = passing();
  in.stop_reason = StopReason::kCapped;
  EXPECT_EQ(reasons(in), std::vector<std::string>{"capped"});
  in = passing();
  in.cv = 0.2001;
  EXPECT_EQ(reasons(in), std::vector<std::string>{"cv_above_threshold"});
  in.cv = 0.2;
  EXPECT_TRUE(reasons(in).empty()) << "at the threshold is within it";
  in = passing();
  in.latency_bound_s = 0.0019;
  EXPECT_EQ(reasons(in), std::vector<std::string>{"latency_bound_broken"});
  in.latency_bound_s = 0.002;
  EXPECT_TRUE(reasons(in).empty()) << "at the bound is within it";
  in = passing();
  in.host_busy = true;
  EXPECT_EQ(reasons(in), std::vector<std::string>{"host_busy"});
}

TEST(Verdict, RulesThatDoNotApply) {
  VerdictInputs in = passing();
  in.cv = 5;
  in.max_cv = 0;
  EXPECT_TRUE(judge(in).valid) << "max_cv 0: no CV rule";
  in.max_cv = 0.2;
  in.cv_applies = false;
  EXPECT_TRUE(judge(in).valid) << "Server: latency includes queueing";
  in = passing();
  in.stop_reason = StopReason::kMaxCount;
  EXPECT_TRUE(judge(in).valid) << "a maximum reached after both minima is fine";
}

TEST(Verdict, TheHostWasBusyOnlyAboveItsThresholdAndNeverWhenTheShareIsUnknown) {
  EXPECT_FALSE(host_was_busy(0.05, 0.05)) << "at the threshold: not above it";
  EXPECT_TRUE(host_was_busy(0.0501, 0.05));
  EXPECT_TRUE(host_was_busy(1, 0.05));
  EXPECT_FALSE(host_was_busy(0, 0.05));
  EXPECT_FALSE(host_was_busy(0.9, 0)) << "max_busy_share 0: no busy rule";
  EXPECT_FALSE(host_was_busy(-1, 0.05)) << "unknown share";
  EXPECT_FALSE(host_was_busy(-1, 0));
  EXPECT_TRUE(host_was_busy(0.6, 0.5));
  EXPECT_FALSE(host_was_busy(0.5, 0.5));
}

TEST(Verdict, EveryReasonAtOnceInTheDocumentedOrder) {
  VerdictInputs in;
  in.count = 5;
  in.wall_seconds = 0.1;
  in.min_count = 10;
  in.min_seconds = 1;
  in.reported_percentile = 99;
  in.reported_latency_s = 0.5;
  in.latency_bound_s = 0.1;
  in.cv = 1;
  in.max_cv = 0.2;
  in.stop_reason = StopReason::kCapped;
  in.host_busy = true;
  const Verdict verdict = judge(in);
  EXPECT_FALSE(verdict.valid);
  const std::vector<std::string> expected = {"too_few_requests",   "min_count_not_met", "min_time_not_met", "capped",
                                             "cv_above_threshold", "latency_bound_broken", "host_busy"};
  EXPECT_EQ(verdict.reasons, expected);
}

}  // namespace
}  // namespace dli
