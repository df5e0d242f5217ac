#include "dli/integrator/progress.hpp"

#include <sstream>

#include <gtest/gtest.h>

namespace dli {
namespace {

HostStatus running_host() {
  HostStatus status;
  status.host = "node-a";
  status.state = HostState::kRunning;
  status.done = 3;
  status.total = 10;
  status.current_label = "mobilenet_v2/opencv-dnn/b1/sync/t2";
  status.eta_seconds = 125;
  return status;
}

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(59.4), "59s");
  EXPECT_EQ(format_duration(60), "1m00s");
  EXPECT_EQ(format_duration(185), "3m05s");
  EXPECT_EQ(format_duration(3725), "1h02m");
  EXPECT_EQ(format_duration(-1), "?");
}

TEST(Progress, HostLineShowsCountsCurrentTestAndEta) {
  EXPECT_EQ(format_host_line(running_host(), 6),
            "node-a  running         3/10    mobilenet_v2/opencv-dnn/b1/sync/t2  eta 2m05s");
}

TEST(Progress, HostLineShowsFailuresAndReason) {
  HostStatus status = running_host();
  status.state = HostState::kUnreachable;
  status.done = 0;
  status.failed = 0;
  status.reason = "connection refused";
  EXPECT_EQ(format_host_line(status, 6), "node-a  unreachable     0/10    (connection refused)");
  status = running_host();
  status.failed = 2;
  status.state = HostState::kDone;
  EXPECT_EQ(format_host_line(status, 6), "node-a  done            3/10    2 failed");
}

TEST(Progress, PlainModePrintsOnlyWhenAHostMovesOn) {
  std::ostringstream out;
  ProgressView view(out, /*interactive=*/false);
  HostStatus status = running_host();
  view.update({status}, 1);
  status.eta_seconds = 100;  // an ETA refresh alone is not news
  view.update({status}, 2);
  status.done = 4;
  view.update({status}, 3);
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  EXPECT_NE(text.find("[3s] node-a  running         4/10"), std::string::npos) << text;
}

TEST(Progress, InteractiveModeRedrawsInPlace) {
  std::ostringstream out;
  ProgressView view(out, /*interactive=*/true);
  view.update({running_host()}, 1);
  view.update({running_host()}, 2);
  const std::string text = out.str();
  EXPECT_NE(text.find("\x1b[2A"), std::string::npos) << "second frame moves the cursor up over the first";
  EXPECT_NE(text.find("3/10 tests  elapsed 2s"), std::string::npos);
}

}  // namespace
}  // namespace dli
