// The lab file of `dli-integrator daemon` (lab.hpp; docs/daemon.md).
#include <algorithm>
#include <filesystem>

#include "config_files.hpp"
#include "config_locations.hpp"
#include "dli/config/lab.hpp"
#include "yaml_reader.hpp"

namespace dli {

namespace {

using namespace config_yaml;

const std::vector<std::string> kLabKeys = {"fleet",   "store",   "history",  "publish", "title",
                                           "state",   "reports", "metrics",  "max_concurrent_runs", "sweeps"};
const std::vector<std::string> kLabSweepKeys = {"name", "sweep", "schedule", "time_zone"};

std::optional<std::string> read_path(const Field& field, const std::string& base, Problems& problems) {
  const auto text = read_string(field, problems);
  if (!text) return std::nullopt;
  return config_files::resolve(*text, base);
}

std::optional<std::string> read_input_file(const Field& field, const std::string& base, Problems& problems) {
  const auto path = read_path(field, base, problems);
  if (!path) return std::nullopt;
  if (const auto problem = config_files::input_file_problem(*path)) {
    problems.add(field, *problem);
    return std::nullopt;
  }
  return path;
}

void read_lab_sweep(const Field& field, const std::string& base, UniqueNames& names, LabConfig& lab,
                    Problems& problems) {
  MapReader entry(field, problems, "a map {name: NAME, sweep: FILE, schedule: \"MIN HOUR DAY MONTH WEEKDAY\", "
                                   "time_zone: ZONE}");
  if (!entry.is_map()) return;
  entry.reject_unknown_keys(kLabSweepKeys);
  LabSweep sweep;
  bool valid = true;
  if (const auto value = entry.required("name")) {
    const auto name = read_name(*value, problems);
    valid = name && names.add(*name, *value, problems);
    if (name) sweep.name = *name;
  } else {
    valid = false;
  }
  if (const auto value = entry.required("sweep")) {
    const auto path = read_input_file(*value, base, problems);
    valid = valid && path.has_value();
    if (path) sweep.sweep_path = *path;
  } else {
    valid = false;
  }
  if (const auto value = entry.required("schedule")) {
    const auto text = read_string(*value, problems);
    if (text) {
      auto schedule = parse_cron(*text);
      if (schedule) {
        sweep.schedule = schedule.value();
      } else {
        problems.add(*value, schedule.error().message);
      }
      valid = valid && schedule.ok();
    } else {
      valid = false;
    }
  } else {
    valid = false;
  }
  if (const auto value = entry.required("time_zone")) {
    const auto zone = read_string(*value, problems);
    const auto problem = zone ? time_zone_problem(*zone) : std::nullopt;
    if (problem) problems.add(*value, *problem);
    valid = valid && zone && !problem;
    if (zone) sweep.time_zone = *zone;
  } else {
    valid = false;
  }
  if (valid) lab.sweeps.push_back(std::move(sweep));
}

// The fleet and the sweeps the lab names, each by its own loader; their problems join the lab's.
void load_named_files(LabConfig& lab, std::vector<Diagnostic>& diagnostics, const std::vector<Field>& sweep_fields) {
  const auto keep = [&](const ConfigError& error) {
    diagnostics.insert(diagnostics.end(), error.diagnostics().begin(), error.diagnostics().end());
  };
  try {
    lab.fleet = load_fleet(lab.fleet_path);
  } catch (const ConfigError& error) {
    keep(error);
  }
  for (std::size_t i = 0; i < lab.sweeps.size(); ++i) {
    try {
      const SweepConfig sweep = load_sweep(lab.sweeps[i].sweep_path);
      if (sweep.fleet_path != lab.fleet_path) {
        const Field& at = i < sweep_fields.size() ? sweep_fields[i] : sweep_fields.back();
        diagnostics.push_back({lab.path, at.mark.line, at.mark.column, at.path,
                               "sweep " + lab.sweeps[i].sweep_path + " names the fleet " + sweep.fleet_path +
                                   ", not the lab's " + lab.fleet_path});
      }
    } catch (const ConfigError& error) {
      keep(error);
    }
  }
}

}  // namespace

const LabSweep* LabConfig::find(const std::string& name) const {
  const auto found = std::find_if(sweeps.begin(), sweeps.end(), [&](const LabSweep& s) { return s.name == name; });
  return found == sweeps.end() ? nullptr : &*found;
}

std::vector<ScheduledSweep> LabConfig::schedules() const {
  std::vector<ScheduledSweep> result;
  for (const auto& sweep : sweeps) result.push_back({sweep.name, sweep.schedule, sweep.time_zone});
  return result;
}

LabConfig parse_lab(const std::string& yaml_text, const std::string& path) {
  LabConfig lab;
  lab.path = config_files::absolute_path(path);
  const std::string base = config_files::folder_of(lab.path);
  Problems problems(lab.path);
  const auto document = parse_document(yaml_text, problems);
  if (!document) problems.throw_if_any();

  MapReader top(*document, problems, "a map of lab settings (" + join(kLabKeys) + ")");
  top.reject_unknown_keys(kLabKeys);
  if (const auto value = top.required("fleet")) lab.fleet_path = read_input_file(*value, base, problems).value_or("");
  if (const auto value = top.optional("store")) lab.store_url = read_store_url(*value, problems).value_or("");
  if (const auto value = top.optional("history")) {
    lab.history = read_history_location(*value, base, problems).value_or("");
  }
  if (const auto value = top.optional("publish")) {
    if (const auto text = read_string(*value, problems)) {
      if (text->find("://") != std::string::npos) {
        lab.publish = read_store_url(*value, problems).value_or("");
      } else {
        lab.publish = config_files::resolve(*text, base);
      }
    }
  }
  if (const auto value = top.optional("title")) lab.title = read_string(*value, problems).value_or(lab.title);
  lab.state_dir = config_files::resolve("dli-state", base);
  if (const auto value = top.optional("state")) lab.state_dir = read_path(*value, base, problems).value_or("");
  lab.reports_dir = (std::filesystem::path(lab.state_dir) / "reports").string();
  if (const auto value = top.optional("reports")) lab.reports_dir = read_path(*value, base, problems).value_or("");
  lab.metrics_path = (std::filesystem::path(lab.state_dir) / "dli.prom").string();
  if (const auto value = top.optional("metrics")) lab.metrics_path = read_path(*value, base, problems).value_or("");
  if (const auto value = top.optional("max_concurrent_runs")) {
    if (const auto number = read_integer(*value, problems, {1, 64})) lab.max_concurrent_runs = static_cast<int>(*number);
  }
  std::vector<Field> sweep_fields;
  if (const auto value = top.required("sweeps")) {
    if (const auto items = read_list(*value, problems, "scheduled sweeps")) {
      UniqueNames names("sweep name");
      for (const auto& item : *items) {
        const std::size_t before = lab.sweeps.size();
        read_lab_sweep(item, base, names, lab, problems);
        if (lab.sweeps.size() > before) sweep_fields.push_back(item);
      }
    }
  }
  problems.throw_if_any();

  std::vector<Diagnostic> diagnostics;
  load_named_files(lab, diagnostics, sweep_fields);
  if (!diagnostics.empty()) throw ConfigError(diagnostics);
  if (lab.store_url.empty()) lab.store_url = lab.fleet.store_url;
  if (lab.store_url.empty()) lab.store_url = "file://" + (std::filesystem::path(lab.state_dir) / "store").string();
  if (lab.history.empty()) lab.history = lab.fleet.history;
  if (lab.history.empty()) lab.history = (std::filesystem::path(lab.state_dir) / "history.sqlite").string();
  return lab;
}

LabConfig load_lab(const std::string& path) {
  const std::string absolute = config_files::absolute_path(path);
  return parse_lab(config_files::read_config_file(absolute), absolute);
}

}  // namespace dli
