#include "dli/integrator/result_files.hpp"


#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dli/protocol/protocol.hpp"
#include "dli/util/parallel.hpp"

namespace dli {

namespace {

// One file's way through: its text, then its result or why there is none ("" and no result: missing, allowed).
struct Slot {
  std::optional<std::string> text;
  std::string problem;
};

void fetch(Store& store, const std::string& key, bool missing_ok, Slot& slot) {
  auto text = store.get(key);
  if (text) {
    slot.text = std::move(text).value();
  } else if (!(missing_ok && text.error().kind == ErrorKind::kNotFound)) {
    slot.problem = text.error().message;
  }
}

void decode(const std::string& key, Slot& slot, std::optional<TestResult>& result) {
  if (!slot.text) return;
  if (auto quick = quick_test_result(*slot.text)) {
    result = std::move(quick);
    slot.text.reset();
    return;
  }
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(*slot.text);
  } catch (const nlohmann::json::exception& error) {
    slot.problem = fmt::format("{}: not valid JSON: {}", key, error.what());
    return;
  }
  slot.text.reset();  // the text's memory goes as soon as it is parsed
  try {
    result = test_result_from_json(json);
  } catch (const std::exception& error) {
    slot.problem = fmt::format("{}: {}", key, error.what());
  }
}

}  // namespace

std::vector<std::optional<TestResult>> read_result_files(Store& store, const std::vector<std::string>& keys,
                                                         bool missing_ok, bool spread,
                                                         std::vector<std::string>& problems) {
  std::vector<Slot> slots(keys.size());
  std::vector<std::optional<TestResult>> results(keys.size());
  if (!spread) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      fetch(store, keys[i], missing_ok, slots[i]);
      decode(keys[i], slots[i], results[i]);
    }
  } else if (store.concurrent_gets()) {
    parallel_for(keys.size(), 0, [&](std::size_t i) {
      fetch(store, keys[i], missing_ok, slots[i]);
      decode(keys[i], slots[i], results[i]);
    });
  } else {
    for (std::size_t i = 0; i < keys.size(); ++i) fetch(store, keys[i], missing_ok, slots[i]);
    parallel_for(keys.size(), 0, [&](std::size_t i) { decode(keys[i], slots[i], results[i]); });
  }
  for (auto& slot : slots) {
    if (!slot.problem.empty()) problems.push_back(std::move(slot.problem));
  }
  return results;
}

}  // namespace dli
