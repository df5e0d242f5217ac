// dli_fuzz_replay: feeds every committed input (tests/fuzz/regressions/<target>/ and corpus/<target>/) to its fuzz
// target's entry function, in a normal build without clang or libFuzzer. A finding aborts the process; ctest then
// fails. Usage: dli_fuzz_replay FOLDER (tests/fuzz).
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_targets.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files_in(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code error;
  if (!fs::is_directory(folder, error)) return files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: dli_fuzz_replay FOLDER (tests/fuzz)\n";
    return 2;
  }
  const fs::path root = argv[1];
  int inputs = 0;
  for (const auto& target : dli::fuzz::targets()) {
    for (const char* kind : {"regressions", "corpus"}) {
      for (const auto& file : files_in(root / kind / target.name)) {
        std::ifstream in(file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::cout << target.name << ": " << file.string() << std::endl;  // the last line names a crashing input
        target.entry(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        ++inputs;
      }
    }
  }
  std::cout << inputs << " inputs replayed, no finding\n";
  return inputs > 0 ? 0 : 1;
}
