// The fleet file: where the store is and which hosts run tests.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "config_files.hpp"
#include "config_host_kinds.hpp"
#include "config_locations.hpp"
#include "config_notify.hpp"
#include "dli/config/config.hpp"
#include "dli/config/config_limits.hpp"
#include "yaml_reader.hpp"

namespace dli {
namespace {

using namespace config_yaml;

// How the integrator reaches a host. Each kind owns the keys it adds to a host entry, so a new kind is one more
// row here plus the function reading its keys.
struct HostKind {
  std::string name;
  bool supported;
  std::vector<std::string> keys;  // beyond kCommonHostKeys
  void (*read_keys)(const MapReader& entry, HostConfig& host, Problems& problems);  // null when it adds none
};

const std::vector<HostKind>& host_kinds() {
  static const std::vector<HostKind> kinds = {
      {"local", true, {}, nullptr},
      {"ssh", true, kSshHostKeys, read_ssh_host_keys},
      {"slurm", true, kSlurmHostKeys, read_slurm_host_keys},
  };
  return kinds;
}

const std::vector<std::string> kFleetKeys = {"store", "parallel", "hosts", "history", "notify"};
const std::vector<std::string> kCommonHostKeys = {"name", "kind", "labels", "limits", "work_dir", "maintenance"};
const std::vector<std::string> kLimitKeys = {"max_threads", "test_timeout"};

std::vector<std::string> supported_kind_names() {
  std::vector<std::string> names;
  for (const auto& kind : host_kinds()) {
    if (kind.supported) names.push_back(kind.name);
  }
  return names;
}

// The keys a host entry may have: the common ones, plus those of `kind` (of every kind when null).
std::vector<std::string> host_keys(const HostKind* kind) {
  std::vector<std::string> keys = kCommonHostKeys;
  for (const auto& each : host_kinds()) {
    if (!kind || &each == kind) keys.insert(keys.end(), each.keys.begin(), each.keys.end());
  }
  return keys;
}

const HostKind* read_kind(const Field& field, Problems& problems) {
  const auto text = read_string(field, problems);
  if (!text) return nullptr;
  const auto& kinds = host_kinds();
  const auto kind = std::find_if(kinds.begin(), kinds.end(), [&](const HostKind& k) { return k.name == *text; });
  if (kind == kinds.end()) {
    problems.add(field, "unknown kind '" + *text + "' " + suggestion_note(*text, supported_kind_names(), "kinds"));
    return nullptr;
  }
  if (!kind->supported) {
    problems.add(field, "kind '" + *text + "' is not supported yet");
    return nullptr;
  }
  return &*kind;
}

void read_limits(const Field& field, HostLimits& limits, Problems& problems) {
  MapReader map(field, problems, "a map of limits (" + join(kLimitKeys) + ")");
  map.reject_unknown_keys(kLimitKeys);
  if (const auto value = map.optional("max_threads")) {
    if (const auto number = read_integer(*value, problems, {0, kNoMax})) limits.max_threads = static_cast<int>(*number);
  }
  if (const auto value = map.optional("test_timeout")) {
    const NumberRange range{0, false, config_limits::kMaxTestTimeoutSeconds, "7 days"};
    if (const auto seconds = read_number(*value, problems, range)) limits.test_timeout_cap = *seconds;
  }
}

// Where each machine of the fleet was first listed: one machine listed twice would run two agents whose tests
// disturb each other's measurements (ssh: same address and port), or share one cache (local: same work dir).
class HostPlaces {
 public:
  void add(const MapReader& entry, const HostConfig& host, Problems& problems) {
    if (host.kind == "ssh" && !host.ssh.address.empty()) {
      const std::string place = lower(host.ssh.address) + ":" + std::to_string(host.ssh.port);
      check(ssh_, place, entry.optional("address").value_or(entry.field()), host, problems,
            "the same address and port as", "one machine runs one agent at a time; list it once");
    } else if (host.kind == "local" || host.kind == "slurm") {
      std::string dir = std::filesystem::path(host.work_dir).lexically_normal().string();
      while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
      check(local_, dir, entry.optional("work_dir").value_or(entry.field()), host, problems, "the same work_dir as",
            "their agents would share one cache and scratch folder");
    }
  }

 private:
  struct First {
    std::string host;
    std::string path;
    int line;
  };

  static std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }

  static void check(std::unordered_map<std::string, First>& seen, const std::string& place, const Field& at,
                    const HostConfig& host, Problems& problems, const std::string& what, const std::string& why) {
    const auto [first, added] = seen.emplace(place, First{host.name, at.path, at.mark.line});
    if (added) return;
    problems.add(at, "host '" + host.name + "' has " + what + " host '" + first->second.host + "' (" +
                         first->second.path + ", line " + std::to_string(first->second.line) +
                         "): " + why);
  }

  std::unordered_map<std::string, First> ssh_;
  std::unordered_map<std::string, First> local_;
};

void read_host(const Field& field, UniqueNames& names, HostPlaces& places, FleetConfig& fleet, Problems& problems) {
  MapReader entry(field, problems, "a map describing a host (" + join(kCommonHostKeys) + ")");
  if (!entry.is_map()) return;
  HostConfig host;
  // The kind decides which keys are known, so it comes first. With a wrong kind the keys of the intended kind would
  // all look unknown; the kind error is the one that matters then.
  const auto kind_field = entry.optional("kind");
  const HostKind* kind = kind_field ? read_kind(*kind_field, problems) : nullptr;
  if (kind) {
    host.kind = kind->name;
    entry.reject_unknown_keys(host_keys(kind));
  } else if (!kind_field) {
    entry.reject_unknown_keys(host_keys(nullptr));  // a misspelt `kind` is likely among them
    entry.required("kind");                         // reported missing unless a misspelt key was offered `kind`
  }
  bool unique_name = false;
  if (const auto value = entry.required("name")) {
    if (const auto name = read_name(*value, problems)) {
      host.name = *name;
      unique_name = names.add(*name, *value, problems);
    }
  }
  if (kind && kind->read_keys) kind->read_keys(entry, host, problems);
  if (const auto value = entry.optional("labels")) {
    const auto labels = read_text_map(*value, problems, "a map of labels (name: value)");
    for (const auto& label : labels) host.labels[label.key] = label.value;
    if (host.kind == "slurm") read_slurm_labels(labels, host, problems);
  }
  if (const auto value = entry.optional("limits")) read_limits(*value, host.limits, problems);
  host.work_dir = "/tmp/dli-agent-" + host.name;
  // A batch job runs on a node the integrator does not choose: its work dir must be a folder both see (the
  // credentials file and task list are written there before the job is submitted), so no default guesses one.
  const auto work_dir = host.kind == "slurm" ? entry.required("work_dir") : entry.optional("work_dir");
  if (const auto value = work_dir) {
    if (const auto dir = read_string(*value, problems)) {
      if ((*dir)[0] == '/') {
        host.work_dir = *dir;
      } else {
        problems.add(*value, "expected an absolute path (the agent's folder on that host), got " + describe(value->node));
      }
    }
  }
  if (const auto value = entry.optional("maintenance")) {
    if (const auto reason = read_string(*value, problems)) host.maintenance = *reason;
  }
  if (unique_name) places.add(entry, host, problems);  // without a usable name, that is the error to fix first
  fleet.hosts.push_back(std::move(host));
}

}  // namespace

const HostConfig* FleetConfig::find(const std::string& name) const {
  const auto host = std::find_if(hosts.begin(), hosts.end(), [&](const HostConfig& h) { return h.name == name; });
  return host == hosts.end() ? nullptr : &*host;
}

FleetConfig parse_fleet(const std::string& yaml_text, const std::string& path) {
  FleetConfig fleet;
  fleet.path = config_files::absolute_path(path);
  Problems problems(fleet.path);
  const auto document = parse_document(yaml_text, problems);
  if (!document) problems.throw_if_any();

  MapReader top(*document, problems, "a map of fleet settings (" + join(kFleetKeys) + ")");
  top.reject_unknown_keys(kFleetKeys);
  if (const auto value = top.optional("store")) fleet.store_url = read_store_url(*value, problems).value_or("");
  if (const auto value = top.optional("history")) {
    fleet.history = read_history_location(*value, config_files::folder_of(fleet.path), problems).value_or("");
  }
  if (const auto value = top.optional("parallel")) {
    if (const auto number = read_integer(*value, problems, {1, 1024})) fleet.parallel = static_cast<int>(*number);
  }
  if (const auto value = top.optional("notify")) read_notify(*value, fleet.notify, problems);
  if (const auto value = top.required("hosts")) {
    if (const auto items = read_list(*value, problems, "hosts")) {
      UniqueNames names("host name");
      HostPlaces places;
      for (const auto& item : *items) read_host(item, names, places, fleet, problems);
    }
  }
  problems.throw_if_any();
  return fleet;
}

FleetConfig load_fleet(const std::string& path) {
  const std::string absolute = config_files::absolute_path(path);
  return parse_fleet(config_files::read_config_file(absolute), absolute);
}

}  // namespace dli
