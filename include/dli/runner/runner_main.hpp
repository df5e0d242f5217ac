#pragma once
// The whole of a C++ runner's main: `int main(int argc, char** argv) { MyFramework f; return dli::runner::runner_main(argc, argv, f); }`
// Implements docs/runners.md: `describe`, and `run --request FILE --result FILE`.
#include "dli/runner/framework.hpp"

namespace dli::runner {

int runner_main(int argc, char** argv, Framework& framework);

}  // namespace dli::runner
