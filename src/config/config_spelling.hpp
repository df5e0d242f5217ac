#pragma once
// Private to the config loaders: "did you mean ...?" for misspelt keys, names and values.
#include <optional>
#include <string>
#include <vector>

namespace dli::config_yaml {

// The candidate closest to `word` by edit distance, when it is close enough to be a likely typo.
std::optional<std::string> closest_match(const std::string& word, const std::vector<std::string>& candidates);
std::string join(const std::vector<std::string>& words);  // "a, b, c"
// "(did you mean 'x'? known keys: a, b)" or "(known keys: a, b)"; `kind_of_names` e.g. "known keys".
std::string suggestion_note(const std::string& word, const std::vector<std::string>& candidates,
                            const std::string& kind_of_names);

}  // namespace dli::config_yaml
