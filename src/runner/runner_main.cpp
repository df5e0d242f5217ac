// The main of every C++ runner (docs/runners.md): `describe` and `run`.
#include "dli/runner/runner_main.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "dli/protocol/runner_protocol.hpp"
#include "dli/runner/run_test.hpp"
#include "dli/util/local_file.hpp"

namespace dli::runner {
namespace {

constexpr const char* kUsage =
    "usage: dli-run-<framework> describe\n"
    "       dli-run-<framework> run --request REQUEST.json --result RESULT.json\n"
    "(the runner protocol: docs/runners.md)\n";

// Logs go to stderr, which the agent captures into the test's log; stdout carries only `describe`'s document.
void configure_logging() {
  auto logger = std::make_shared<spdlog::logger>("runner", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
}

int describe(Framework& framework) {
  RunnerDescription description;
  try {
    const Capabilities capabilities = framework.describe();
    description.framework = capabilities.framework;
    description.version = capabilities.version;
    description.formats = capabilities.formats;
    description.devices = capabilities.devices;
  } catch (const std::exception& error) {
    description.available = false;
    description.reason = error.what();
  }
  std::cout << to_json(description).dump() << std::endl;
  return runner_exit::kOk;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int run(Framework& framework, const std::string& request_path, const std::string& result_path) {
  RunnerResult result;
  try {
    const RunnerRequest request = runner_request_from_json(nlohmann::json::parse(read_text(request_path)));
    spdlog::info("runner {} test {} ({})", request.spec.framework, test_label(request.spec), request.spec.id);
    result = run_test(framework, request);
  } catch (const std::exception& error) {  // an unreadable request
    result.status = RunnerStatus::kFailed;
    result.reason = error.what();
  }
  if (result.status != RunnerStatus::kOk) spdlog::error("{}: {}", to_string(result.status), result.reason);
  try {
    // The request times go beside the result in binary (a null test can time millions of them); the result names
    // the file (docs/runners.md 3.3).
    if (result.measurement) {
      const std::string times_path = result_path + ".times";
      write_file_atomically(times_path, encode_request_times(result.measurement->request_seconds));
      result.measurement->times_file = std::filesystem::path(times_path).filename().string();
      result.measurement->request_seconds.clear();
    }
    write_file_atomically(result_path, to_json(result).dump(1) + "\n");
  } catch (const std::exception& error) {
    spdlog::error("cannot write the result {}: {}", result_path, error.what());
    return runner_exit::kFailed;
  }
  return exit_code_of(result.status);
}

}  // namespace

int runner_main(int argc, char** argv, Framework& framework) {
  configure_logging();
  const std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "describe" && argc == 2) return describe(framework);
    if (command == "run" && argc == 6 && std::strcmp(argv[2], "--request") == 0 &&
        std::strcmp(argv[4], "--result") == 0) {
      return run(framework, argv[3], argv[5]);
    }
  } catch (const std::exception& error) {
    std::cerr << "dli runner: " << error.what() << "\n";
    return runner_exit::kFailed;
  }
  std::cerr << kUsage;
  return runner_exit::kUsage;
}

}  // namespace dli::runner
