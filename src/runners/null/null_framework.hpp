#pragma once
// The "null" framework of dli-run-null (docs/runners.md): simulated work and fault injection, no model.
#include <memory>

#include "dli/runner/framework.hpp"

namespace dli::runner {

std::unique_ptr<Framework> make_null_framework();

}  // namespace dli::runner
