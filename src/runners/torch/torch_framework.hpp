#pragma once
// The "libtorch" framework of dli-run-torch (docs/runners.md): TorchScript models on the CPU or a CUDA device.
#include <memory>

#include "dli/runner/framework.hpp"

namespace dli::runner {

std::unique_ptr<Framework> make_torch_framework();

}  // namespace dli::runner
