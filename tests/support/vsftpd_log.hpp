#pragma once
// Test support: what a vsftpd started with log_ftp_protocol=YES (tests/support/vsftpd_server.hpp) was asked.
// Its log has one line per command and one per control connection:
//   ... [pid N] [user] FTP command: Client "10.1.2.3", "STOR .x.tmp.123"
//   ... [pid N] CONNECT: Client "10.1.2.3"
// Used by the tests that bound the commands per store operation and by the fan-out benchmark.
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace dli::testing {

struct FtpCommand {
  std::string client;  // the client's address
  std::string verb;    // "STOR"
  std::string text;    // "STOR .x.tmp.123" (the whole command; vsftpd logs PASS as "PASS <password>")
};

// Every command in the log, in the order the server received them.
inline std::vector<FtpCommand> ftp_commands(const std::string& log) {
  std::vector<FtpCommand> commands;
  const std::string mark = "FTP command: Client \"";
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    const std::size_t at = line.find(mark);
    if (at == std::string::npos) continue;
    const std::size_t client_start = at + mark.size();
    const std::size_t client_end = line.find('"', client_start);
    if (client_end == std::string::npos) continue;
    FtpCommand command;
    command.client = line.substr(client_start, client_end - client_start);
    const std::size_t text_start = line.find('"', client_end + 1);
    if (text_start != std::string::npos) {
      command.text = line.substr(text_start + 1);
      if (!command.text.empty() && command.text.back() == '"') command.text.pop_back();
      command.verb = command.text.substr(0, command.text.find(' '));
    }
    commands.push_back(std::move(command));
  }
  return commands;
}

struct FtpCounts {
  std::map<std::string, long> commands_by_client;
  std::map<std::string, long> commands_by_verb;
  long commands = 0;
  long connections = 0;
};

inline FtpCounts count_ftp(const std::string& log) {
  FtpCounts counts;
  for (const FtpCommand& command : ftp_commands(log)) {
    ++counts.commands;
    ++counts.commands_by_client[command.client];
    ++counts.commands_by_verb[command.verb];
  }
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find("CONNECT: Client \"") != std::string::npos) ++counts.connections;
  }
  return counts;
}

inline FtpCounts difference(const FtpCounts& after, const FtpCounts& before) {
  FtpCounts delta = after;
  delta.commands -= before.commands;
  delta.connections -= before.connections;
  for (const auto& [client, count] : before.commands_by_client) delta.commands_by_client[client] -= count;
  for (const auto& [verb, count] : before.commands_by_verb) delta.commands_by_verb[verb] -= count;
  return delta;
}

}  // namespace dli::testing
