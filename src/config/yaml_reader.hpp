#pragma once
// Private to the config loaders: reads YAML nodes into plain values and records every problem with its position and
// key path instead of stopping at the first, so one run of the loader reports them all.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config_spelling.hpp"
#include "dli/config/config.hpp"

namespace dli::config_yaml {

// A node of the document with the key path and the position used when reporting problems about it.
struct Field {
  YAML::Node node;
  std::string path;  // e.g. "models[1].input_shape[0]"; empty for the document itself
  SourceMark mark;   // the value's position, or its key's when the value is empty (`key:` alone)
};

// Problems found so far in one file. Only the first config_limits::kMaxDiagnostics are kept, so that a file with
// millions of bad values costs bounded memory; the others are counted.
class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }
  void add(SourceMark at, std::string key, std::string message);
  void add(const Field& field, std::string message) { add(field.mark, field.path, std::move(message)); }
  bool empty() const { return items_.empty(); }
  // No further problem will be listed (only counted): callers may skip composing costly messages.
  bool full() const;
  // Throws ConfigError with every problem kept, in reading order, then one "and N more problems" line when some
  // were not kept; does nothing when there is none.
  void throw_if_any() const;

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
  std::size_t dropped_ = 0;
};

SourceMark mark_of(const YAML::Node& node);  // 1-based; {0, 0} when the node has no position
std::string key_path(const std::string& parent, const std::string& key);  // ("a", "b") -> "a.b"
std::string index_path(const std::string& parent, std::size_t index);   // ("a", 1) -> "a[1]"

// Parses the whole text as one YAML document. Syntax errors, an empty file, several documents and texts beyond the
// limits (yaml_limits.hpp) are reported, and then nothing is returned.
std::optional<Field> parse_document(const std::string& text, Problems& problems);

// The entries of one map. Reports a value that is not a map (`what` says what was expected there), keys that are not
// plain scalars, and keys written twice (yaml-cpp keeps both silently).
class MapReader {
 public:
  struct Entry {
    std::string key;
    SourceMark key_mark;
    Field value;
  };

  MapReader(const Field& field, Problems& problems, const std::string& what);
  bool is_map() const { return is_map_; }
  const Field& field() const { return field_; }
  const std::vector<Entry>& entries() const { return entries_; }
  std::optional<Field> optional(const std::string& key) const;
  // Reports a missing key at the position of the map that should hold it, unless an unknown key already said
  // "did you mean '<key>'?" (call reject_unknown_keys first for that).
  std::optional<Field> required(const std::string& key) const;
  // Reports every key outside `known`, suggesting the closest known one.
  void reject_unknown_keys(const std::vector<std::string>& known);

 private:
  Field field_;
  Problems& problems_;
  bool is_map_ = false;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, std::size_t> index_;  // key -> its entry: duplicates are found in linear time
  std::vector<std::string> suggested_;  // known keys offered as corrections of unknown ones
};

// How a node reads in a message: null, a list, a map, or the scalar's text in quotes.
std::string describe(const YAML::Node& node);

// Names already used in one list (models, hosts), to report the ones written twice.
class UniqueNames {
 public:
  explicit UniqueNames(std::string what) : what_(std::move(what)) {}  // e.g. "model name"
  // False, and reported, when `name` was seen before.
  bool add(const std::string& name, const Field& at, Problems& problems);

 private:
  std::string what_;
  std::unordered_map<std::string, Field> seen_;  // name -> where it was first written
};

struct IntRange {
  long long min;
  long long max;
};
inline constexpr long long kNoMax = 0x7fffffffLL;  // values end up in int fields

// Bounds of a number; `max_note` says the maximum in words when that helps ("7 days").
struct NumberRange {
  double min;
  bool min_is_exclusive;
  double max;
  const char* max_note = nullptr;
};

// Each reader reports what it expected and returns nothing when the value does not fit.
std::optional<std::string> read_string(const Field& field, Problems& problems);  // any scalar but null
// A name that can be a store key segment: dli::name_problem (include/dli/protocol/names.hpp).
std::optional<std::string> read_name(const Field& field, Problems& problems);
std::optional<long long> read_integer(const Field& field, Problems& problems, IntRange range);
// A decimal number within `range`; .inf, .nan and numbers beyond double (1e400) are refused.
std::optional<double> read_number(const Field& field, Problems& problems, NumberRange range);
std::optional<std::string> read_choice(const Field& field, Problems& problems, const std::vector<std::string>& choices);
// A non-empty list; `items` names its content in messages ("batch sizes").
std::optional<std::vector<Field>> read_list(const Field& field, Problems& problems, const std::string& items);
// A non-empty list of distinct integers in `range`; returns the valid ones.
std::vector<long long> read_distinct_integers(const Field& field, Problems& problems, IntRange range,
                                              const std::string& items);
// A map of scalars to scalars (labels, params), values kept as text.
struct TextEntry {
  std::string key;
  Field key_field;  // the key, for messages about it (unknown parameter, ...)
  std::string value;
  Field value_field;  // the value, for messages about it (out of range, ...)
};
std::vector<TextEntry> read_text_map(const Field& field, Problems& problems, const std::string& what);

}  // namespace dli::config_yaml
