#include "report_streams.hpp"

#include "dli/measure/stream_stats.hpp"
#include "report_format.hpp"

namespace dli::report {
namespace {

constexpr double kMs = 1000.0;

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

std::vector<std::string> thread_words(const Measurement& m) {
  std::vector<std::string> words;
  for (const int threads : m.stream_threads) words.push_back(threads > 0 ? std::to_string(threads) : "?");
  return words;
}

std::vector<std::string> median_words(const Measurement& m) {
  std::vector<std::string> words;
  if (m.streams.size() < 2) return words;
  for (const auto& stream : m.streams) words.push_back(stream.count > 0 ? fixed(stream.median_s * kMs, 3) : "-");
  return words;
}

}  // namespace

std::string stream_threads_text(const Measurement& m) { return joined(thread_words(m), ";"); }

std::string stream_medians_text(const Measurement& m) { return joined(median_words(m), ";"); }

std::string stream_imbalance_text(const Measurement& m) {
  if (m.streams.size() < 2) return "";
  return fixed(100 * stream_imbalance(m.streams), 1);
}

std::string streams_tooltip(const Measurement& m) {
  std::string text;
  if (m.streams.size() >= 2) {
    text += "\nstreams: threads " + joined(thread_words(m), ", ") + "; medians " + joined(median_words(m), ", ") +
            " ms (imbalance " + stream_imbalance_text(m) + " %)";
  }
  for (const auto& note : m.verdict.notes) text += "\nnote: " + note;
  return text;
}

}  // namespace dli::report
