#include "dli/agent/run_scratch.hpp"

#include <filesystem>
#include <system_error>

#include "dli/protocol/work_dir.hpp"

namespace dli {

std::string remove_run_scratch(const std::string& work_dir, const std::string& run_id) {
  namespace fs = std::filesystem;
  std::string left;
  for (const fs::path& path : {fs::path(run_folder(work_dir, run_id)), fs::path(work_dir) / tasks_file_name(run_id),
                                fs::path(work_dir) / agent_output_file_name(run_id)}) {
    std::error_code error;
    fs::remove_all(path, error);
    if (error) left += (left.empty() ? "" : "; ") + path.string() + ": " + error.message();
  }
  return left;
}

}  // namespace dli
