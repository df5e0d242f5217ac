// Where each object of a run lives in the store (docs/protocol.md, "Store layout").
#include "dli/protocol/protocol.hpp"

namespace dli::layout {

std::string model(const std::string& sha256) { return "models/" + sha256; }
std::string run_dir(const std::string& run) { return "runs/" + run; }
std::string manifest(const std::string& run) { return run_dir(run) + "/manifest.json"; }
std::string host_dir(const std::string& run, const std::string& host) { return run_dir(run) + "/hosts/" + host; }
std::string tasks(const std::string& run, const std::string& host) { return host_dir(run, host) + "/tasks.json"; }
std::string status_dir(const std::string& run) { return run_dir(run) + "/status"; }
std::string status_entry(const std::string& run, const std::string& name) { return status_dir(run) + "/" + name; }
std::string results_dir(const std::string& run, const std::string& host) { return host_dir(run, host) + "/results"; }
std::string result(const std::string& run, const std::string& host, const std::string& test_id) {
  return results_dir(run, host) + "/" + test_id + ".json";
}
std::string logs_dir(const std::string& run, const std::string& host) { return host_dir(run, host) + "/logs"; }
std::string log(const std::string& run, const std::string& host, const std::string& test_id) {
  return logs_dir(run, host) + "/" + test_id + ".log";
}
std::string agent_log(const std::string& run, const std::string& host) { return host_dir(run, host) + "/agent.log"; }
std::string host_info(const std::string& run, const std::string& host) { return host_dir(run, host) + "/host.json"; }
std::string scheduler_jobs(const std::string& run, const std::string& host) {
  return host_dir(run, host) + "/jobs.json";
}

}  // namespace dli::layout
