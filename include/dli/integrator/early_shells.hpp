#pragma once
// The run's first hosts' connections, opened in the background as soon as the sweep and its fleet are read, while
// the rest of the plan is made (model files hashed and their operations counted, datasets packed: seconds with
// real models). run_sweep takes them for the hosts it starts; an SSH connection that waited too long is replaced
// there (host_shell_ssh.cpp). Opening one authenticates and runs nothing on the host.
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "dli/config/config.hpp"
#include "dli/remote/host_shell.hpp"

namespace dli {

class EarlyShells {
 public:
  EarlyShells() = default;
  ~EarlyShells() = default;  // each preparation under way is waited for (its future) before its shell goes
  EarlyShells(const EarlyShells&) = delete;
  EarlyShells& operator=(const EarlyShells&) = delete;

  // Starts preparing the shells of the hosts `sweep` selects in `fleet`, not in maintenance, at most
  // `fleet.parallel` of them (the hosts started at once).
  void open(const SweepConfig& sweep, const FleetConfig& fleet);

  struct Prepared {
    std::unique_ptr<HostShell> shell;
    std::future<void> ready;  // its prepare_start(), possibly still under way
  };
  // The shell opened for `host` (by name), once; nullopt when none was.
  std::optional<Prepared> take(const std::string& host);

 private:
  std::map<std::string, Prepared> shells_;
};

}  // namespace dli
