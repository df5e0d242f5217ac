// How the requests in flight share a test's threads (thread_share.hpp), and what each framework's catalogue entry
// refuses at plan time (runner_catalogue.hpp), in the exact words a reader sees.
#include "dli/protocol/thread_share.hpp"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "dli/protocol/runner_catalogue.hpp"

namespace dli {
namespace {

TEST(ThreadShare, OnlyStreamModesHaveSeveralRequestsInFlight) {
  EXPECT_EQ(requests_in_flight(Mode::kSync, 4), 1);
  EXPECT_EQ(requests_in_flight(Mode::kSingleStream, 4), 1);
  EXPECT_EQ(requests_in_flight(Mode::kMultiStream, 4), 1);
  EXPECT_EQ(requests_in_flight(Mode::kAsync, 4), 4);
  EXPECT_EQ(requests_in_flight(Mode::kOffline, 4), 4);
  EXPECT_EQ(requests_in_flight(Mode::kServer, 4), 4);
}

TEST(ThreadShare, DividesTheTotalAmongTheRequestsInFlight) {
  EXPECT_EQ(thread_share(16, 2), 8);
  EXPECT_EQ(thread_share(4, 2), 2);
  EXPECT_EQ(thread_share(2, 2), 1);
  EXPECT_EQ(thread_share(6, 1), 6);
  EXPECT_EQ(why_share_impossible(16, 4), std::nullopt);
}

TEST(ThreadShare, RefusesARemainderAndFewerThreadsThanRequests) {
  EXPECT_EQ(why_share_impossible(3, 2),
            "threads 3 do not divide among 2 requests in flight (each request gets threads / requests; choose "
            "threads a multiple of requests)");
  EXPECT_EQ(why_share_impossible(1, 2),
            "threads 1 do not divide among 2 requests in flight (each request gets threads / requests; choose "
            "threads a multiple of requests)");
  EXPECT_EQ(why_share_impossible(0, 1), "threads and requests must be at least 1");
  EXPECT_THROW(thread_share(5, 4), std::invalid_argument);
}

TEST(ThreadShare, OfATestSpec) {
  TestSpec spec;
  spec.threads = 4;
  spec.requests = 2;
  spec.mode = Mode::kAsync;
  EXPECT_EQ(thread_share(spec), 2);
  spec.mode = Mode::kSync;  // `requests` means nothing in sync: the one request has every thread
  EXPECT_EQ(thread_share(spec), 4);
}

std::optional<std::string> refusal(const std::string& framework, Mode mode, int threads, int requests) {
  return why_threads_unsupported(*find_runner_entry(framework), mode, threads, requests);
}

TEST(ThreadShareCatalogue, FrameworksWithTheirOwnPoolPerRequestHonourAnyDivision) {
  for (const char* framework : {"null", "onnxruntime"}) {
    EXPECT_EQ(refusal(framework, Mode::kAsync, 16, 2), std::nullopt) << framework;
    EXPECT_EQ(refusal(framework, Mode::kAsync, 4, 4), std::nullopt) << framework;
  }
  EXPECT_EQ(refusal("null", Mode::kOffline, 8, 2), std::nullopt);
  EXPECT_EQ(refusal("null", Mode::kAsync, 3, 2),
            "null: threads 3 do not divide among 2 requests in flight (each request gets threads / requests; "
            "choose threads a multiple of requests)");
}

TEST(ThreadShareCatalogue, AProcessWidePoolGivesEachRequestInFlightOneThread) {
  EXPECT_EQ(refusal("opencv-dnn", Mode::kAsync, 2, 2), std::nullopt);
  EXPECT_EQ(refusal("opencv-dnn", Mode::kSync, 16, 2), std::nullopt) << "one request in flight has the whole pool";
  EXPECT_EQ(refusal("opencv-dnn", Mode::kAsync, 8, 1), std::nullopt) << "one request in flight has the whole pool";
  EXPECT_EQ(refusal("opencv-dnn", Mode::kAsync, 16, 2),
            "opencv-dnn cannot give each of 2 requests in flight 8 threads: OpenCV's thread pool is one per process "
            "(TBB in Debian 12's OpenCV 4.6), shared by the parallel regions of every request, so a request in "
            "flight cannot have threads of its own; with requests in flight it runs 1 thread(s) per request "
            "(threads = 1 x requests)");
  EXPECT_EQ(refusal("libtorch", Mode::kServer, 4, 2),
            "libtorch cannot give each of 2 requests in flight 2 threads: torch's intra-op thread count "
            "(at::set_num_threads) is process-wide, not a per-request setting; with requests in flight it runs 1 "
            "thread(s) per request (threads = 1 x requests)");
  EXPECT_EQ(refusal("pytorch", Mode::kAsync, 4, 4), std::nullopt);
  EXPECT_NE(refusal("pytorch", Mode::kAsync, 4, 2), std::nullopt);
}

}  // namespace
}  // namespace dli
