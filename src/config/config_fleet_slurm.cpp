// Host entries of kind slurm: the agent runs as a batch job; what the job asks of the scheduler comes from the
// host's `slurm.*` labels (docs/slurm.md), checked here so that sbatch never refuses a job at run time for a typo.
#include <cctype>
#include <optional>
#include <string>

#include "config_host_kinds.hpp"
#include "config_spelling.hpp"
#include "dli/util/text.hpp"

namespace dli::config_yaml {

const std::vector<std::string> kSlurmHostKeys = {"agent_path"};

namespace {

const std::vector<std::string> kSlurmLabels = {"slurm.partition", "slurm.account", "slurm.qos", "slurm.time",
                                               "slurm.constraint", "slurm.gres", "slurm.exclusive"};

bool all_digits(const std::string& text) {
  if (text.empty() || text.size() > 9) return false;  // bounded: no overflow, and no sane limit needs more
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A name sbatch takes as one argument value: no spaces or control characters, nothing a shell or Slurm would
// read as a separator.
bool plain_value(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isspace(u) || std::iscntrl(u) || c == '\'' || c == '"' || c == '\\' || c == '$' || c == '`') return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> slurm_time_problem(const std::string& text) {
  const std::string forms =
      "expected a Slurm time limit: MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, DAYS-HOURS, "
      "DAYS-HOURS:MINUTES or DAYS-HOURS:MINUTES:SECONDS (e.g. 90, 1:30:00, 2-00)";
  std::string clock = text;
  bool with_days = false;
  if (const std::size_t dash = text.find('-'); dash != std::string::npos) {
    if (!all_digits(text.substr(0, dash))) return forms + ", got '" + text + "'";
    clock = text.substr(dash + 1);
    with_days = true;
  }
  const auto parts = split(clock, ':');
  if (parts.size() > 3) return forms + ", got '" + text + "'";
  for (const auto& part : parts) {
    if (!all_digits(part)) return forms + ", got '" + text + "'";
  }
  // Minutes and seconds after the first field are clock digits; the first field may be any number.
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (std::stol(parts[i]) > 59) {
      return "minutes and seconds after the first field must be below 60, got '" + text + "'";
    }
  }
  if (with_days && std::stol(parts[0]) > 23) return "hours after DAYS- must be below 24, got '" + text + "'";
  bool zero = true;
  for (const auto& part : parts) zero = zero && std::stol(part) == 0;
  if (zero && !with_days) return "a time limit of zero: leave slurm.time out for the partition's default";
  return std::nullopt;
}

void read_slurm_host_keys(const MapReader& entry, HostConfig& host, Problems& problems) {
  read_agent_path(entry, host, problems);
}

void read_slurm_labels(const std::vector<TextEntry>& labels, HostConfig& host, Problems& problems) {
  SlurmJobSettings& job = host.slurm;
  for (const auto& label : labels) {
    if (label.key.rfind("slurm.", 0) != 0) continue;  // other labels select hosts in sweeps
    if (label.key == "slurm.exclusive") {
      if (const auto choice = read_choice(label.value_field, problems, {"true", "false"})) {
        job.exclusive = *choice == "true";
      }
      continue;
    }
    if (label.key == "slurm.time") {
      if (const auto problem = slurm_time_problem(label.value)) {
        problems.add(label.value_field, *problem);
      } else {
        job.time_limit = label.value;
      }
      continue;
    }
    std::string* target = label.key == "slurm.partition"    ? &job.partition
                          : label.key == "slurm.account"    ? &job.account
                          : label.key == "slurm.qos"        ? &job.qos
                          : label.key == "slurm.constraint" ? &job.constraint
                          : label.key == "slurm.gres"       ? &job.gres
                                                            : nullptr;
    if (target == nullptr) {
      problems.add(label.key_field, "unknown Slurm label '" + label.key + "' " +
                                        suggestion_note(label.key, kSlurmLabels, "Slurm labels"));
      continue;
    }
    if (!plain_value(label.value)) {
      problems.add(label.value_field, "expected a single word (no spaces, quotes, '\\', '$' or '`'), got '" +
                                          label.value + "'");
      continue;
    }
    *target = label.value;
  }
}

}  // namespace dli::config_yaml
