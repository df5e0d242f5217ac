// dli-run-opencv: OpenCV DNN behind the runner protocol (docs/runners.md).
#include "dli/runner/runner_main.hpp"
#include "opencv_framework.hpp"

int main(int argc, char** argv) {
  auto framework = dli::runner::make_opencv_framework();
  return dli::runner::runner_main(argc, argv, *framework);
}
