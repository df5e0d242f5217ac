#include "dli/protocol/accelerator.hpp"

#include <stdexcept>
#include <tuple>
#include <vector>

#include <fmt/format.h>

namespace dli {

bool Accelerator::operator==(const Accelerator& other) const {
  auto fields = [](const Accelerator& a) {
    return std::tie(a.kind, a.index, a.name, a.uuid, a.memory_mib, a.driver, a.compute_capability, a.bus_id);
  };
  return fields(*this) == fields(other);
}

nlohmann::json to_json(const Accelerator& accelerator) {
  return {{"kind", accelerator.kind},
          {"index", accelerator.index},
          {"name", accelerator.name},
          {"uuid", accelerator.uuid},
          {"memory_mib", accelerator.memory_mib},
          {"driver", accelerator.driver},
          {"compute_capability", accelerator.compute_capability},
          {"bus_id", accelerator.bus_id}};
}

Accelerator accelerator_from_json(const nlohmann::json& json) {
  try {
    Accelerator accelerator;
    accelerator.kind = json.at("kind").get<std::string>();
    accelerator.index = json.at("index").get<int>();
    accelerator.name = json.at("name").get<std::string>();
    accelerator.uuid = json.at("uuid").get<std::string>();
    accelerator.memory_mib = json.at("memory_mib").get<long long>();
    accelerator.driver = json.at("driver").get<std::string>();
    accelerator.compute_capability = json.at("compute_capability").get<std::string>();
    accelerator.bus_id = json.at("bus_id").get<std::string>();
    return accelerator;
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(std::string("accelerator description: ") + error.what());
  }
}

std::string format_accelerator(const Accelerator& accelerator) {
  std::vector<std::string> parts;
  if (accelerator.memory_mib > 0) {
    // Whole GiB for large cards (143771 MiB -> 140 GiB); one decimal where that would hide a third of the card.
    const double gib = static_cast<double>(accelerator.memory_mib) / 1024.0;
    parts.push_back(gib >= 10 ? fmt::format("{:.0f} GiB", gib) : fmt::format("{:.1f} GiB", gib));
  }
  if (!accelerator.compute_capability.empty()) parts.push_back("compute " + accelerator.compute_capability);
  if (!accelerator.driver.empty()) parts.push_back("driver " + accelerator.driver);
  std::string text = accelerator.name.empty() ? accelerator.kind : accelerator.name;
  if (parts.empty()) return text;
  text += " (";
  for (std::size_t i = 0; i < parts.size(); ++i) text += (i ? ", " : "") + parts[i];
  return text + ")";
}

}  // namespace dli
