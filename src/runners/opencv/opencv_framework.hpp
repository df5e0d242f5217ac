#pragma once
// The "opencv-dnn" framework of dli-run-opencv (docs/runners.md).
#include <memory>

#include "dli/runner/framework.hpp"

namespace dli::runner {

std::unique_ptr<Framework> make_opencv_framework();

}  // namespace dli::runner
