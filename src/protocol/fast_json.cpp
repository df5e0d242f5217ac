#include "fast_json.hpp"

#include <charconv>
#include <cstdint>

namespace dli::protocol_detail {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of \uXXXX at text[at] (at: the 'u'); -1 when its four hex digits are not there.
long code_unit(std::string_view text, std::size_t at) {
  if (at + 4 >= text.size()) return -1;
  long unit = 0;
  for (std::size_t i = at + 1; i <= at + 4; ++i) {
    const int digit = hex_digit(text[i]);
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Text the parser validated (escapes well formed, surrogates paired), decoded as nlohmann decodes it.
std::string decode_escapes(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  std::size_t plain = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') continue;
    out.append(raw.substr(plain, i - plain));
    const char escape = raw[++i];
    switch (escape) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        auto code_point = static_cast<std::uint32_t>(code_unit(raw, i));
        i += 4;
        if (code_point >= 0xD800 && code_point <= 0xDBFF) {  // a high surrogate: its low one follows
          const auto low = static_cast<std::uint32_t>(code_unit(raw, i + 2));
          i += 6;
          code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, code_point);
        break;
      }
      default: out += escape;  // " \ /
    }
    plain = i + 1;
  }
  out.append(raw.substr(plain));
  return out;
}

// The length of the well-formed UTF-8 sequence at text[at] (RFC 3629's table, as nlohmann checks it); 0 if none.
std::size_t utf8_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
  const auto in = [](unsigned value, unsigned low, unsigned high) { return value >= low && value <= high; };
  const unsigned first = byte(at), second = byte(at + 1);
  if (in(first, 0xC2, 0xDF)) return in(second, 0x80, 0xBF) ? 2 : 0;
  if (in(first, 0xE0, 0xEF)) {
    const bool second_ok = first == 0xE0   ? in(second, 0xA0, 0xBF)
                           : first == 0xED ? in(second, 0x80, 0x9F)
                                           : in(second, 0x80, 0xBF);
    return second_ok && in(byte(at + 2), 0x80, 0xBF) ? 3 : 0;
  }
  if (in(first, 0xF0, 0xF4)) {
    const bool second_ok = first == 0xF0   ? in(second, 0x90, 0xBF)
                           : first == 0xF4 ? in(second, 0x80, 0x8F)
                                           : in(second, 0x80, 0xBF);
    return second_ok && in(byte(at + 2), 0x80, 0xBF) && in(byte(at + 3), 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

}  // namespace

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
  return escaped_ ? decode_escapes(text_) : std::string(text_);
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

  // Up to the closing quote: printable ASCII, and for a value (`escaped` given) JSON's escapes and well-formed
  // UTF-8 too; control bytes, DEL, lone surrogates and anything malformed are left to nlohmann.
  bool string(std::string_view& out, bool* escaped = nullptr) {
    ++at_;  // the opening quote
    const std::size_t start = at_;
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == '"') {
        out = text_.substr(start, at_ - start);
        ++at_;
        return true;
      }
      if (c >= 0x20 && c <= 0x7E && c != '\\') {
        ++at_;
        continue;
      }
      if (escaped == nullptr) return false;
      if (c == '\\') {
        if (!escape()) return false;
        *escaped = true;
        continue;
      }
      const std::size_t length = utf8_length(text_, at_);
      if (length == 0) return false;
      at_ += length;
    }
    return false;
  }

  // One escape at at_ (the backslash), stepped over; false when nlohmann would not read it as we decode it.
  bool escape() {
    if (at_ + 1 >= text_.size()) return false;
    const char kind = text_[at_ + 1];
    if (kind != 'u') {
      at_ += 2;
      return kind == '"' || kind == '\\' || kind == '/' || kind == 'b' || kind == 'f' || kind == 'n' || kind == 'r' ||
             kind == 't';
    }
    const long unit = code_unit(text_, at_ + 1);
    if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF)) return false;  // a low surrogate alone
    at_ += 6;
    if (unit < 0xD800 || unit > 0xDBFF) return true;
    // A high surrogate must be followed by its low one.
    if (at_ + 1 >= text_.size() || text_[at_] != '\\' || text_[at_ + 1] != 'u') return false;
    const long low = code_unit(text_, at_ + 1);
    if (low < 0xDC00 || low > 0xDFFF) return false;
    at_ += 6;
    return true;
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
        return string(node.text_, &node.escaped_);
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
    bool sorted = true;  // the object's keys so far, each above the one before
    skip_space();
    if (at_ < text_.size() && text_[at_] == close) {
      ++at_;
    } else {
      for (;;) {
        FastJson element;
        if (object) {
          skip_space();
          if (at_ >= text_.size() || text_[at_] != '"' || !string(element.key_)) return false;
          // A duplicate key is left to nlohmann (it keeps the last). dli writes keys sorted: while each key is
          // above the one before, none can repeat, so only an unsorted object pays for the search.
          if (stack_.size() > mark && !(sorted && element.key_ > stack_.back().key_)) {
            sorted = false;
            for (std::size_t i = mark; i < stack_.size(); ++i) {
              if (stack_[i].key_ == element.key_) return false;
            }
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
