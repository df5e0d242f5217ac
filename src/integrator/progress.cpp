#include "dli/integrator/progress.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace dli {

std::string format_duration(double seconds) {
  if (seconds < 0) return "?";
  const long total = std::lround(seconds);
  if (total < 60) return fmt::format("{}s", total);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
}

std::string format_host_line(const HostStatus& status, std::size_t name_width) {
  std::string line = fmt::format("{:<{}}  {:<11}  {:>4}/{:<4}", status.host, name_width, to_string(status.state),
                                 status.done, status.total);
  if (status.failed > 0) line += fmt::format("  {} failed", status.failed);
  if (status.state == HostState::kRunning) {
    if (!status.current_label.empty()) line += "  " + status.current_label;
    if (status.eta_seconds >= 0) line += "  eta " + format_duration(status.eta_seconds);
  }
  if (!status.reason.empty()) line += "  (" + status.reason + ")";
  return line;
}

namespace {

std::size_t name_width(const std::vector<HostStatus>& hosts) {
  std::size_t width = 4;
  for (const auto& host : hosts) width = std::max(width, host.host.size());
  return width;
}

}  // namespace

void ProgressView::update(const std::vector<HostStatus>& hosts, double elapsed_seconds) {
  const std::size_t width = name_width(hosts);
  std::vector<std::string> lines;
  int done = 0, total = 0;
  for (const auto& host : hosts) {
    lines.push_back(format_host_line(host, width));
    done += host.done;
    total += host.total;
  }
  if (interactive_) {
    // Move back over the previous board and redraw it in place.
    if (lines_drawn_ > 0) out_ << fmt::format("\x1b[{}A", lines_drawn_);
    out_ << fmt::format("\x1b[2K{}/{} tests  elapsed {}\n", done, total, format_duration(elapsed_seconds));
    for (const auto& line : lines) out_ << "\x1b[2K" << line << '\n';
    lines_drawn_ = static_cast<int>(lines.size()) + 1;
    out_.flush();
  } else {
    // A log line only when a host moves on (state, count or test), not at every ETA refresh.
    last_lines_.resize(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto& host = hosts[i];
      const std::string key = fmt::format("{}|{}|{}|{}", to_string(host.state), host.done, host.current_test,
                                          host.reason);
      if (key != last_lines_[i]) {
        out_ << fmt::format("[{}] {}\n", format_duration(elapsed_seconds), lines[i]);
        last_lines_[i] = key;
      }
    }
    out_.flush();
  }
}

void ProgressView::finish(const std::vector<HostStatus>& hosts, double elapsed_seconds) {
  update(hosts, elapsed_seconds);
}

}  // namespace dli
