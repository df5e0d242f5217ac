#pragma once
// Private to the fleet loader: the keys each kind of host adds to a host entry, and their readers.
#include <optional>
#include <string>
#include <vector>

#include "yaml_reader.hpp"

namespace dli::config_yaml {

extern const std::vector<std::string> kSshHostKeys;
void read_ssh_host_keys(const MapReader& entry, HostConfig& host, Problems& problems);

// `agent_path`: dli-agent on a remote host (ssh, slurm); /usr/local/bin/dli-agent when absent.
void read_agent_path(const MapReader& entry, HostConfig& host, Problems& problems);

extern const std::vector<std::string> kSlurmHostKeys;
void read_slurm_host_keys(const MapReader& entry, HostConfig& host, Problems& problems);
// The `slurm.*` labels of a slurm host into host.slurm; other labels are left to the sweep's host selection.
void read_slurm_labels(const std::vector<TextEntry>& labels, HostConfig& host, Problems& problems);
// Why `text` is not a time limit sbatch takes (--time), or nullopt.
std::optional<std::string> slurm_time_problem(const std::string& text);

}  // namespace dli::config_yaml
