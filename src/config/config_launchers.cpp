// The `launchers:` section of a sweep: each entry names a framework of the runner catalogue
// (docs/runners.md), optionally with parameters checked against that runner's rules.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config_sweep_sections.hpp"
#include "dli/protocol/runner_catalogue.hpp"

namespace dli::config_yaml {
namespace {

const std::vector<std::string> kLauncherKeys = {"framework", "params"};
const std::string kExpectedLauncher = "expected a launcher name or a map {framework: NAME, params: {...}}";

// The catalogue's entry for the framework named by `field`, or null (reported).
const RunnerEntry* read_framework(const Field& field, Problems& problems, std::string& name) {
  if (field.node.IsNull()) {
    // An unquoted `null` is YAML's null, not the name of the no-op launcher: a frequent and puzzling slip.
    problems.add(field, kExpectedLauncher + ", got null (write \"null\" in quotes for the no-op launcher)");
    return nullptr;
  }
  const auto text = read_string(field, problems);
  if (!text) return nullptr;
  const RunnerEntry* launcher = find_runner_entry(*text);
  if (!launcher) {
    problems.add(field, "unknown launcher '" + *text + "' " + suggestion_note(*text, known_frameworks(), "known launchers"));
    return nullptr;
  }
  name = *text;
  return launcher;
}

void read_params(const Field& field, const RunnerEntry* launcher, LauncherConfig& config, Problems& problems) {
  std::vector<std::string> known;
  if (launcher) {
    for (const auto& rule : launcher->params) known.push_back(rule.name);
  }
  for (auto& param : read_text_map(field, problems, "a map of launcher parameters (name: value)")) {
    // Without a valid launcher there is nothing to check the names against; its own error says why.
    if (launcher && std::find(known.begin(), known.end(), param.key) == known.end()) {
      const std::string note = known.empty() ? "(it takes no parameters)"
                                             : suggestion_note(param.key, known, "known parameters");
      problems.add(param.key_field, "unknown parameter '" + param.key + "' for launcher '" + config.framework + "' " + note);
      continue;
    }
    if (launcher) {
      const ParamRule& rule = *std::find_if(launcher->params.begin(), launcher->params.end(),
                                            [&](const ParamRule& each) { return each.name == param.key; });
      if (const auto complaint = check_param_value(rule, param.value)) {
        problems.add(param.value_field, "expected " + *complaint);
        continue;
      }
    }
    config.params[param.key] = param.value;
  }
}

// Reads one entry; returns false when it is not a usable launcher.
bool read_launcher(const Field& item, LauncherConfig& config, Problems& problems) {
  if (item.node.IsScalar() || item.node.IsNull()) return read_framework(item, problems, config.framework) != nullptr;
  if (!item.node.IsMap()) {
    problems.add(item, kExpectedLauncher + ", got " + describe(item.node));
    return false;
  }
  MapReader entry(item, problems, "a launcher map");
  entry.reject_unknown_keys(kLauncherKeys);
  const RunnerEntry* launcher = nullptr;
  if (const auto value = entry.required("framework")) launcher = read_framework(*value, problems, config.framework);
  if (const auto value = entry.optional("params")) read_params(*value, launcher, config, problems);
  if (launcher) {
    for (const auto& rule : launcher->params) {
      if (rule.required && config.params.count(rule.name) == 0) {
        problems.add(item, "launcher '" + config.framework + "' needs the parameter '" + rule.name + "'");
        return false;
      }
    }
  }
  return launcher != nullptr;
}

}  // namespace

std::vector<LauncherConfig> read_launchers(const Field& field, Problems& problems) {
  std::vector<LauncherConfig> launchers;
  // Framework and params of each accepted launcher -> where it was written.
  std::map<std::pair<std::string, std::map<std::string, std::string>>, std::string> seen;
  const auto items = read_list(field, problems, "launchers");
  if (!items) return launchers;
  for (const auto& item : *items) {
    LauncherConfig config;
    if (!read_launcher(item, config, problems)) continue;
    const auto [same, added] = seen.emplace(std::make_pair(config.framework, config.params), item.path);
    if (!added) {
      problems.add(item, "duplicate launcher: same framework and params as " + same->second);
      continue;
    }
    launchers.push_back(std::move(config));
  }
  return launchers;
}

}  // namespace dli::config_yaml
