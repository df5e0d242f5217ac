#pragma once
// Fuzz targets (docs/fuzzing.md): each feeds one input to one reader of outside data, the way dli reads it. An
// input may be refused, in the reader's documented way; anything else (another exception, a crash, a sanitizer
// report, a hang) is a finding. The same functions serve the libFuzzer executables (clang, -DDLI_FUZZ=ON) and the
// replay driver that ctest runs in every build.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dli::fuzz {

using Entry = void (*)(const std::uint8_t* data, std::size_t size);

struct Target {
  std::string name;  // also the folder of its seed corpus and regressions: tests/fuzz/{corpus,regressions}/<name>/
  Entry entry;
};

const std::vector<Target>& targets();
const Target* find_target(const std::string& name);  // nullptr when unknown

}  // namespace dli::fuzz
