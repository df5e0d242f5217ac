#include "dli/protocol/capacity_question.hpp"

#include <cmath>

#include "protocol_fields.hpp"

namespace dli {

nlohmann::json to_json(const CapacityQuestion& question) {
  nlohmann::json json = {{"model", question.model}, {"streams", question.streams}, {"fps", question.fps_per_stream}};
  if (question.p99_s) json["p99_ms"] = *question.p99_s * 1e3;
  return json;
}

CapacityQuestion capacity_question_from_json(const nlohmann::json& json, const std::string& document) {
  const protocol_detail::FieldReader fields(document, json);
  CapacityQuestion question;
  question.model = fields.string("model");
  question.streams = fields.integer("streams");
  question.fps_per_stream = fields.number("fps");
  if (question.streams < 1) fields.fail("streams", "a count of at least 1");
  if (!(question.fps_per_stream > 0) || !std::isfinite(question.fps_per_stream)) fields.fail("fps", "a rate above 0");
  if (fields.has("p99_ms")) {
    const double p99_ms = fields.number("p99_ms");
    if (!(p99_ms > 0) || !std::isfinite(p99_ms)) fields.fail("p99_ms", "a latency above 0");
    question.p99_s = p99_ms / 1e3;
  }
  return question;
}

}  // namespace dli
