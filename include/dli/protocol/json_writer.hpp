#pragma once
// Compact JSON of a spec and of a result appended straight to a string: byte for byte what
// to_json(x).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) writes, without building the document.
// to_json builds a tree of maps and costs several times the parse of the same result: a run's results.json of
// 100,000 results took minutes that way (docs/benchmarks.md, "Collect"). Keys come in nlohmann's (sorted) order;
// tests/unit/test_json_writer.cpp holds every field to to_json's output.
#include <string>

#include "dli/protocol/test_result.hpp"
#include "dli/protocol/test_spec.hpp"

namespace dli {

void append_json(std::string& out, const TestSpec& spec);     // to_json(spec): the spec with "protocol"
void append_json(std::string& out, const TestResult& result);  // to_json(result)
// A string as dump(..., replace) writes it: escaped, invalid UTF-8 replaced by U+FFFD.
void append_json_string(std::string& out, const std::string& text);
// A number as dump writes it: shortest round-trip form, ".0" on integral values, null when not finite.
void append_json_number(std::string& out, double value);

}  // namespace dli
