#pragma once
// Small text helpers shared by the readers of line- and field-oriented formats (cron fields, Slurm's outputs).
#include <string>
#include <vector>

namespace dli {

// "a:b::c" split at ':' is {"a", "b", "", "c"}: empty parts kept, so a field's position survives; "" is {""}.
std::vector<std::string> split(const std::string& text, char separator);

}  // namespace dli
