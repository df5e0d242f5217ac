#pragma once
// Test support: the processes of one session, found in /proc. An agent on a fleet host is started with `setsid`,
// so its session holds the agent and every runner it started (runners lead their own process groups, but stay in
// the agent's session): killing the session kills everything of that agent, as a host losing power would.
#include <dirent.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace dli::testing {

// Live (not zombie) processes whose session id is `session`.
inline std::vector<pid_t> session_members(pid_t session) {
  std::vector<pid_t> members;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return members;
  while (const dirent* entry = ::readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0) continue;
    const std::string stat = read_file_quietly("/proc/" + std::to_string(pid) + "/stat");
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] == 'Z') continue;
    // After ") ": state, ppid, pgrp, session.
    int ppid = 0, group = 0, sid = 0;
    char state = 0;
    if (std::sscanf(stat.c_str() + close + 2, "%c %d %d %d", &state, &ppid, &group, &sid) == 4 && sid == session) {
      members.push_back(pid);
    }
  }
  ::closedir(proc);
  return members;
}

// SIGKILL to every process of the session until none is left (one may fork while the first ones die). Returns
// how many processes were killed; the session is empty when session_members() says so afterwards.
inline int kill_session(pid_t session, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  std::set<pid_t> killed;
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const std::vector<pid_t> members = session_members(session);
    if (members.empty() || std::chrono::steady_clock::now() > until) return static_cast<int>(killed.size());
    for (pid_t pid : members) {
      if (::kill(pid, SIGKILL) == 0) killed.insert(pid);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace dli::testing
