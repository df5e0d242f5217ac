#pragma once
// A quick reader of the JSON documents dli writes itself, for collecting large runs (docs/benchmarks.md,
// "Collect"): one pass over the text into a flat array of nodes viewing it, no allocation per value. nlohmann's
// DOM costs several times more than a run's results are worth reading.
//
// It only vouches for what it reads exactly as nlohmann::json::parse would: strings of printable ASCII and
// well-formed UTF-8 with JSON's escapes (keys: plain ASCII only), numbers by JSON's grammar, no duplicate keys. Anything else (and any malformed text) makes parse_fast_json
// return false, and the caller reads the text with nlohmann as before, errors and all. Its nodes offer the part of
// nlohmann::json's interface BasicFieldReader uses (protocol_fields.hpp), with the same meanings: integers without
// a sign are unsigned, get<double>() of an integer converts it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dli::protocol_detail {

class FastJson {
 public:
  enum class Kind : std::uint8_t { kNull, kBoolean, kInteger, kUnsigned, kFloat, kString, kArray, kObject };

  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_boolean() const { return kind_ == Kind::kBoolean; }
  bool is_number_integer() const { return kind_ == Kind::kInteger || kind_ == Kind::kUnsigned; }
  bool is_number_unsigned() const { return kind_ == Kind::kUnsigned; }
  bool is_number() const { return is_number_integer() || kind_ == Kind::kFloat; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }

  // Arrays and objects: their elements (an object's members, each with its key), in the text's order.
  std::size_t size() const { return count_; }
  const FastJson* begin() const { return children_; }
  const FastJson* end() const { return children_ + count_; }
  const FastJson& operator[](std::size_t index) const { return children_[index]; }
  // An object's member by key; end() when absent.
  const FastJson* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != end(); }
  std::string_view key() const { return key_; }

  struct Item {
    std::string_view key;
    const FastJson& value;
  };
  std::vector<Item> items() const;

  template <typename T>
  T get() const;

 private:
  friend class FastJsonParser;
  Kind kind_ = Kind::kNull;
  bool escaped_ = false;  // a string whose text_ holds escapes, decoded by get<std::string>()
  std::uint32_t count_ = 0;
  std::uint32_t first_ = 0;  // while parsing: the index of the first child in the document's nodes
  const FastJson* children_ = nullptr;
  std::string_view key_;   // a member's key
  std::string_view text_;  // a string's content as written (escapes decoded on reading)
  union {
    std::int64_t integer_ = 0;
    std::uint64_t unsigned_;
    double float_;
    bool boolean_;
  };
};

template <>
std::string FastJson::get<std::string>() const;
template <>
std::int64_t FastJson::get<std::int64_t>() const;
template <>
std::uint64_t FastJson::get<std::uint64_t>() const;
template <>
double FastJson::get<double>() const;
template <>
bool FastJson::get<bool>() const;

// A parsed document: its nodes view `text`, which must outlive it.
struct FastJsonDocument {
  std::vector<FastJson> nodes;  // the root last
  std::vector<FastJson> stack;  // the parser's, kept with the document so that its memory serves the next parse
  const FastJson& root() const { return nodes.back(); }
};

// False when the text is not JSON this reader vouches for (see above); `document` is then unspecified.
bool parse_fast_json(std::string_view text, FastJsonDocument& document);

}  // namespace dli::protocol_detail
