#include "config_spelling.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>

namespace dli::config_yaml {
namespace {

// Beyond these, looking for a likely typo costs more than it helps: no misspelling of a known word is that long, and
// a list that long (the hosts of a big fleet) is better searched by the user than shown.
constexpr std::size_t kMaxWordToCorrect = 64;
constexpr std::size_t kMaxCandidatesToCompare = 200;
constexpr std::size_t kMaxCandidatesListed = 20;

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("sycn" is one edit from "sync").
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  if (word.size() > kMaxWordToCorrect || candidates.size() > kMaxCandidatesToCompare) return std::nullopt;
  const std::string wanted = lower(word);
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& candidate : candidates) {
    const std::string other = lower(candidate);
    std::size_t distance = edit_distance(wanted, other);
    // A bare prefix ("opencv" for "opencv-dnn") is a likely intent even when many characters are missing.
    if (wanted.size() >= 3 && other.rfind(wanted, 0) == 0) distance = std::min<std::size_t>(distance, 1);
    const std::size_t tolerated = std::max<std::size_t>(1, (wanted.size() + 1) / 3);
    if (distance > tolerated || distance >= wanted.size()) continue;
    if (!best || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

std::string suggestion_note(const std::string& word, const std::vector<std::string>& candidates,
                            const std::string& kind_of_names) {
  const auto guess = closest_match(word, candidates);
  std::string listing = kind_of_names + ": ";
  if (candidates.empty()) {
    listing += "none";
  } else if (candidates.size() <= kMaxCandidatesListed) {
    listing += join(candidates);
  } else {
    listing += join(std::vector<std::string>(candidates.begin(), candidates.begin() + kMaxCandidatesListed)) +
               ", ... (" + std::to_string(candidates.size()) + " in all)";
  }
  return "(" + (guess ? "did you mean '" + *guess + "'? " : std::string()) + listing + ")";
}

}  // namespace dli::config_yaml
