// One libFuzzer executable per target: DLI_FUZZ_TARGET names it (tests/fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const dli::fuzz::Target* target = dli::fuzz::find_target(DLI_FUZZ_TARGET);
  if (target == nullptr) std::abort();
  target->entry(data, size);
  return 0;
}
