// quick_test_result: the result decoders over fast_json.hpp's nodes instead of nlohmann's DOM.
#include <exception>

#include "dli/protocol/protocol.hpp"
#include "fast_json.hpp"
#include "protocol_fields.hpp"

namespace dli {

std::optional<TestResult> quick_test_result(std::string_view text) {
  thread_local protocol_detail::FastJsonDocument document;  // its nodes' memory serves every result of a thread
  if (!protocol_detail::parse_fast_json(text, document)) return std::nullopt;
  try {
    return protocol_detail::decode_result(protocol_detail::open_document("result", document.root()));
  } catch (const std::exception&) {
    return std::nullopt;  // the usual reader will say why, in its own words
  }
}

}  // namespace dli
