#pragma once
// Field-level helpers of the protocol's JSON codecs (private to dli_core): typed reads that name the document and
// the dotted path of a missing or mistyped field, and encoders' guards for what JSON cannot carry.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dli/protocol/test_result.hpp"
#include "fast_json.hpp"

namespace dli::protocol_detail {

// Reads the fields of one JSON object. Every failure throws std::runtime_error
// "<document>: field '<path>' expected <type>, got <type>" or "<document>: missing field '<path>'".
// Json: nlohmann::json, or FastJson for the decoders that collecting a large run uses (fast_json.hpp).
template <typename Json>
class BasicFieldReader {
 public:
  BasicFieldReader(std::string document, const Json& object, std::string prefix = "");

  bool has(const std::string& name) const;
  bool is_null(const std::string& name) const;
  std::string string(const std::string& name) const;
  int integer(const std::string& name) const;
  std::int64_t int64(const std::string& name) const;
  double number(const std::string& name) const;  // null reads as NaN (encoders write non-finite values as null)
  // A duration: a finite number from 0 to `max` (null, negative and larger values are refused).
  double seconds(const std::string& name, double max) const;
  BasicFieldReader object(const std::string& name) const;
  std::vector<BasicFieldReader> objects(const std::string& name) const;  // an array of objects
  std::vector<std::int64_t> int64s(const std::string& name) const;
  std::vector<double> numbers(const std::string& name) const;  // an array of numbers
  bool boolean(const std::string& name) const;
  std::vector<std::string> strings(const std::string& name) const;    // an array of strings
  std::vector<std::int64_t> int64_pairs(const std::string& name) const;  // [[a, b], ...] flattened: a, b, ...
  std::map<std::string, std::string> string_map(const std::string& name) const;

  [[noreturn]] void fail(const std::string& name, const std::string& expected) const;
  const std::string& document() const { return document_; }

 private:
  const Json& at(const std::string& name) const;
  std::string path(const std::string& name) const { return prefix_ + name; }

  std::string document_;
  const Json& json_;
  std::string prefix_;
};

using FieldReader = BasicFieldReader<nlohmann::json>;
using FastFieldReader = BasicFieldReader<FastJson>;

// The reader of a whole document: checks it is an object carrying "protocol": kProtocolVersion.
template <typename Json>
BasicFieldReader<Json> open_document(const std::string& document, const Json& json);

// Encoders' guards: JSON has no NaN/infinity, and nlohmann::json refuses to dump invalid UTF-8 (child output may
// hold any bytes).
nlohmann::json finite_or_null(double value);
std::string valid_utf8(const std::string& text);  // invalid sequences replaced by U+FFFD

// A test spec as embedded in task lists and results (without its own "protocol" field). The decoders are defined
// for FieldReader and FastFieldReader.
nlohmann::json encode_spec(const TestSpec& spec);
template <typename Json>
TestSpec decode_spec(const BasicFieldReader<Json>& fields);
nlohmann::json encode_measurement(const Measurement& measurement);
template <typename Json>
Measurement decode_measurement(const BasicFieldReader<Json>& fields);
nlohmann::json encode_accuracy(const Accuracy& accuracy);
template <typename Json>
Accuracy decode_accuracy(const BasicFieldReader<Json>& fields);
nlohmann::json encode_environment(const TestEnvironment& environment);
template <typename Json>
TestEnvironment decode_environment(const BasicFieldReader<Json>& fields);
// A result's fields, from an open document (test_result_from_json).
template <typename Json>
TestResult decode_result(const BasicFieldReader<Json>& fields);
nlohmann::json encode_details(const std::map<std::string, std::string>& details);  // keys and values made valid UTF-8

}  // namespace dli::protocol_detail
