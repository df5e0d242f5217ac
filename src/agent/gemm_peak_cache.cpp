#include "dli/agent/gemm_peak_cache.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "dli/agent/runner_registry.hpp"
#include "dli/util/captured_child.hpp"
#include "dli/util/local_file.hpp"
#include "dli/util/version.hpp"

namespace dli {
namespace {

// n = 2048 calls take about 0.3 s each on a small core; the measure stops after 3 calls and 1 s.
constexpr double kMeasureTimeoutSeconds = 120;

}  // namespace

std::string gemm_peak_cache_text(const GemmPeak& peak, const std::string& boot_id) {
  return nlohmann::json{{"boot_id", boot_id}, {"agent_version", kVersion}, {"gemm_peak", to_json(peak)}}.dump(1);
}

std::optional<GemmPeak> gemm_peak_from_cache(const std::string& text, const std::string& boot_id) {
  if (boot_id.empty()) return std::nullopt;  // without a boot id there is no telling a reboot
  try {
    const nlohmann::json cache = nlohmann::json::parse(text);
    if (cache.at("boot_id").get<std::string>() != boot_id) return std::nullopt;
    if (cache.at("agent_version").get<std::string>() != kVersion) return std::nullopt;
    return gemm_peak_from_json(cache.at("gemm_peak"));
  } catch (const std::exception&) {
    return std::nullopt;  // a damaged cache is measured again, never trusted
  }
}

std::string gemm_peak_cache_path() {
  return (std::filesystem::temp_directory_path() / ("dli-gemm-peak-" + std::to_string(::getuid()) + ".json")).string();
}

HostGemmPeak host_gemm_peak(const std::string& program) {
  const auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  };
  std::string boot_id = read("/proc/sys/kernel/random/boot_id");
  while (!boot_id.empty() && (boot_id.back() == '\n' || boot_id.back() == ' ')) boot_id.pop_back();
  const std::string path = gemm_peak_cache_path();
  if (auto cached = gemm_peak_from_cache(read(path), boot_id)) return {cached, ""};
  if (program.empty()) return {std::nullopt, std::string("no ") + kGemmPeakProgram + " on this host"};
  ChildOptions child;
  child.argv = {program};
  child.timeout_seconds = kMeasureTimeoutSeconds;
  child.scrub_env = true;
  child.extra_env = runner_environment(process_environment());
  const CapturedChild captured = run_captured(child);
  if (const std::string why = why_no_answer(captured, kMeasureTimeoutSeconds); !why.empty()) {
    return {std::nullopt, program + ": " + why};
  }
  GemmPeak peak;
  try {
    peak = gemm_peak_from_json(nlohmann::json::parse(captured.output));
  } catch (const std::exception& error) {
    return {std::nullopt, program + ": " + error.what()};
  }
  try {
    write_file_atomically(path, gemm_peak_cache_text(peak, boot_id));
  } catch (const std::exception&) {
    // Without a cache the next run measures again: slower, never wrong.
  }
  return {peak, ""};
}

}  // namespace dli
