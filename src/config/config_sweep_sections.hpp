#pragma once
// Private to the sweep loader: the sections of a sweep with structure of their own.
#include <string>
#include <vector>

#include "dli/config/config.hpp"
#include "yaml_reader.hpp"

namespace dli::config_yaml {

// `models:`; file paths are resolved against `base_folder` (the sweep file's folder) and must be readable files.
std::vector<ModelConfig> read_models(const Field& field, const std::string& base_folder, Problems& problems);
// `launchers:`; names must be registered launchers and params known to them.
std::vector<LauncherConfig> read_launchers(const Field& field, Problems& problems);
// `capacity:`; each question names a model of `models`.
std::vector<CapacityQuestion> read_capacity(const Field& field, const std::vector<ModelConfig>& models,
                                            Problems& problems);

}  // namespace dli::config_yaml
