#pragma once
// Test support: a private Slurm cluster on this machine (docs/slurm.md, "Testing"): munged, slurmctld and one
// slurmd per started node (Debian builds Slurm with multiple-slurmd), everything in one folder, on free ports.
// SLURM_CONF points the test's process, and so every child it starts, at this cluster while it lives. Its end
// cancels every job and waits for them before it stops the daemons: a job's processes outlive its slurmd.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {

struct SlurmNode {
  std::string name;
  std::string features;
  bool started = true;  // false: declared drained, with no slurmd: a job only it can run pends
};

class SlurmCluster {
 public:
  static constexpr const char* kDrainReason = "dli-test maintenance";

  // Why this machine cannot run a cluster (a binary missing), or nullopt.
  static std::optional<std::string> missing() {
    for (const char* program : {"/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch",
                                "/usr/bin/squeue", "/usr/bin/scancel", "/usr/bin/sinfo"}) {
      if (::access(program, X_OK) != 0) {
        return std::string(program) + " is missing: install slurmctld slurmd slurm-client munge "
                                      "(scripts/install-deps.sh test)";
      }
    }
    return std::nullopt;
  }

  // `partitions`: slurm.conf's PartitionName lines.
  SlurmCluster(std::vector<SlurmNode> nodes, const std::vector<std::string>& partitions) : nodes_(std::move(nodes)) {
    ::chmod(dir_.str().c_str(), 0755);  // munged refuses a socket folder others cannot enter
    for (const char* folder : {"munge", "spool", "state", "log"}) std::filesystem::create_directories(dir_.str(folder));
    ::chmod(dir_.str("munge").c_str(), 0755);
    const std::string key_file = shell_quote(dir_.str("munge.key"));
    const CommandOutput key =
        run_command("dd if=/dev/urandom of=" + key_file + " bs=1024 count=1 status=none && chmod 400 " + key_file);
    if (key.exit_code != 0) throw std::runtime_error("munge key: " + key.output);
    const int first_port = free_tcp_ports("127.0.0.1", "", 1 + static_cast<int>(nodes_.size()));
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    std::string conf = "ClusterName=dlitest\nSlurmctldHost=" + std::string(host) + "(127.0.0.1)\n" +
                       "SlurmctldPort=" + std::to_string(first_port) + "\n" +
                       "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" + dir_.str("munge/socket") + "\n" +
                       "SlurmUser=root\nSlurmdUser=root\nStateSaveLocation=" + dir_.str("state") + "\n" +
                       "SlurmdSpoolDir=" + dir_.str("spool") + "/%n\nSlurmctldPidFile=" + dir_.str("slurmctld.pid") +
                       "\nSlurmdPidFile=" + dir_.str("slurmd-%n.pid") + "\n" +
                       "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nSelectType=select/cons_tres\n"
                       "SchedulerType=sched/backfill\nSchedulerParameters=batch_sched_delay=0\n"
                       "JobCompType=jobcomp/filetxt\nJobCompLoc=" + dir_.str("jobcomp.txt") + "\n" +
                       "ReturnToService=2\nMpiDefault=none\nKillWait=2\n";
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      const SlurmNode& node = nodes_[i];
      conf += "NodeName=" + node.name + " NodeHostname=" + host + " NodeAddr=127.0.0.1 Port=" +
              std::to_string(first_port + 1 + static_cast<int>(i)) + " CPUs=1" +
              (node.features.empty() ? "" : " Features=" + node.features) + " State=UNKNOWN\n";
    }
    for (const auto& partition : partitions) conf += partition + "\n";
    dir_.write("slurm.conf", conf);
    ::setenv("SLURM_CONF", conf_path().c_str(), 1);

    munged_.start({"/usr/sbin/munged", "-F", "--key-file=" + dir_.str("munge.key"), "-S", dir_.str("munge/socket"),
                   "--seed-file=" + dir_.str("munge/seed"), "--pid-file=" + dir_.str("munge/pid"),
                   "--log-file=" + dir_.str("log/munged.log")},
                  "", dir_.str("log/munged.out"));
    wait_for([&] { return std::filesystem::exists(dir_.str("munge/socket")); }, "munged's socket", "munged.log");
    slurmctld_.start({"/usr/sbin/slurmctld", "-D", "-i", "-f", conf_path()}, "", dir_.str("log/slurmctld.log"));
    for (const auto& node : nodes_) {
      if (!node.started) continue;
      slurmds_.push_back(std::make_unique<ServerProcess>());
      slurmds_.back()->start({"/usr/sbin/slurmd", "-D", "-N", node.name, "-f", conf_path()}, "",
                             dir_.str("log/slurmd-" + node.name + ".log"));
    }
    wait_for([&] { return nodes_idle(); }, "every started node idle", "slurmctld.log");
    for (const auto& node : nodes_) {
      if (node.started) continue;
      const auto drained = command("scontrol update NodeName=" + node.name + " State=DRAIN Reason=" +
                                   shell_quote(kDrainReason));
      if (drained.exit_code != 0) throw std::runtime_error("scontrol: " + drained.output);
    }
  }

  ~SlurmCluster() {
    // Every job ends before the daemons do: its processes would otherwise run on without them.
    (void)command("scancel --full --user=root");
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < until) {
      const auto queue = command("squeue --noheader --states=PENDING,RUNNING,COMPLETING,CONFIGURING,SUSPENDED -o %i");
      if (queue.exit_code != 0 || queue.output.find_first_not_of(" \n") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    for (auto& slurmd : slurmds_) slurmd->stop();
    slurmctld_.stop();
    munged_.stop();
    ::unsetenv("SLURM_CONF");
  }

  SlurmCluster(const SlurmCluster&) = delete;
  SlurmCluster& operator=(const SlurmCluster&) = delete;

  std::string conf_path() const { return dir_.str("slurm.conf"); }
  std::string folder() const { return dir_.str(); }  // the daemons' state, spool (job scripts) and logs
  std::string log(const std::string& name) const { return read_file_quietly(dir_.str("log/" + name)); }

  // A Slurm client command line (through the shell) against this cluster.
  CommandOutput command(const std::string& line) const {
    return run_command("SLURM_CONF=" + shell_quote(conf_path()) + " " + line);
  }

  // One field of a job as squeue shows it (e.g. "Partition", "Feature", "State", "Reason"), whatever its state.
  std::string job_field(const std::string& job_id, const std::string& field) const {
    const auto shown = command("squeue --noheader --states=all --jobs=" + job_id + " -O " + shell_quote(field + ":|"));
    std::string value = shown.output.substr(0, shown.output.find('|'));
    return shown.exit_code == 0 ? value : "";
  }

 private:
  bool nodes_idle() const {
    const auto shown = command("sinfo --noheader --Node -o '%N %T'");
    if (shown.exit_code != 0) return false;
    for (const auto& node : nodes_) {
      if (node.started && shown.output.find(node.name + " idle") == std::string::npos) return false;
    }
    return true;
  }

  template <class Ready>
  void wait_for(Ready ready, const std::string& what, const std::string& log_name) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!ready()) {
      if (std::chrono::steady_clock::now() > until) {
        throw std::runtime_error("slurm test cluster: no " + what + " within 20 s; " + log_name + ":\n" +
                                 log(log_name));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  TempDir dir_;
  std::vector<SlurmNode> nodes_;
  ServerProcess munged_;
  ServerProcess slurmctld_;
  std::vector<std::unique_ptr<ServerProcess>> slurmds_;
};

}  // namespace dli::testing
