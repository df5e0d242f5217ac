#pragma once
// Test support: a real PostgreSQL server (Debian's postgresql), made by initdb in a temporary folder and run as the
// `postgres` user on a free port of 127.0.0.1, with one database `dli` owned by a role `dli` whose generated
// password lives only in a pgpass file (libpq's own way to keep it out of URLs and command lines).
#include <sys/stat.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "support/process.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {

class PostgresServer {
 public:
  static constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

  PostgresServer() {
    // The server's own folder: the postgres user must own it (initdb and the server refuse anything else).
    run_checked("chown postgres: " + shell_quote(dir_.str()) + " && chmod 0700 " + shell_quote(dir_.str()));
    run_checked(as_postgres() + kBin + "/initdb -D " + shell_quote(dir_.str("data")) +
                " -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >" +
                shell_quote(dir_.str("initdb.log")) + " 2>&1");
    port_ = free_tcp_ports("127.0.0.1", "");
    process_.start({"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--",
                    std::string(kBin) + "/postgres", "-D", dir_.str("data"), "-p", std::to_string(port_), "-k",
                    dir_.str(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"},
                   "", dir_.str("postgres.log"));
    if (!wait_for_listener(process_, "127.0.0.1", port_, "")) {
      throw std::runtime_error("PostgreSQL did not start on 127.0.0.1:" + std::to_string(port_) + ":\n" + log());
    }
    password_ = random_token(24, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789");
    // The SQL (with the password) goes through psql's stdin, not its command line.
    psql("CREATE ROLE dli LOGIN PASSWORD '" + password_ + "';\nCREATE DATABASE dli OWNER dli;\n");
    pgpass_ = dir_.write("pgpass", "127.0.0.1:" + std::to_string(port_) + ":dli:dli:" + password_ + "\n");
    ::chmod(pgpass_.c_str(), 0600);
  }

  // The history location: no password in it.
  std::string url() const { return "postgresql://dli@127.0.0.1:" + std::to_string(port_) + "/dli"; }
  const std::string& pgpass_file() const { return pgpass_; }
  const std::string& password() const { return password_; }
  std::string log() const { return read_text(dir_.str("postgres.log")); }
  void stop() { process_.stop(); }

  // Runs SQL as the superuser through the server's socket; throws with psql's output when it fails.
  std::string psql(const std::string& sql, const std::string& database = "postgres") const {
    const std::string output = dir_.str("psql.out");
    FILE* pipe = ::popen((as_postgres() + kBin + "/psql -X -q -A -t -v ON_ERROR_STOP=1 -h " + shell_quote(dir_.str()) +
                          " -p " + std::to_string(port_) + " -U postgres -d " + shell_quote(database) + " -f - >" +
                          shell_quote(output) + " 2>&1")
                             .c_str(),
                         "w");
    if (pipe == nullptr) throw std::runtime_error("cannot run psql");
    std::fputs(sql.c_str(), pipe);
    const int status = ::pclose(pipe);
    const std::string text = read_text(output);
    if (status != 0) throw std::runtime_error("psql failed: " + text);
    return text;
  }

 private:
  static std::string as_postgres() { return "/usr/bin/setpriv --reuid=postgres --regid=postgres --init-groups -- "; }
  static void run_checked(const std::string& command) {
    const auto result = run_command(command);
    if (result.exit_code != 0) throw std::runtime_error(command + " failed: " + result.output);
  }

  TempDir dir_;
  ServerProcess process_;
  int port_ = 0;
  std::string password_, pgpass_;
};

}  // namespace dli::testing
