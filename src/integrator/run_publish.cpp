#include "dli/integrator/run_publish.hpp"

#include <cstdint>
#include <random>
#include <set>

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include "dli/util/clock.hpp"

namespace dli {

std::string run_id_now(const std::string& sweep_name) { return utc_now_compact() + "-" + sweep_name; }

Result<std::string> free_run_id(Store& store, const std::string& wanted) {
  auto existing = store.list("runs");
  if (!existing) return existing.error();
  const std::set<std::string> taken(existing.value().begin(), existing.value().end());
  std::string id = wanted;
  for (int suffix = 2; taken.count(id) != 0; ++suffix) id = wanted + "-" + std::to_string(suffix);
  return id;
}

Result<std::string> new_run_id(Store& store, const std::string& sweep_name) {
  return free_run_id(store, run_id_now(sweep_name));
}

std::string new_launch_token() {
  std::random_device random;
  std::string token;
  for (int i = 0; i < 4; ++i) token += fmt::format("{:08x}", static_cast<std::uint32_t>(random()));
  return token;
}

namespace {

Status upload_model(Store& store, const std::string& local_path, const std::string& sha256) {
  const std::string key = layout::model(sha256);
  auto present = store.exists(key);
  if (!present) return present.error();
  if (present.value()) {
    spdlog::debug("model {} already in the store", sha256);
    return {};
  }
  spdlog::info("uploading model {} as {}", local_path, key);
  return store.put_file(key, local_path);
}

}  // namespace

Result<Manifest> publish_run(Store& store, const Plan& plan, const std::string& run_id, const std::string& launch) {
  std::set<std::string> uploaded;
  for (const auto& [path, sha256] : plan.hashes) {
    if (!uploaded.insert(sha256).second) continue;
    if (auto status = upload_model(store, path, sha256); !status) return status.error();
  }
  for (const auto& [source, dataset] : plan.datasets) {
    if (!uploaded.insert(dataset.sha256).second) continue;
    const std::string key = layout::model(dataset.sha256);
    auto present = store.exists(key);
    if (!present) return present.error();
    if (present.value()) continue;
    spdlog::info("uploading dataset {} ({} samples) as {}", source, dataset.samples, key);
    if (auto status = store.put(key, dataset.bytes); !status) return status.error();
  }

  // The run's folders at once, top down: otherwise every first write into each of them (a task list, each agent's
  // first log and result, the first heartbeat) learns of its missing folder from a refused upload.
  std::vector<std::string> folders{layout::status_dir(run_id)};
  for (const auto& host : plan.hosts) {
    folders.push_back(layout::results_dir(run_id, host.host.name));
    folders.push_back(layout::logs_dir(run_id, host.host.name));
  }
  if (auto made = store.make_folders(folders); !made) return made.error();

  Manifest manifest;
  manifest.run_id = run_id;
  manifest.sweep_name = plan.sweep.name;
  manifest.created_at = utc_now_iso8601();
  manifest.maintenance = plan.maintenance;
  manifest.capacity = plan.sweep.capacity;
  manifest.launch = launch;
  for (const auto& host : plan.hosts) {
    TaskList tasks;
    tasks.run_id = run_id;
    tasks.host = host.host.name;
    tasks.tests = host.tests;
    if (auto status = store.put(layout::tasks(run_id, host.host.name), to_json(tasks).dump(1)); !status) {
      return status.error();
    }
    manifest.hosts.push_back({host.host.name, host.host.kind, static_cast<int>(host.tests.size())});
  }
  if (auto status = store.put(layout::manifest(run_id), to_json(manifest).dump(1)); !status) return status.error();
  return manifest;
}

}  // namespace dli
