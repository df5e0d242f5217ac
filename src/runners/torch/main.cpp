// dli-run-torch: libtorch (TorchScript) behind the runner protocol (docs/runners.md).
#include "dli/runner/runner_main.hpp"
#include "torch_framework.hpp"

int main(int argc, char** argv) {
  auto framework = dli::runner::make_torch_framework();
  return dli::runner::runner_main(argc, argv, *framework);
}
