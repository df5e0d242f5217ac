// The registered launchers. Adding a framework: its src/launcher_<name>.cpp defines a factory, declared and
// listed here.
#include <memory>
#include <string>
#include <vector>

#include "dli/launcher.hpp"

namespace dli {

// Defined in src/launcher_<name>.cpp.
std::unique_ptr<Launcher> make_null_launcher();
std::unique_ptr<Launcher> make_opencv_dnn_launcher();

namespace {

struct Registration {
  const char* name;
  std::unique_ptr<Launcher> (*make)();
};

// In the order `dli-agent describe` lists them.
constexpr Registration kLaunchers[] = {
    {"null", make_null_launcher},
    {"opencv-dnn", make_opencv_dnn_launcher},
};

}  // namespace

std::unique_ptr<Launcher> make_launcher(const std::string& name) {
  for (const auto& launcher : kLaunchers) {
    if (name == launcher.name) return launcher.make();
  }
  return nullptr;
}

std::vector<std::string> launcher_names() {
  std::vector<std::string> names;
  for (const auto& launcher : kLaunchers) names.emplace_back(launcher.name);
  return names;
}

}  // namespace dli
