#include "dli/protocol/work_dir.hpp"

#include <filesystem>

namespace dli {

std::string credentials_file_name(const std::string& run_id) { return "store-" + run_id + ".netrc"; }

std::string tasks_file_name(const std::string& run_id) { return "tasks-" + run_id + ".json"; }

std::string agent_output_file_name(const std::string& run_id) { return "agent-" + run_id + ".out"; }

std::string run_folder(const std::string& work_dir, const std::string& run_id) {
  return (std::filesystem::path(work_dir) / "runs" / run_id).string();
}

}  // namespace dli
