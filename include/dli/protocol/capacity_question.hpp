#pragma once
// The capacity question (docs/methodology.md, "The capacity question"): N streams at F frames/s each, with p99
// latency at most L, for model M. A sweep may ask some (`capacity:`, docs/config.md); the manifest carries them
// (docs/protocol.md 4.2) so that every page of the run answers them.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace dli {

struct CapacityQuestion {
  std::string model;
  int streams = 1;
  double fps_per_stream = 1;
  std::optional<double> p99_s;  // absent: any latency

  bool operator==(const CapacityQuestion& other) const {
    return model == other.model && streams == other.streams && fps_per_stream == other.fps_per_stream &&
           p99_s == other.p99_s;
  }
};

// {"model", "streams", "fps", "p99_ms" (absent: any latency)}.
nlohmann::json to_json(const CapacityQuestion& question);
// Throws ProtocolError naming `document` and the field.
CapacityQuestion capacity_question_from_json(const nlohmann::json& json, const std::string& document);

}  // namespace dli
