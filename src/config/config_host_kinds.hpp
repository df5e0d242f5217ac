#pragma once
// Private to the fleet loader: the keys each kind of host adds to a host entry, and their readers.
#include <string>
#include <vector>

#include "yaml_reader.hpp"

namespace dli::config_yaml {

extern const std::vector<std::string> kSshHostKeys;
void read_ssh_host_keys(const MapReader& entry, HostConfig& host, Problems& problems);

}  // namespace dli::config_yaml
