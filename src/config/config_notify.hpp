#pragma once
// Private to the fleet loader: `notify:` (docs/notifications.md).
#include <string>
#include <vector>

#include "dli/config/config.hpp"
#include "yaml_reader.hpp"

namespace dli::config_yaml {

// The kinds of events a run can raise (docs/notifications.md), in the order they are documented.
inline const std::vector<std::string> kNotifyEventKinds = {"regression", "host_failed", "tests_failed", "store_error"};

void read_notify(const Field& field, NotifyConfig& notify, Problems& problems);

}  // namespace dli::config_yaml
