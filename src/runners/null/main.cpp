// dli-run-null: the harness without a framework (docs/runners.md).
#include "dli/runner/runner_main.hpp"
#include "null_framework.hpp"

int main(int argc, char** argv) {
  auto framework = dli::runner::make_null_framework();
  return dli::runner::runner_main(argc, argv, *framework);
}
