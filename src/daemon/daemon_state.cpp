// The daemon's state file (daemon_state.hpp; docs/daemon.md, "State file").
#include "dli/daemon/daemon_state.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "dli/util/local_file.hpp"

namespace dli {

namespace {

using nlohmann::json;

void put_time(json& object, const char* key, const std::optional<std::time_t>& at) {
  if (at) object[key] = static_cast<std::int64_t>(*at);
}

std::optional<std::time_t> get_time(const json& object, const char* key) {
  if (!object.contains(key)) return std::nullopt;
  return static_cast<std::time_t>(object.at(key).get<std::int64_t>());
}

}  // namespace

const ActiveRun* DaemonState::find_active(const std::string& sweep) const {
  const auto found = std::find_if(active.begin(), active.end(), [&](const ActiveRun& run) { return run.sweep == sweep; });
  return found == active.end() ? nullptr : &*found;
}

std::string encode_daemon_state(const DaemonState& state) {
  json document = {{"version", kDaemonStateVersion},
                   {"daemon_pid", state.daemon_pid},
                   {"updated_at", static_cast<std::int64_t>(state.updated_at)},
                   {"sweeps", json::object()},
                   {"active", json::array()}};
  for (const auto& [name, record] : state.sweeps) {
    json entry = {{"runs", record.runs},
                  {"tests_ok", record.tests_ok},
                  {"tests_failed", record.tests_failed},
                  {"hosts_lost", record.hosts_lost},
                  {"store_errors", record.store_errors},
                  {"last_run_id", record.last_run_id},
                  {"last_exit_code", record.last_exit_code}};
    put_time(entry, "last_slot", record.last_slot);
    put_time(entry, "last_success", record.last_success);
    document["sweeps"][name] = entry;
  }
  for (const auto& run : state.active) {
    document["active"].push_back({{"sweep", run.sweep},
                                  {"run_id", run.run_id},
                                  {"slot", static_cast<std::int64_t>(run.slot)},
                                  {"started_at", static_cast<std::int64_t>(run.started_at)},
                                  {"pid", run.pid},
                                  {"attempts", run.attempts}});
  }
  return document.dump(2) + "\n";
}

DaemonState decode_daemon_state(const std::string& text) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& error) {
    throw std::runtime_error(std::string("not JSON: ") + error.what());
  }
  try {
    const int version = document.at("version").get<int>();
    if (version != kDaemonStateVersion) {
      throw std::runtime_error("state version " + std::to_string(version) + ", this daemon reads version " +
                               std::to_string(kDaemonStateVersion));
    }
    DaemonState state;
    state.daemon_pid = document.value("daemon_pid", 0);
    state.updated_at = static_cast<std::time_t>(document.value("updated_at", std::int64_t{0}));
    for (const auto& [name, entry] : document.at("sweeps").items()) {
      SweepRecord record;
      record.last_slot = get_time(entry, "last_slot");
      record.last_success = get_time(entry, "last_success");
      record.runs = entry.value("runs", std::int64_t{0});
      record.tests_ok = entry.value("tests_ok", std::int64_t{0});
      record.tests_failed = entry.value("tests_failed", std::int64_t{0});
      record.hosts_lost = entry.value("hosts_lost", std::int64_t{0});
      record.store_errors = entry.value("store_errors", std::int64_t{0});
      record.last_run_id = entry.value("last_run_id", std::string());
      record.last_exit_code = entry.value("last_exit_code", -1);
      state.sweeps[name] = record;
    }
    for (const auto& entry : document.at("active")) {
      ActiveRun run;
      run.sweep = entry.at("sweep").get<std::string>();
      run.run_id = entry.at("run_id").get<std::string>();
      run.slot = static_cast<std::time_t>(entry.at("slot").get<std::int64_t>());
      run.started_at = static_cast<std::time_t>(entry.value("started_at", std::int64_t{0}));
      run.pid = entry.value("pid", 0);
      run.attempts = entry.value("attempts", 1);
      state.active.push_back(run);
    }
    return state;
  } catch (const json::exception& error) {
    throw std::runtime_error(std::string("unexpected content: ") + error.what());
  }
}

DaemonState read_daemon_state(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return {};
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  if (!file) throw std::runtime_error("cannot read the daemon's state file " + path);
  try {
    return decode_daemon_state(text.str());
  } catch (const std::runtime_error& problem) {
    throw std::runtime_error("the daemon's state file " + path + ": " + problem.what());
  }
}

void write_daemon_state(const std::string& path, const DaemonState& state) {
  write_file_durably(path, encode_daemon_state(state));
}

}  // namespace dli
