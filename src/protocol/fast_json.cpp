#include "fast_json.hpp"

#include <charconv>

namespace dli::protocol_detail {

const FastJson* FastJson::find(std::string_view key) const {
  for (const FastJson* member = begin(); member != end(); ++member) {
    if (member->key_ == key) return member;
  }
  return end();
}

std::vector<FastJson::Item> FastJson::items() const {
  std::vector<Item> members;
  members.reserve(count_);
  for (const FastJson& member : *this) members.push_back({member.key_, member});
  return members;
}

template <>
std::string FastJson::get<std::string>() const {
  return std::string(text_);
}
template <>
std::int64_t FastJson::get<std::int64_t>() const {
  return kind_ == Kind::kUnsigned ? static_cast<std::int64_t>(unsigned_)
         : kind_ == Kind::kFloat  ? static_cast<std::int64_t>(float_)
                                  : integer_;
}
template <>
std::uint64_t FastJson::get<std::uint64_t>() const {
  return kind_ == Kind::kUnsigned ? unsigned_
         : kind_ == Kind::kFloat  ? static_cast<std::uint64_t>(float_)
                                  : static_cast<std::uint64_t>(integer_);
}
template <>
double FastJson::get<double>() const {
  return kind_ == Kind::kFloat      ? float_
         : kind_ == Kind::kUnsigned ? static_cast<double>(unsigned_)
                                    : static_cast<double>(integer_);
}
template <>
bool FastJson::get<bool>() const {
  return boolean_;
}

// Recursive descent; a container's elements gather on a stack and move into `nodes` together when it closes, so
// that every array's and object's elements lie side by side.
class FastJsonParser {
 public:
  FastJsonParser(std::string_view text, std::vector<FastJson>& nodes, std::vector<FastJson>& stack)
      : text_(text), nodes_(nodes), stack_(stack) {}

  bool parse() {
    FastJson root;
    if (!value(root, 0)) return false;
    skip_space();
    if (at_ != text_.size()) return false;
    nodes_.push_back(root);
    for (FastJson& node : nodes_) node.children_ = nodes_.data() + node.first_;
    return true;
  }

 private:
  static constexpr int kMaxDepth = 512;

  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t')) {
      ++at_;
    }
  }

  bool literal(std::string_view word) {
    if (text_.compare(at_, word.size(), word) != 0) return false;
    at_ += word.size();
    return true;
  }

  // Plain printable ASCII up to the closing quote; escapes, control and non-ASCII bytes are left to nlohmann.
  bool string(std::string_view& out) {
    ++at_;  // the opening quote
    const std::size_t start = at_;
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == '"') {
        out = text_.substr(start, at_ - start);
        ++at_;
        return true;
      }
      if (c < 0x20 || c > 0x7E || c == '\\') return false;
      ++at_;
    }
    return false;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  // JSON's grammar exactly: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(FastJson& node) {
    const std::size_t start = at_;
    const auto digits = [this] {
      const std::size_t from = at_;
      while (at_ < text_.size() && digit(text_[at_])) ++at_;
      return at_ > from;
    };
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    if (at_ < text_.size() && text_[at_] == '0') {
      ++at_;
    } else if (!digits()) {
      return false;
    }
    bool integral = true;
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (!digits()) return false;
      integral = false;
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (!digits()) return false;
      integral = false;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + at_;
    std::from_chars_result read{};
    if (integral && *first == '-') {
      node.kind_ = FastJson::Kind::kInteger;
      read = std::from_chars(first, last, node.integer_);
    } else if (integral) {
      node.kind_ = FastJson::Kind::kUnsigned;
      read = std::from_chars(first, last, node.unsigned_);
    } else {
      node.kind_ = FastJson::Kind::kFloat;
      read = std::from_chars(first, last, node.float_);  // correctly rounded, as nlohmann's strtod
    }
    // Out of range (nlohmann then makes an integer a float, or refuses): left to nlohmann.
    return read.ec == std::errc() && read.ptr == last;
  }

  bool value(FastJson& node, int depth) {
    skip_space();
    if (at_ >= text_.size() || depth > kMaxDepth) return false;
    switch (text_[at_]) {
      case '{': return container(node, depth, true);
      case '[': return container(node, depth, false);
      case '"':
        node.kind_ = FastJson::Kind::kString;
        return string(node.text_);
      case 't':
        node.kind_ = FastJson::Kind::kBoolean;
        node.boolean_ = true;
        return literal("true");
      case 'f':
        node.kind_ = FastJson::Kind::kBoolean;
        node.boolean_ = false;
        return literal("false");
      case 'n':
        node.kind_ = FastJson::Kind::kNull;
        return literal("null");
      default: return number(node);
    }
  }

  bool container(FastJson& node, int depth, bool object) {
    node.kind_ = object ? FastJson::Kind::kObject : FastJson::Kind::kArray;
    const char close = object ? '}' : ']';
    ++at_;
    const std::size_t mark = stack_.size();
    skip_space();
    if (at_ < text_.size() && text_[at_] == close) {
      ++at_;
    } else {
      for (;;) {
        FastJson element;
        if (object) {
          skip_space();
          if (at_ >= text_.size() || text_[at_] != '"' || !string(element.key_)) return false;
          for (std::size_t i = mark; i < stack_.size(); ++i) {
            if (stack_[i].key_ == element.key_) return false;  // nlohmann keeps the last; left to it
          }
          skip_space();
          if (at_ >= text_.size() || text_[at_] != ':') return false;
          ++at_;
        }
        if (!value(element, depth + 1)) return false;
        stack_.push_back(element);
        skip_space();
        if (at_ >= text_.size()) return false;
        if (text_[at_] == ',') {
          ++at_;
          continue;
        }
        if (text_[at_] != close) return false;
        ++at_;
        break;
      }
    }
    node.first_ = static_cast<std::uint32_t>(nodes_.size());
    node.count_ = static_cast<std::uint32_t>(stack_.size() - mark);
    nodes_.insert(nodes_.end(), stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return true;
  }

  std::string_view text_;
  std::size_t at_ = 0;
  std::vector<FastJson>& nodes_;
  std::vector<FastJson>& stack_;
};

bool parse_fast_json(std::string_view text, FastJsonDocument& document) {
  document.nodes.clear();
  document.stack.clear();
  document.nodes.reserve(text.size() / 16 + 16);  // dli's pretty-printed documents: a node per 20-30 bytes or more
  return FastJsonParser(text, document.nodes, document.stack).parse();
}

}  // namespace dli::protocol_detail
