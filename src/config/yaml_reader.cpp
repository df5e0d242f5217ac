#include "yaml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "dli/config/config_limits.hpp"
#include "dli/protocol/names.hpp"
#include "yaml_limits.hpp"

namespace dli::config_yaml {
namespace {

SourceMark to_source_mark(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

// An empty value (`key:` at the end of a line) is positioned by yaml-cpp at the next token, often on another line;
// the key is where the user has to look.
SourceMark value_mark(const YAML::Node& value, SourceMark key_mark) {
  const SourceMark mark = mark_of(value);
  if (mark.line == 0) return key_mark;
  if (value.IsNull() && mark.line != key_mark.line) return key_mark;
  return mark;
}

bool is_quoted(const YAML::Node& node) { return node.Tag() == "!"; }

std::optional<long long> parse_integer(const std::string& text) {
  std::size_t start = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  if (start == text.size()) return std::nullopt;
  for (std::size_t i = start; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  errno = 0;
  const long long value = std::strtoll(text.c_str(), nullptr, 10);
  if (errno == ERANGE) return std::nullopt;
  return value;
}

// Decimal notation only: strtod alone would also take hex, "inf" and "nan".
std::optional<double> parse_number(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string::npos) return std::nullopt;
  if (text.find_first_of("0123456789") == std::string::npos) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string integer_expectation(IntRange range) {
  if (range.max == kNoMax) {
    if (range.min == 1) return "a positive integer";
    return "an integer >= " + std::to_string(range.min);
  }
  if (range.min == 1) return "a positive integer up to " + std::to_string(range.max);
  return "an integer from " + std::to_string(range.min) + " to " + std::to_string(range.max);
}

// What a scalar that must be a number turned out to be; a quoted number is a string in YAML, and says so.
std::string describe_not_number(const YAML::Node& node) {
  if (node.IsScalar() && is_quoted(node)) return "the quoted string " + describe(node) + " (write numbers without quotes)";
  return describe(node);
}

// "0.000000" -> "0", "604800.000000" -> "604800", "0.500000" -> "0.5".
std::string shown_number(double value) {
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

std::string number_expectation(const NumberRange& range) {
  const std::string note = range.max_note ? std::string(" (") + range.max_note + ")" : "";
  if (range.min_is_exclusive) return "a number > " + shown_number(range.min) + " and <= " + shown_number(range.max) + note;
  return "a number from " + shown_number(range.min) + " to " + shown_number(range.max) + note;
}

}  // namespace

void Problems::add(SourceMark at, std::string key, std::string message) {
  if (items_.size() >= config_limits::kMaxDiagnostics) {
    ++dropped_;
    return;
  }
  items_.push_back(Diagnostic{file_, at.line, at.column, std::move(key), std::move(message)});
}

bool Problems::full() const { return items_.size() >= config_limits::kMaxDiagnostics; }

void Problems::throw_if_any() const {
  if (items_.empty()) return;
  std::vector<Diagnostic> sorted = items_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  if (dropped_ > 0) {
    sorted.push_back(Diagnostic{file_, 0, 0, "",
                                fmt::format("and {} more problems (only the first {} are listed)", dropped_,
                                            config_limits::kMaxDiagnostics)});
  }
  throw ConfigError(std::move(sorted));
}

SourceMark mark_of(const YAML::Node& node) {
  if (!node.IsDefined()) return {};
  return to_source_mark(node.Mark());
}

std::string key_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string index_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::optional<Field> parse_document(const std::string& text, Problems& problems) {
  if (!check_yaml_limits(text, problems)) return std::nullopt;
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& error) {
    problems.add(to_source_mark(error.mark), "", "invalid YAML: " + error.msg);
    return std::nullopt;
  }
  if (documents.empty() || (documents.size() == 1 && documents[0].IsNull())) {
    problems.add(SourceMark{1, 1}, "", "the file is empty; expected a map of settings");
    return std::nullopt;
  }
  if (documents.size() > 1) {
    problems.add(mark_of(documents[1]), "",
                 "expected one YAML document, found " + std::to_string(documents.size()) + " (remove the '---' lines)");
    return std::nullopt;
  }
  return Field{documents[0], "", mark_of(documents[0])};
}

MapReader::MapReader(const Field& field, Problems& problems, const std::string& what)
    : field_(field), problems_(problems) {
  if (!field.node.IsMap()) {
    problems_.add(field, "expected " + what + ", got " + describe(field.node));
    return;
  }
  is_map_ = true;
  for (auto it = field.node.begin(); it != field.node.end(); ++it) {
    const YAML::Node key = it->first;
    const SourceMark key_mark = mark_of(key);
    if (!key.IsScalar()) {
      problems_.add(key_mark, field.path, "expected a plain key, got " + describe(key));
      continue;
    }
    const std::string name = key.Scalar();
    Field value{it->second, key_path(field.path, name), value_mark(it->second, key_mark)};
    const auto [earlier, added] = index_.emplace(name, entries_.size());
    if (!added) {
      problems_.add(key_mark, value.path,
                    "duplicate key '" + name + "' (first at line " +
                        std::to_string(entries_[earlier->second].key_mark.line) + ")");
      continue;
    }
    entries_.push_back(Entry{name, key_mark, std::move(value)});
  }
}

std::optional<Field> MapReader::optional(const std::string& key) const {
  const auto found = index_.find(key);
  if (found == index_.end()) return std::nullopt;
  return entries_[found->second].value;
}

std::optional<Field> MapReader::required(const std::string& key) const {
  auto value = optional(key);
  const bool already_suggested = std::find(suggested_.begin(), suggested_.end(), key) != suggested_.end();
  if (!value && is_map_ && !already_suggested) problems_.add(field_.mark, key_path(field_.path, key), "missing required key '" + key + "'");
  return value;
}

void MapReader::reject_unknown_keys(const std::vector<std::string>& known) {
  for (const auto& entry : entries_) {
    if (std::find(known.begin(), known.end(), entry.key) != known.end()) continue;
    if (problems_.full()) {
      problems_.add(entry.key_mark, entry.value.path, "");  // counted only
      continue;
    }
    if (const auto guess = closest_match(entry.key, known)) suggested_.push_back(*guess);
    problems_.add(entry.key_mark, entry.value.path,
                  "unknown key '" + entry.key + "' " + suggestion_note(entry.key, known, "known keys"));
  }
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined()) return "nothing";
  if (node.IsNull()) return "null";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  std::string text = node.Scalar();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  // Control characters as \xNN: a message is one line, and shows what cannot be seen.
  std::string shown;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    shown += byte < 0x20 || byte == 0x7f ? fmt::format("\\x{:02x}", byte) : std::string(1, c);
  }
  return "'" + shown + "'";
}

bool UniqueNames::add(const std::string& name, const Field& at, Problems& problems) {
  const auto [first, added] = seen_.emplace(name, at);
  if (added) return true;
  problems.add(at, "duplicate " + what_ + " '" + name + "' (first at " + first->second.path + ", line " +
                       std::to_string(first->second.mark.line) + ")");
  return false;
}

std::optional<std::string> read_string(const Field& field, Problems& problems) {
  if (!field.node.IsScalar()) {
    problems.add(field, "expected a string, got " + describe(field.node));
    return std::nullopt;
  }
  if (field.node.Scalar().empty()) {
    problems.add(field, "expected a non-empty string, got ''");
    return std::nullopt;
  }
  return field.node.Scalar();
}

std::optional<std::string> read_name(const Field& field, Problems& problems) {
  const std::string expected = "expected a name of " + name_rule() + ", got ";
  if (!field.node.IsScalar()) {
    problems.add(field, expected + describe(field.node));
    return std::nullopt;
  }
  const std::string& text = field.node.Scalar();
  if (const auto problem = name_problem(text)) {
    problems.add(field, expected + describe(field.node) + " (" + *problem + ")");
    return std::nullopt;
  }
  return text;
}

std::optional<long long> read_integer(const Field& field, Problems& problems, IntRange range) {
  std::optional<long long> value;
  if (field.node.IsScalar() && !is_quoted(field.node)) value = parse_integer(field.node.Scalar());
  if (!value || *value < range.min || *value > range.max) {
    problems.add(field, "expected " + integer_expectation(range) + ", got " + describe_not_number(field.node));
    return std::nullopt;
  }
  return value;
}

std::optional<double> read_number(const Field& field, Problems& problems, NumberRange range) {
  std::optional<double> value;
  if (field.node.IsScalar() && !is_quoted(field.node)) value = parse_number(field.node.Scalar());
  if (!value || *value < range.min || (range.min_is_exclusive && *value == range.min) || *value > range.max) {
    problems.add(field, "expected " + number_expectation(range) + ", got " + describe_not_number(field.node));
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> read_choice(const Field& field, Problems& problems, const std::vector<std::string>& choices) {
  const std::string expected = "expected one of " + join(choices) + ", got ";
  if (!field.node.IsScalar()) {
    problems.add(field, expected + describe(field.node));
    return std::nullopt;
  }
  const std::string& text = field.node.Scalar();
  if (std::find(choices.begin(), choices.end(), text) != choices.end()) return text;
  const auto guess = closest_match(text, choices);
  problems.add(field, expected + describe(field.node) + (guess ? " (did you mean '" + *guess + "'?)" : ""));
  return std::nullopt;
}

std::optional<std::vector<Field>> read_list(const Field& field, Problems& problems, const std::string& items) {
  if (!field.node.IsSequence()) {
    std::string message = "expected a list of " + items + ", got " + describe(field.node);
    if (field.node.IsScalar()) message += " (write [" + field.node.Scalar() + "] for a single value)";
    problems.add(field, message);
    return std::nullopt;
  }
  if (field.node.size() == 0) {
    problems.add(field, "expected a non-empty list of " + items + ", got []");
    return std::nullopt;
  }
  std::vector<Field> fields;
  for (std::size_t i = 0; i < field.node.size(); ++i) {
    const YAML::Node item = field.node[i];
    const SourceMark mark = mark_of(item);
    fields.push_back(Field{item, index_path(field.path, i), mark.line > 0 ? mark : field.mark});
  }
  return fields;
}

std::vector<long long> read_distinct_integers(const Field& field, Problems& problems, IntRange range,
                                              const std::string& items) {
  std::vector<long long> values;
  std::map<long long, std::string> first_paths;  // where each value was first seen
  const auto list = read_list(field, problems, items);
  if (!list) return values;
  for (const auto& item : *list) {
    const auto value = read_integer(item, problems, range);
    if (!value) continue;
    const auto [seen, added] = first_paths.emplace(*value, item.path);
    if (!added) {
      problems.add(item, "duplicate value " + std::to_string(*value) + " (already at " + seen->second + ")");
      continue;
    }
    values.push_back(*value);
  }
  return values;
}

std::vector<TextEntry> read_text_map(const Field& field, Problems& problems, const std::string& what) {
  std::vector<TextEntry> result;
  const MapReader map(field, problems, what);
  for (const auto& entry : map.entries()) {
    if (!entry.value.node.IsScalar()) {
      problems.add(entry.value, "expected a text or number value, got " + describe(entry.value.node));
      continue;
    }
    result.push_back(TextEntry{entry.key, Field{YAML::Node(), entry.value.path, entry.key_mark},
                               entry.value.node.Scalar(), entry.value});
  }
  return result;
}

}  // namespace dli::config_yaml
