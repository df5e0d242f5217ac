#include "protocol_fields.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "dli/protocol/protocol.hpp"

namespace dli::protocol_detail {

namespace {

// JSON's names for the kinds a reader may find, in the words a person expects.
template <typename Json>
std::string kind_of(const Json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "boolean";
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  if (value.is_string()) return "string";
  if (value.is_array()) return "array";
  return "object";
}

}  // namespace

template <typename Json>
BasicFieldReader<Json>::BasicFieldReader(std::string document, const Json& object, std::string prefix)
    : document_(std::move(document)), json_(object), prefix_(std::move(prefix)) {}

template <typename Json>
bool BasicFieldReader<Json>::has(const std::string& name) const { return json_.contains(name); }

template <typename Json>
bool BasicFieldReader<Json>::is_null(const std::string& name) const { return at(name).is_null(); }

template <typename Json>
const Json& BasicFieldReader<Json>::at(const std::string& name) const {
  const auto found = json_.find(name);
  if (found == json_.end()) throw std::runtime_error(fmt::format("{}: missing field '{}'", document_, path(name)));
  return *found;
}

template <typename Json>
void BasicFieldReader<Json>::fail(const std::string& name, const std::string& expected) const {
  const auto found = json_.find(name);
  const std::string got = found == json_.end() ? "nothing" : kind_of(*found);
  throw std::runtime_error(fmt::format("{}: field '{}' expected {}, got {}", document_, path(name), expected, got));
}

template <typename Json>
std::string BasicFieldReader<Json>::string(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_string()) fail(name, "string");
  return value.template get<std::string>();
}

template <typename Json>
std::int64_t BasicFieldReader<Json>::int64(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_number_integer()) fail(name, "integer");
  if (value.is_number_unsigned() &&
      value.template get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    fail(name, "integer within 64-bit range");
  }
  return value.template get<std::int64_t>();
}

template <typename Json>
int BasicFieldReader<Json>::integer(const std::string& name) const {
  const std::int64_t value = int64(name);
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    throw std::runtime_error(fmt::format("{}: field '{}' expected integer within 32-bit range, got {}", document_,
                                         path(name), value));
  }
  return static_cast<int>(value);
}

template <typename Json>
double BasicFieldReader<Json>::number(const std::string& name) const {
  const auto& value = at(name);
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!value.is_number()) fail(name, "number");
  return value.template get<double>();
}

template <typename Json>
double BasicFieldReader<Json>::seconds(const std::string& name, double max) const {
  const double value = number(name);
  if (!(value >= 0 && value <= max)) fail(name, fmt::format("seconds from 0 to {}", max));
  return value;
}

template <typename Json>
BasicFieldReader<Json> BasicFieldReader<Json>::object(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_object()) fail(name, "object");
  return BasicFieldReader(document_, value, path(name) + ".");
}

template <typename Json>
std::vector<BasicFieldReader<Json>> BasicFieldReader<Json>::objects(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_array()) fail(name, "array");
  std::vector<BasicFieldReader> elements;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string element = fmt::format("{}[{}]", path(name), i);
    if (!value[i].is_object()) {
      throw std::runtime_error(
          fmt::format("{}: field '{}' expected object, got {}", document_, element, kind_of(value[i])));
    }
    elements.emplace_back(document_, value[i], element + ".");
  }
  return elements;
}

template <typename Json>
std::vector<std::int64_t> BasicFieldReader<Json>::int64s(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_array()) fail(name, "array");
  std::vector<std::int64_t> numbers;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_number_integer() || (value[i].is_number_unsigned() && value[i].template get<std::uint64_t>() >
                                          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
      throw std::runtime_error(
          fmt::format("{}: field '{}[{}]' expected integer, got {}", document_, path(name), i, kind_of(value[i])));
    }
    numbers.push_back(value[i].template get<std::int64_t>());
  }
  return numbers;
}

template <typename Json>
std::vector<double> BasicFieldReader<Json>::numbers(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_array()) fail(name, "array");
  std::vector<double> numbers;
  numbers.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_number()) {
      throw std::runtime_error(
          fmt::format("{}: field '{}[{}]' expected number, got {}", document_, path(name), i, kind_of(value[i])));
    }
    numbers.push_back(value[i].template get<double>());
  }
  return numbers;
}

template <typename Json>
std::vector<std::string> BasicFieldReader<Json>::strings(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_array()) fail(name, "array");
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) {
      throw std::runtime_error(
          fmt::format("{}: field '{}[{}]' expected string, got {}", document_, path(name), i, kind_of(value[i])));
    }
    texts.push_back(value[i].template get<std::string>());
  }
  return texts;
}

template <typename Json>
std::vector<std::int64_t> BasicFieldReader<Json>::int64_pairs(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_array()) fail(name, "array of [integer, integer]");
  std::vector<std::int64_t> flat;
  flat.reserve(value.size() * 2);
  for (const auto& pair : value) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_integer() || !pair[1].is_number_integer()) {
      fail(name, "array of [integer, integer]");
    }
    flat.push_back(pair[0].template get<std::int64_t>());
    flat.push_back(pair[1].template get<std::int64_t>());
  }
  return flat;
}

template <typename Json>
bool BasicFieldReader<Json>::boolean(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_boolean()) fail(name, "boolean");
  return value.template get<bool>();
}

template <typename Json>
std::map<std::string, std::string> BasicFieldReader<Json>::string_map(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_object()) fail(name, "object");
  std::map<std::string, std::string> entries;
  for (const auto& [key, entry] : value.items()) {
    if (!entry.is_string()) {
      throw std::runtime_error(
          fmt::format("{}: field '{}.{}' expected string, got {}", document_, path(name), key, kind_of(entry)));
    }
    entries.emplace(key, entry.template get<std::string>());
  }
  return entries;
}

template <typename Json>
BasicFieldReader<Json> open_document(const std::string& document, const Json& json) {
  if (!json.is_object()) {
    throw std::runtime_error(fmt::format("{}: expected a JSON object, got {}", document, kind_of(json)));
  }
  BasicFieldReader<Json> fields(document, json);
  const int version = fields.integer("protocol");
  if (version != kProtocolVersion) {
    throw std::runtime_error(fmt::format("{}: protocol version {} is not supported (this build reads version {})",
                                         document, version, kProtocolVersion));
  }
  return fields;
}

template class BasicFieldReader<nlohmann::json>;
template class BasicFieldReader<FastJson>;
template FieldReader open_document(const std::string&, const nlohmann::json&);
template FastFieldReader open_document(const std::string&, const FastJson&);

nlohmann::json finite_or_null(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

std::string valid_utf8(const std::string& text) {
  // Well-formed sequences per RFC 3629 (no overlongs, no surrogates, nothing above U+10FFFF).
  auto byte = [&text](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  auto in = [](unsigned char value, unsigned char low, unsigned char high) { return value >= low && value <= high; };
  std::string clean;
  clean.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    unsigned char second_low = 0x80, second_high = 0xBF;
    if (lead < 0x80) {
      length = 1;
    } else if (in(lead, 0xC2, 0xDF)) {
      length = 2;
    } else if (in(lead, 0xE0, 0xEF)) {
      length = 3;
      if (lead == 0xE0) second_low = 0xA0;
      if (lead == 0xED) second_high = 0x9F;
    } else if (in(lead, 0xF0, 0xF4)) {
      length = 4;
      if (lead == 0xF0) second_low = 0x90;
      if (lead == 0xF4) second_high = 0x8F;
    }
    bool ok = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; ok && k < length; ++k) {
      ok = k == 1 ? in(byte(i + k), second_low, second_high) : in(byte(i + k), 0x80, 0xBF);
    }
    if (ok) {
      clean.append(text, i, length);
      i += length;
    } else {
      clean += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return clean;
}

}  // namespace dli::protocol_detail
