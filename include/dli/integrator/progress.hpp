#pragma once
// What a person sees while a sweep runs: a live per-host board on a terminal, plain log lines otherwise.
#include <ostream>
#include <string>
#include <vector>

#include "dli/protocol/protocol.hpp"

namespace dli {

// One line per host: "local  running  12/40  mobilenet_v2/opencv-dnn/b1/sync/t2  eta 1m20s".
std::string format_host_line(const HostStatus& status, std::size_t name_width);
std::string format_duration(double seconds);  // "45s", "3m05s", "1h02m"

class ProgressView {
 public:
  ProgressView(std::ostream& out, bool interactive) : out_(out), interactive_(interactive) {}
  // Redraws the board (interactive) or prints lines for hosts whose state or count changed.
  void update(const std::vector<HostStatus>& hosts, double elapsed_seconds);
  void finish(const std::vector<HostStatus>& hosts, double elapsed_seconds);

 private:
  std::ostream& out_;
  bool interactive_;
  int lines_drawn_ = 0;
  std::vector<std::string> last_lines_;
};

}  // namespace dli
