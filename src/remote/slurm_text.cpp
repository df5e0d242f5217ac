// Slurm's command lines and outputs (docs/slurm.md). Fields are separated by '|', which no job id, state, node
// list, partition, time or reason holds; a feature expression may ("a|b"), so it comes last and takes the rest.
#include "dli/remote/slurm_text.hpp"

#include <cctype>
#include <sstream>

#include <fmt/format.h>

#include "dli/remote/host_shell_ssh.hpp"
#include "dli/util/text.hpp"

namespace dli {

namespace {

std::string join(const std::vector<std::string>& items, char separator) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

std::string trim(const std::string& text) {
  std::size_t first = 0, last = text.size();
  while (first < last && std::isspace(static_cast<unsigned char>(text[first]))) ++first;
  while (last > first && std::isspace(static_cast<unsigned char>(text[last - 1]))) --last;
  return text.substr(first, last - first);
}

bool is_job_id(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '_') return false;  // 12, or an array task 12_3
  }
  return true;
}

int to_int(const std::string& text, int fallback) {
  if (text.empty() || text.size() > 9) return fallback;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return fallback;
  }
  return std::stoi(text);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    line = trim(line);
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// "CANCELLED by 0" (sacct) reads as CANCELLED.
std::string state_word(const std::string& text) { return trim(text.substr(0, text.find(' '))); }

const char kSqueueFormat[] = "JobID:|,State:|,NodeList:|,Partition:|,TimeLimit:|,exit_code:|,Reason:|,Feature:|";

}  // namespace

std::vector<std::string> sbatch_arguments(const JobRequest& request) {
  std::vector<std::string> args = {"--parsable", "--job-name=" + request.name, "--chdir=" + request.work_dir,
                                   "--output=" + request.output_path};
  for (auto& arg : job_options(request.settings)) args.push_back(std::move(arg));
  return args;
}

std::vector<std::string> job_options(const SlurmJobSettings& settings) {
  std::vector<std::string> args = {"--nodes=1", "--ntasks=1"};
  if (!settings.partition.empty()) args.push_back("--partition=" + settings.partition);
  if (!settings.account.empty()) args.push_back("--account=" + settings.account);
  if (!settings.qos.empty()) args.push_back("--qos=" + settings.qos);
  if (!settings.time_limit.empty()) args.push_back("--time=" + settings.time_limit);
  if (!settings.constraint.empty()) args.push_back("--constraint=" + settings.constraint);
  if (!settings.gres.empty()) args.push_back("--gres=" + settings.gres);
  if (settings.exclusive) args.push_back("--exclusive");
  return args;
}

Result<std::string> parse_sbatch_output(const std::string& output) {
  for (const auto& line : lines_of(output)) {
    const std::string id = line.substr(0, line.find(';'));
    if (is_job_id(id)) return id;
  }
  return Error{"sbatch printed no job id: " + trim(output)};
}

std::vector<std::string> squeue_arguments(const std::vector<std::string>& ids) {
  return {"--noheader", "--states=all", "--jobs=" + join(ids, ','), std::string("--Format=") + kSqueueFormat};
}

std::map<std::string, JobRecord> parse_squeue(const std::string& output) {
  std::map<std::string, JobRecord> records;
  for (const auto& line : lines_of(output)) {
    auto fields = split(line, '|');
    if (fields.size() > 8 && fields.back().empty()) fields.pop_back();  // each field ends with its '|'
    if (fields.size() < 8) continue;
    JobRecord record;
    record.id = trim(fields[0]);
    if (!is_job_id(record.id)) continue;
    record.state = trim(fields[1]);
    record.nodes = trim(fields[2]);
    if (record.nodes == "(null)") record.nodes.clear();
    record.partition = trim(fields[3]);
    record.time_limit = trim(fields[4]);
    // squeue's exit_code is the wait status: the exit status in the high byte, a signal in the low bits.
    const int status = to_int(trim(fields[5]), -1);
    if (status >= 0) {
      record.exit_code = (status >> 8) & 0xff;
      record.signal = status & 0x7f;
    }
    record.reason = trim(fields[6]);
    std::vector<std::string> rest(fields.begin() + 7, fields.end());
    record.features = trim(join(rest, '|'));
    records[record.id] = std::move(record);
  }
  return records;
}

std::vector<std::string> sacct_arguments(const std::vector<std::string>& ids) {
  return {"--noheader", "--parsable2", "--allocations", "--jobs=" + join(ids, ','),
          "--format=JobID,State,NodeList,Partition,Timelimit,ExitCode,Reason"};
}

std::map<std::string, JobRecord> parse_sacct(const std::string& output) {
  std::map<std::string, JobRecord> records;
  for (const auto& line : lines_of(output)) {
    const auto fields = split(line, '|');
    if (fields.size() < 7) continue;
    JobRecord record;
    record.id = trim(fields[0]);
    if (!is_job_id(record.id)) continue;  // a step (12.batch) or a header
    record.state = state_word(fields[1]);
    record.nodes = trim(fields[2]);
    if (record.nodes == "None assigned") record.nodes.clear();
    record.partition = trim(fields[3]);
    record.time_limit = trim(fields[4]);
    const auto code = split(trim(fields[5]), ':');  // "exit:signal"
    if (code.size() == 2) {
      record.exit_code = to_int(code[0], -1);
      record.signal = to_int(code[1], 0);
    }
    std::vector<std::string> rest(fields.begin() + 6, fields.end());
    record.reason = trim(join(rest, '|'));
    records[record.id] = std::move(record);
  }
  return records;
}

AgentJob agent_job_of(const JobRecord& record) {
  AgentJob job;
  job.id = record.id;
  const std::string& state = record.state;
  const std::string head = fmt::format("slurm job {} {}", record.id, state);
  const std::string where = record.nodes.empty() ? "" : " on " + record.nodes;
  const bool has_reason = !record.reason.empty() && record.reason != "None";
  if (state == "PENDING" || state == "CONFIGURING" || state == "REQUEUED" || state == "REQUEUE_HOLD" ||
      state == "REQUEUE_FED" || state == "RESV_DEL_HOLD" || state == "SUSPENDED" || state == "STOPPED" ||
      state == "RESIZING") {
    job.phase = AgentJob::Phase::kWaiting;
    job.reason = head + (has_reason ? " (" + record.reason + ")" : "");
    return job;
  }
  if (state == "RUNNING" || state == "COMPLETING" || state == "SIGNALING" || state == "STAGE_OUT") {
    job.phase = AgentJob::Phase::kRunning;
    job.reason = head + where;
    return job;
  }
  if (state.empty()) {  // nothing known: the heartbeats decide
    job.reason = fmt::format("slurm job {}: state unknown", record.id);
    return job;
  }
  job.phase = AgentJob::Phase::kEnded;
  if (state == "COMPLETED") {
    job.ended_as = HostState::kLost;
    job.reason = head + where + ": the agent ended without a final heartbeat";
  } else if (state == "FAILED" && record.exit_code == 127) {
    job.ended_as = HostState::kAgentMissing;
    job.reason = head + where + ": dli-agent is not an executable file there (exit code 127; the job's output says "
                                "which path)";
  } else if (state == "FAILED" || state == "OUT_OF_MEMORY") {
    job.ended_as = HostState::kFailed;
    job.reason = head + where;
    if (record.signal > 0) {
      job.reason += fmt::format(" (signal {})", record.signal);
    } else if (record.exit_code >= 0) {
      job.reason += fmt::format(" (exit code {})", record.exit_code);
    }
  } else if (state == "TIMEOUT") {
    job.ended_as = HostState::kLost;
    job.reason = head + where + ": time limit" + (record.time_limit.empty() ? "" : " " + record.time_limit) +
                 " reached (slurm.time)";
  } else {  // CANCELLED, NODE_FAIL, PREEMPTED, BOOT_FAIL, DEADLINE, REVOKED, ...: the job was taken away
    job.ended_as = HostState::kLost;
    job.reason = head + where + (has_reason ? " (" + record.reason + ")" : "");
  }
  return job;
}

std::string agent_batch_script(const AgentLaunch& launch) {
  const std::string agent = quote_for_remote_shell(launch.agent_exe);
  std::string script = fmt::format(
      "#!/bin/sh\n"
      "# dli-agent of host {} in run {}, submitted by dli-integrator (docs/slurm.md)\n"
      "if [ ! -x {} ]; then\n"
      "  echo \"dli-agent: \"{}\" is not an executable file on $(hostname)\" >&2\n"
      "  exit 127\n"
      "fi\n"
      "unset DLI_STORE_USER DLI_STORE_PASSWORD DLI_CREDENTIALS_FILE\n",
      launch.args.host, launch.args.run_id, agent, agent);
  if (!launch.secret_netrc.empty()) {
    const std::string secret = launch.args.work_dir + "/" + credentials_file_name(launch.args.run_id);
    script += "export DLI_CREDENTIALS_FILE=" + quote_for_remote_shell(secret) + "\n";
  }
  script += "exec " + remote_command_line(launch.argv()) + "\n";
  return script;
}

}  // namespace dli
