#include "dli/integrator/scheduler_jobs.hpp"

#include <nlohmann/json.hpp>

#include "dli/protocol/protocol.hpp"
#include "dli/util/clock.hpp"

namespace dli {

namespace {

Result<nlohmann::json> read_jobs(Store& store, const std::string& key) {
  auto text = store.get(key);
  if (!text) {
    if (text.error().kind == ErrorKind::kNotFound) return nlohmann::json::array();
    return text.error();
  }
  try {
    const auto document = nlohmann::json::parse(text.value());
    if (document.value("protocol", 0) != kProtocolVersion) {
      return Error{key + ": protocol version " + document.value("protocol", nlohmann::json(0)).dump() +
                   " is not supported (this build reads version " + std::to_string(kProtocolVersion) + ")"};
    }
    const auto& jobs = document.at("jobs");
    if (!jobs.is_array()) return Error{key + ": `jobs` is not an array"};
    return jobs;
  } catch (const nlohmann::json::exception& error) {
    return Error{key + ": " + error.what()};
  }
}

}  // namespace

Status record_scheduler_job(Store& store, const std::string& run_id, const std::string& host,
                            const std::string& job_id) {
  const std::string key = layout::scheduler_jobs(run_id, host);
  auto jobs = read_jobs(store, key);
  if (!jobs) return jobs.error();
  jobs.value().push_back({{"scheduler", "slurm"}, {"id", job_id}, {"submitted_at", utc_now_iso8601()}});
  const nlohmann::json document = {{"protocol", kProtocolVersion}, {"host", host}, {"jobs", jobs.value()}};
  return store.put(key, document.dump(1));
}

Result<std::map<std::string, std::vector<std::string>>> recorded_scheduler_jobs(Store& store,
                                                                                const std::string& run_id) {
  auto manifest_text = store.get(layout::manifest(run_id));
  if (!manifest_text) return manifest_text.error();
  Manifest manifest;
  try {
    manifest = manifest_from_json(nlohmann::json::parse(manifest_text.value()));
  } catch (const std::exception& error) {
    return Error{"manifest of run " + run_id + ": " + error.what()};
  }
  std::map<std::string, std::vector<std::string>> by_host;
  for (const auto& host : manifest.hosts) {
    if (host.kind != "slurm") continue;
    auto jobs = read_jobs(store, layout::scheduler_jobs(run_id, host.name));
    if (!jobs) return jobs.error();
    for (const auto& job : jobs.value()) {
      if (job.is_object() && job.value("id", "") != "") by_host[host.name].push_back(job.value("id", ""));
    }
  }
  return by_host;
}

}  // namespace dli
