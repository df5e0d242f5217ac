#include "dli/agent/accelerators.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "dli/util/child_process.hpp"

namespace dli {

namespace {

constexpr double kNvidiaSmiTimeoutSeconds = 5;
constexpr std::size_t kMaxToolOutputBytes = 1 << 20;  // a fleet node has a few GPUs; more is a broken tool

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// nvidia-smi writes "[N/A]", "[Not Supported]", "[Unknown Error]" for what it cannot tell; some versions drop the
// brackets. They all mean "unknown".
std::string known_or_empty(const std::string& field) {
  const std::string value = trim(field);
  if (value.empty() || value.front() == '[' || value == "N/A") return "";
  return value;
}

// Unlike getline, keeps a trailing empty field: "a,b," is three fields.
std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (auto comma = line.find(','); comma != std::string::npos; comma = line.find(',', start)) {
    fields.push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
  fields.push_back(line.substr(start));
  return fields;
}

std::optional<long long> parse_integer(const std::string& text) {
  long long value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end || text.empty()) return std::nullopt;
  return value;
}

// "143771 MiB" (csv) or "143771" (csv,nounits); anything else is unknown.
long long parse_memory_mib(const std::string& field) {
  std::string value = known_or_empty(field);
  const std::string unit = "MiB";
  if (value.size() > unit.size() && value.compare(value.size() - unit.size(), unit.size(), unit) == 0) {
    value = trim(value.substr(0, value.size() - unit.size()));
  }
  const auto mib = parse_integer(value);
  return mib && *mib >= 0 ? *mib : 0;
}

// The driver's "0000:3b:00.0" in nvidia-smi's spelling "00000000:3B:00.0", so a record does not depend on which
// source described the card.
std::string normalise_bus_id(const std::string& bus) {
  std::string id = bus;
  for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto colon = id.find(':');
  if (colon != std::string::npos && colon < 8 && id.find(':', colon + 1) != std::string::npos) {
    id.insert(0, 8 - colon, '0');
  }
  return id;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string find_nvidia_smi() {
  auto executable = [](const std::filesystem::path& path) {
    std::error_code error;
    return std::filesystem::is_regular_file(path, error) && ::access(path.c_str(), X_OK) == 0;
  };
  if (const char* path = std::getenv("PATH")) {
    std::istringstream folders(path);
    for (std::string folder; std::getline(folders, folder, ':');) {
      if (!folder.empty() && executable(std::filesystem::path(folder) / "nvidia-smi")) {
        return (std::filesystem::path(folder) / "nvidia-smi").string();
      }
    }
  }
  // The agent's environment may be scrubbed (started by a launcher with a minimal PATH).
  return executable("/usr/bin/nvidia-smi") ? "/usr/bin/nvidia-smi" : "";
}

// Standard output of a fixed command line when it exits 0 within the limit; nullopt otherwise (a hung driver must
// not hang the agent's start). Standard error is discarded: it is for a person, and the parsers skip stray text.
std::optional<std::string> run_for_output(std::vector<std::string> args, double timeout_seconds) {
  char folder[] = "/tmp/dli-nvidia-smi-XXXXXX";
  if (::mkdtemp(folder) == nullptr) return std::nullopt;
  ChildOptions child;
  child.argv = std::move(args);
  child.output_path = std::string(folder) + "/out";
  child.error_path = std::string(folder) + "/err";
  child.timeout_seconds = timeout_seconds;
  child.kill_grace_seconds = 0.5;
  const ChildOutcome outcome = run_child(child);
  std::string output = read_text(child.output_path);
  std::error_code ignored;
  std::filesystem::remove_all(folder, ignored);
  const bool ok = outcome.kind == ChildOutcome::Kind::kExited && outcome.exit_code == 0 &&
                  output.size() <= kMaxToolOutputBytes;
  return ok ? std::optional<std::string>(std::move(output)) : std::nullopt;
}

std::vector<Accelerator> from_nvidia_smi() {
  const std::string tool = find_nvidia_smi();
  if (tool.empty()) return {};
  const auto output = run_for_output(
      {tool, "--query-gpu=index,name,uuid,memory.total,driver_version,compute_cap,pci.bus_id", "--format=csv,noheader"},
      kNvidiaSmiTimeoutSeconds);
  return output ? parse_nvidia_smi_csv(*output) : std::vector<Accelerator>{};
}

std::vector<Accelerator> from_proc() {
  const std::filesystem::path gpus = "/proc/driver/nvidia/gpus";
  std::error_code error;
  std::vector<std::string> texts;
  for (std::filesystem::directory_iterator entry(gpus, error), end; !error && entry != end; entry.increment(error)) {
    texts.push_back(read_text((entry->path() / "information").string()));
  }
  std::vector<Accelerator> found = parse_proc_nvidia(texts);
  const std::string driver = parse_proc_nvidia_version(read_text("/proc/driver/nvidia/version"));
  for (auto& accelerator : found) accelerator.driver = driver;
  return found;
}

}  // namespace

std::vector<Accelerator> parse_nvidia_smi_csv(const std::string& text) {
  std::vector<Accelerator> found;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const std::vector<std::string> fields = split_commas(line);
    if (fields.size() != 7) continue;
    const auto index = parse_integer(trim(fields[0]));
    if (!index || *index < 0 || *index > 1'000'000) continue;
    Accelerator accelerator;
    accelerator.index = static_cast<int>(*index);
    accelerator.name = known_or_empty(fields[1]);
    accelerator.uuid = known_or_empty(fields[2]);
    accelerator.memory_mib = parse_memory_mib(fields[3]);
    accelerator.driver = known_or_empty(fields[4]);
    accelerator.compute_capability = known_or_empty(fields[5]);
    accelerator.bus_id = normalise_bus_id(known_or_empty(fields[6]));
    found.push_back(accelerator);
  }
  return found;
}

std::vector<Accelerator> parse_proc_nvidia(const std::vector<std::string>& information_files) {
  std::vector<Accelerator> found;
  for (const auto& text : information_files) {
    Accelerator accelerator;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      const std::string key = trim(line.substr(0, colon));
      const std::string value = known_or_empty(line.substr(colon + 1));
      if (key == "Model") accelerator.name = value;
      if (key == "GPU UUID") accelerator.uuid = value;
      if (key == "Bus Location") accelerator.bus_id = normalise_bus_id(value);
    }
    if (!accelerator.name.empty() || !accelerator.uuid.empty()) found.push_back(accelerator);
  }
  // nvidia-smi numbers GPUs in PCI bus order; the folder listing has no order. Unknown buses go last.
  std::stable_sort(found.begin(), found.end(), [](const Accelerator& a, const Accelerator& b) {
    return std::make_tuple(a.bus_id.empty(), a.bus_id) < std::make_tuple(b.bus_id.empty(), b.bus_id);
  });
  for (std::size_t i = 0; i < found.size(); ++i) found[i].index = static_cast<int>(i);
  return found;
}

std::string parse_proc_nvidia_version(const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("NVRM version:", 0) != 0) continue;
    // The first word of digits and dots: "NVIDIA UNIX x86_64" holds digits too, but not only digits and dots.
    std::istringstream words(line.substr(std::string("NVRM version:").size()));
    for (std::string word; words >> word;) {
      if (std::isdigit(static_cast<unsigned char>(word[0])) && word.find('.') != std::string::npos &&
          word.find_first_not_of("0123456789.") == std::string::npos) {
        return word;
      }
    }
  }
  return "";
}

std::vector<Accelerator> describe_accelerators() {
  std::vector<Accelerator> found = from_nvidia_smi();
  if (found.empty()) found = from_proc();  // no nvidia-smi, or it failed (driver/library mismatch)
  return found;
}

}  // namespace dli
