#pragma once
// The fleet of fleet_fixture.hpp, driven while faults are caused for real: the integrator runs in the background,
// and the test reads the run's progress straight from the FTP store's folder (this machine's filesystem) to pick
// its moment: kill a host's agent, the integrator, or the store server.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/protocol/protocol.hpp"
#include "integration/fleet_fixture.hpp"
#include "support/background_command.hpp"
#include "support/csv_table.hpp"
#include "support/host_status_files.hpp"

namespace dli::testing {

// Polls `condition` every 50 ms until it holds or `limit` passes; whether it held.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class FleetFaults : public FleetWorkspace {
 protected:
  // `launchers` null launchers x batch sizes 1 and 2 on every host: tests of about iterations x sleep_ms each,
  // that read no model (the model file is a placeholder of `model_bytes` random bytes, still uploaded and fetched).
  void write_null_sweep(int hosts, int launchers, int sleep_ms, int iterations, std::size_t model_bytes = 64) {
    write_fleet(hosts);
    std::string model(model_bytes, '\0');
    std::ifstream("/dev/urandom", std::ios::binary).read(model.data(), static_cast<std::streamsize>(model.size()));
    model_path_ = work.write("model.onnx", model);
    std::string list;
    for (int i = 0; i < launchers; ++i) {
      list += "  - {framework: \"null\", params: {sleep_ms: " + std::to_string(sleep_ms + i) + "}}\n";
    }
    work.write("sweep.yaml", "name: fleet-faults\nfleet: fleet.yaml\nmodels:\n  - {name: m, file: " + model_path_ +
                                 ", format: onnx, input_shape: [4]}\nlaunchers:\n" + list +
                                 "batch_sizes: [1, 2]\nmodes: [sync]\nthreads: [1]\nmeasure: {iterations: " +
                                 std::to_string(iterations) +
                                 ", min_seconds: 0, warmup_iterations: 1, timeout_seconds: 60}\n");
    tests_per_host_ = launchers * 2;
  }
  int tests_per_host() const { return tests_per_host_; }
  const std::string& model_path() const { return model_path_; }

  // `dli-integrator run` in the background, its output in integrator.log; `option` and `value` added when given.
  std::unique_ptr<BackgroundCommand> start_run(const std::string& store_url, const std::string& option = "",
                                               const std::string& value = "") const {
    std::vector<std::string> argv{DLI_INTEGRATOR_EXE, "run",  work.str("sweep.yaml"), "--store",
                                  store_url,          "--out", work.str("out"),       "--no-progress"};
    if (!option.empty()) argv.insert(argv.end(), {option, value});
    return std::make_unique<BackgroundCommand>(argv, work.str("integrator.log"));
  }

  std::filesystem::path runs_dir() const { return std::filesystem::path(ftp_store_dir()) / "runs"; }
  std::filesystem::path host_dir(const std::string& run_id, const std::string& host) const {
    return runs_dir() / run_id / "hosts" / host;
  }

  // The run in this (fresh) store once its manifest is published; empty if none within `limit`.
  std::string wait_for_run(std::chrono::milliseconds limit = std::chrono::seconds(120)) const {
    std::string run_id;
    eventually(
        [&] {
          std::error_code error;
          for (std::filesystem::directory_iterator it(runs_dir(), error), end; !error && it != end; it.increment(error)) {
            if (std::filesystem::exists(it->path() / "manifest.json")) run_id = it->path().filename().string();
          }
          return !run_id.empty();
        },
        limit);
    return run_id;
  }

  // Ids of the results published under their final keys (temporary uploads start with '.').
  std::set<std::string> results_of(const std::string& run_id, const std::string& host) const {
    std::set<std::string> ids;
    std::error_code error;
    for (std::filesystem::directory_iterator it(host_dir(run_id, host) / "results", error), end;
         !error && it != end; it.increment(error)) {
      const std::string name = it->path().filename().string();
      if (name[0] != '.' && it->path().extension() == ".json") ids.insert(it->path().stem().string());
    }
    return ids;
  }
  // What the results say, by test id (to prove a result was not measured again).
  std::map<std::string, std::string> result_texts(const std::string& run_id, const std::string& host) const {
    std::map<std::string, std::string> texts;
    for (const auto& id : results_of(run_id, host)) {
      texts[id] = read_file((host_dir(run_id, host) / "results" / (id + ".json")).string());
    }
    return texts;
  }
  std::set<std::string> planned_ids(const std::string& run_id, const std::string& host) const {
    std::set<std::string> ids;
    const auto tasks =
        task_list_from_json(nlohmann::json::parse(read_file((host_dir(run_id, host) / "tasks.json").string())));
    for (const auto& spec : tasks.tests) ids.insert(spec.id);
    return ids;
  }
  std::optional<HostStatus> status_of(const std::string& run_id, const std::string& host) const {
    try {
      const std::string document = latest_status_document(ftp_store_dir(), run_id, host);
      if (document.empty()) return std::nullopt;
      return host_status_from_json(nlohmann::json::parse(document));
    } catch (const std::exception&) {
      return std::nullopt;  // not written yet, or being replaced
    }
  }
  // The pid the host's agent reports once it runs; 0 if it does not within `limit`.
  int running_agent_pid(const std::string& run_id, const std::string& host,
                        std::chrono::milliseconds limit = std::chrono::seconds(60)) const {
    int pid = 0;
    eventually(
        [&] {
          const auto status = status_of(run_id, host);
          if (status && status->state == HostState::kRunning) pid = status->pid;
          return pid > 0;
        },
        limit);
    return pid;
  }

 private:
  std::string model_path_;
  int tests_per_host_ = 0;
};

// Rows of a results.csv by host name.
inline std::map<std::string, std::vector<std::size_t>> csv_rows_by_host(const CsvTable& csv) {
  std::map<std::string, std::vector<std::size_t>> rows;
  for (std::size_t row = 0; row < csv.size(); ++row) rows[csv.at(row, "host")].push_back(row);
  return rows;
}

// (host, task) pairs that appear in more than one row: must be none.
inline std::vector<std::string> duplicate_rows(const CsvTable& csv) {
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<std::string> duplicates;
  for (std::size_t row = 0; row < csv.size(); ++row) {
    if (!seen.insert({csv.at(row, "host"), csv.at(row, "task")}).second) {
      duplicates.push_back(csv.at(row, "host") + "/" + csv.at(row, "task"));
    }
  }
  return duplicates;
}

}  // namespace dli::testing
