#include "dli/integrator/result_files.hpp"

#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dli/protocol/protocol.hpp"
#include "dli/util/parallel.hpp"

namespace dli {

namespace {

// One file's way through: its text, then its result or why there is none ("" and no result: missing, allowed).
struct Slot {
  std::optional<std::string> text;
  std::optional<TestResult> result;
  std::string problem;
};

void fetch(Store& store, const ResultFile& file, bool missing_ok, Slot& slot) {
  auto text = store.get(file.key);
  if (text) {
    slot.text = std::move(text).value();
  } else if (!(missing_ok && text.error().kind == ErrorKind::kNotFound)) {
    slot.problem = text.error().message;
  }
}

void decode(const ResultFile& file, Slot& slot) {
  if (!slot.text) return;
  if (auto quick = quick_test_result(*slot.text)) {
    slot.result = std::move(quick);
    slot.text.reset();
    return;
  }
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(*slot.text);
  } catch (const nlohmann::json::exception& error) {
    slot.problem = fmt::format("{}: not valid JSON: {}", file.key, error.what());
    return;
  }
  slot.text.reset();  // the text's memory goes as soon as it is parsed
  try {
    slot.result = test_result_from_json(json);
  } catch (const std::exception& error) {
    slot.problem = fmt::format("{}: {}", file.key, error.what());
  }
}

}  // namespace

std::map<std::string, TestResult> read_result_files(Store& store, const std::vector<ResultFile>& files,
                                                    bool missing_ok, std::vector<std::string>& problems) {
  std::vector<Slot> slots(files.size());
  if (store.concurrent_gets()) {
    parallel_for(files.size(), 0, [&](std::size_t i) {
      fetch(store, files[i], missing_ok, slots[i]);
      decode(files[i], slots[i]);
    });
  } else {
    for (std::size_t i = 0; i < files.size(); ++i) fetch(store, files[i], missing_ok, slots[i]);
    parallel_for(files.size(), 0, [&](std::size_t i) { decode(files[i], slots[i]); });
  }
  std::map<std::string, TestResult> results;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (!slots[i].problem.empty()) problems.push_back(std::move(slots[i].problem));
    if (slots[i].result) results.emplace(files[i].task, std::move(*slots[i].result));
  }
  return results;
}

}  // namespace dli
