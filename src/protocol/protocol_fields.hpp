#pragma once
// Field-level helpers of the protocol's JSON codecs (private to dli_core): typed reads that name the document and
// the dotted path of a missing or mistyped field, and encoders' guards for what JSON cannot carry.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dli/protocol/test_result.hpp"

namespace dli::protocol_detail {

// Reads the fields of one JSON object. Every failure throws std::runtime_error
// "<document>: field '<path>' expected <type>, got <type>" or "<document>: missing field '<path>'".
class FieldReader {
 public:
  FieldReader(std::string document, const nlohmann::json& object, std::string prefix = "");

  bool has(const std::string& name) const;
  bool is_null(const std::string& name) const;
  std::string string(const std::string& name) const;
  int integer(const std::string& name) const;
  std::int64_t int64(const std::string& name) const;
  double number(const std::string& name) const;  // null reads as NaN (encoders write non-finite values as null)
  // A duration: a finite number from 0 to `max` (null, negative and larger values are refused).
  double seconds(const std::string& name, double max) const;
  FieldReader object(const std::string& name) const;
  std::vector<FieldReader> objects(const std::string& name) const;  // an array of objects
  std::vector<std::int64_t> int64s(const std::string& name) const;
  std::vector<double> numbers(const std::string& name) const;  // an array of numbers
  bool boolean(const std::string& name) const;
  std::vector<std::string> strings(const std::string& name) const;    // an array of strings
  std::vector<std::int64_t> int64_pairs(const std::string& name) const;  // [[a, b], ...] flattened: a, b, ...
  std::map<std::string, std::string> string_map(const std::string& name) const;

  [[noreturn]] void fail(const std::string& name, const std::string& expected) const;
  const std::string& document() const { return document_; }

 private:
  const nlohmann::json& at(const std::string& name) const;
  std::string path(const std::string& name) const { return prefix_ + name; }

  std::string document_;
  const nlohmann::json& json_;
  std::string prefix_;
};

// The reader of a whole document: checks it is an object carrying "protocol": kProtocolVersion.
FieldReader open_document(const std::string& document, const nlohmann::json& json);

// Encoders' guards: JSON has no NaN/infinity, and nlohmann::json refuses to dump invalid UTF-8 (child output may
// hold any bytes).
nlohmann::json finite_or_null(double value);
std::string valid_utf8(const std::string& text);  // invalid sequences replaced by U+FFFD

// A test spec as embedded in task lists and results (without its own "protocol" field).
nlohmann::json encode_spec(const TestSpec& spec);
TestSpec decode_spec(const FieldReader& fields);
nlohmann::json encode_measurement(const Measurement& measurement);
Measurement decode_measurement(const FieldReader& fields);
nlohmann::json encode_accuracy(const Accuracy& accuracy);
Accuracy decode_accuracy(const FieldReader& fields);
nlohmann::json encode_environment(const TestEnvironment& environment);
TestEnvironment decode_environment(const FieldReader& fields);
nlohmann::json encode_details(const std::map<std::string, std::string>& details);  // keys and values made valid UTF-8

}  // namespace dli::protocol_detail
