#include "protocol_fields.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "dli/protocol/protocol.hpp"

namespace dli::protocol_detail {

namespace {

// JSON's names for the kinds a reader may find, in the words a person expects.
std::string kind_of(const nlohmann::json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "boolean";
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  if (value.is_string()) return "string";
  if (value.is_array()) return "array";
  return "object";
}

}  // namespace

FieldReader::FieldReader(std::string document, const nlohmann::json& object, std::string prefix)
    : document_(std::move(document)), json_(object), prefix_(std::move(prefix)) {}

bool FieldReader::has(const std::string& name) const { return json_.contains(name); }

bool FieldReader::is_null(const std::string& name) const { return at(name).is_null(); }

const nlohmann::json& FieldReader::at(const std::string& name) const {
  const auto found = json_.find(name);
  if (found == json_.end()) throw std::runtime_error(fmt::format("{}: missing field '{}'", document_, path(name)));
  return *found;
}

void FieldReader::fail(const std::string& name, const std::string& expected) const {
  const auto found = json_.find(name);
  const std::string got = found == json_.end() ? "nothing" : kind_of(*found);
  throw std::runtime_error(fmt::format("{}: field '{}' expected {}, got {}", document_, path(name), expected, got));
}

std::string FieldReader::string(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_string()) fail(name, "string");
  return value.get<std::string>();
}

std::int64_t FieldReader::int64(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_number_integer()) fail(name, "integer");
  if (value.is_number_unsigned() &&
      value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    fail(name, "integer within 64-bit range");
  }
  return value.get<std::int64_t>();
}

int FieldReader::integer(const std::string& name) const {
  const std::int64_t value = int64(name);
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    throw std::runtime_error(fmt::format("{}: field '{}' expected integer within 32-bit range, got {}", document_,
                                         path(name), value));
  }
  return static_cast<int>(value);
}

double FieldReader::number(const std::string& name) const {
  const auto& value = at(name);
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!value.is_number()) fail(name, "number");
  return value.get<double>();
}

double FieldReader::seconds(const std::string& name, double max) const {
  const double value = number(name);
  if (!(value >= 0 && value <= max)) fail(name, fmt::format("seconds from 0 to {}", max));
  return value;
}

FieldReader FieldReader::object(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_object()) fail(name, "object");
  return FieldReader(document_, value, path(name) + ".");
}

std::vector<FieldReader> FieldReader::objects(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_array()) fail(name, "array");
  std::vector<FieldReader> elements;
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

std::vector<std::int64_t> FieldReader::int64s(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_array()) fail(name, "array");
  std::vector<std::int64_t> numbers;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_number_integer() || (value[i].is_number_unsigned() && value[i].get<std::uint64_t>() >
                                          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
      throw std::runtime_error(
          fmt::format("{}: field '{}[{}]' expected integer, got {}", document_, path(name), i, kind_of(value[i])));
    }
    numbers.push_back(value[i].get<std::int64_t>());
  }
  return numbers;
}

std::vector<double> FieldReader::numbers(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_array()) fail(name, "array");
  std::vector<double> numbers;
  numbers.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_number()) {
      throw std::runtime_error(
          fmt::format("{}: field '{}[{}]' expected number, got {}", document_, path(name), i, kind_of(value[i])));
    }
    numbers.push_back(value[i].get<double>());
  }
  return numbers;
}

std::vector<std::string> FieldReader::strings(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_array()) fail(name, "array");
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) {
      throw std::runtime_error(
          fmt::format("{}: field '{}[{}]' expected string, got {}", document_, path(name), i, kind_of(value[i])));
    }
    texts.push_back(value[i].get<std::string>());
  }
  return texts;
}

std::vector<std::int64_t> FieldReader::int64_pairs(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_array()) fail(name, "array of [integer, integer]");
  std::vector<std::int64_t> flat;
  flat.reserve(value.size() * 2);
  for (const auto& pair : value) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_integer() || !pair[1].is_number_integer()) {
      fail(name, "array of [integer, integer]");
    }
    flat.push_back(pair[0].get<std::int64_t>());
    flat.push_back(pair[1].get<std::int64_t>());
  }
  return flat;
}

bool FieldReader::boolean(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_boolean()) fail(name, "boolean");
  return value.get<bool>();
}

std::map<std::string, std::string> FieldReader::string_map(const std::string& name) const {
  const auto& value = at(name);
  if (!value.is_object()) fail(name, "object");
  std::map<std::string, std::string> entries;
  for (const auto& [key, entry] : value.items()) {
    if (!entry.is_string()) {
      throw std::runtime_error(
          fmt::format("{}: field '{}.{}' expected string, got {}", document_, path(name), key, kind_of(entry)));
    }
    entries.emplace(key, entry.get<std::string>());
  }
  return entries;
}

FieldReader open_document(const std::string& document, const nlohmann::json& json) {
  if (!json.is_object()) {
    throw std::runtime_error(fmt::format("{}: expected a JSON object, got {}", document, kind_of(json)));
  }
  FieldReader fields(document, json);
  const int version = fields.integer("protocol");
  if (version != kProtocolVersion) {
    throw std::runtime_error(fmt::format("{}: protocol version {} is not supported (this build reads version {})",
                                         document, version, kProtocolVersion));
  }
  return fields;
}

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
