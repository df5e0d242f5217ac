// Fleet loading: exact values from a good file; file, line, column, key and expectation for each bad one.
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "dli/config/config.hpp"
#include "support/config_problems.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

// The valid fleet each bad case starts from; the line numbers in the tests refer to it.
const std::vector<std::string> kGoodFleet = {
    "store: file:///var/lib/dli-store",                 // 1
    "hosts:",                                           // 2
    "  - name: local",                                  // 3
    "    kind: local",                                  // 4
    "    labels: {site: lab, rack: 7}",                 // 5
    "    limits: {max_threads: 2, test_timeout: 300}",  // 6
    "    work_dir: /tmp/dli-agent-local",               // 7
};

std::string fleet_with(const std::vector<std::pair<int, std::string>>& replacements, const std::string& appended = "") {
  std::vector<std::string> lines = kGoodFleet;
  for (const auto& [line, text] : replacements) lines.at(static_cast<std::size_t>(line - 1)) = text;
  std::string yaml;
  for (const auto& line : lines) yaml += line + "\n";
  return yaml + appended;
}

class ConfigFleet : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::string fleet_path = dir.str("fleet.yaml");

  std::vector<Diagnostic> diagnostics_of(const std::string& yaml) const {
    return testing::diagnostics_of([&] { parse_fleet(yaml, fleet_path); }, yaml);
  }

  void expect_problem(const std::string& yaml, int line, int column, const std::string& key,
                      const std::string& fragment) const {
    testing::expect_single_problem(diagnostics_of(yaml), fleet_path, line, column, key, fragment);
  }
};

TEST_F(ConfigFleet, GoodFileParsesIntoExactValues) {
  const FleetConfig fleet = parse_fleet(fleet_with({}, "  - {name: box-2.lab, kind: local}\n"), fleet_path);
  EXPECT_EQ(fleet.path, fleet_path);
  EXPECT_EQ(fleet.store_url, "file:///var/lib/dli-store");
  ASSERT_EQ(fleet.hosts.size(), 2u);
  const HostConfig& local = fleet.hosts[0];
  EXPECT_EQ(local.name, "local");
  EXPECT_EQ(local.kind, "local");
  EXPECT_EQ(local.labels, (std::map<std::string, std::string>{{"rack", "7"}, {"site", "lab"}}));
  EXPECT_EQ(local.limits.max_threads, 2);
  EXPECT_DOUBLE_EQ(local.limits.test_timeout_cap, 300);
  EXPECT_EQ(local.work_dir, "/tmp/dli-agent-local");
  const HostConfig& other = fleet.hosts[1];
  EXPECT_EQ(other.name, "box-2.lab");
  EXPECT_TRUE(other.labels.empty());
  EXPECT_EQ(other.limits.max_threads, 0);
  EXPECT_EQ(other.limits.test_timeout_cap, 0);
  EXPECT_EQ(other.work_dir, "/tmp/dli-agent-box-2.lab");
}

TEST_F(ConfigFleet, StoreIsOptional) {
  EXPECT_EQ(parse_fleet(fleet_with({{1, ""}}), fleet_path).store_url, "");
}

TEST_F(ConfigFleet, HistoryIsAFileRelativeToTheFleetOrAPostgresUrlWithoutPassword) {
  EXPECT_EQ(parse_fleet(fleet_with({{1, "history: db/history.sqlite"}}), fleet_path).history,
            dir.str("db/history.sqlite"));
  EXPECT_EQ(parse_fleet(fleet_with({{1, "history: sqlite:///srv/dli/history.sqlite"}}), fleet_path).history,
            "/srv/dli/history.sqlite");
  EXPECT_EQ(parse_fleet(fleet_with({{1, "history: postgresql://dli@db.lab:5432/dli"}}), fleet_path).history,
            "postgresql://dli@db.lab:5432/dli");
  EXPECT_EQ(parse_fleet(fleet_with({}), fleet_path).history, "");
}

TEST_F(ConfigFleet, AHostInMaintenanceKeepsItsReason) {
  const FleetConfig fleet = parse_fleet(fleet_with({}, "  - {name: b, kind: local, maintenance: fan replaced Friday}\n"),
                                        fleet_path);
  EXPECT_EQ(fleet.hosts[0].maintenance, "");
  EXPECT_EQ(fleet.hosts[1].maintenance, "fan replaced Friday");
  expect_problem(fleet_with({}, "  - {name: b, kind: local, maintenance: [x]}\n"), 8, 41, "hosts[1].maintenance",
                 "expected a string");
}

// No secret in YAML: libpq reads the password from ~/.pgpass.
TEST_F(ConfigFleet, HistoryWithAPasswordOrOfAnUnknownKindIsRefused) {
  expect_problem(fleet_with({{1, "history: postgresql://dli:hunter2@db.lab/dli"}}), 1, 10, "history",
                 "a password does not belong in a YAML file");
  expect_problem(fleet_with({{1, "history: postgresql://dli@db.lab/dli?password=hunter2"}}), 1, 10, "history",
                 "a password does not belong in a YAML file");
  expect_problem(fleet_with({{1, "history: mysql://db.lab/dli"}}), 1, 10, "history",
                 "expected a database file, sqlite:///path or postgresql://USER@HOST/DATABASE");
}

TEST_F(ConfigFleet, FindLooksHostsUpByName) {
  const FleetConfig fleet = parse_fleet(fleet_with({}, "  - {name: b, kind: local}\n"), fleet_path);
  ASSERT_NE(fleet.find("b"), nullptr);
  EXPECT_EQ(fleet.find("b")->name, "b");
  EXPECT_EQ(fleet.find("local"), &fleet.hosts[0]);
  EXPECT_EQ(fleet.find("c"), nullptr);
}

TEST_F(ConfigFleet, LoadReadsTheFileAndKeepsItsAbsolutePath) {
  dir.write("fleet.yaml", fleet_with({}));
  const FleetConfig fleet = load_fleet(fleet_path);
  EXPECT_EQ(fleet.path, fleet_path);
  EXPECT_EQ(fleet.hosts.size(), 1u);
}

TEST_F(ConfigFleet, LoadOfMissingFileNamesIt) {
  try {
    load_fleet(dir.str("missing/fleet.yaml"));
    FAIL() << "no ConfigError";
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.diagnostics().size(), 1u);
    EXPECT_EQ(error.diagnostics()[0].str(), dir.str("missing/fleet.yaml") + ": cannot read: file '" +
                                                dir.str("missing/fleet.yaml") + "' does not exist");
  }
}

TEST_F(ConfigFleet, LoadOfDirectoryIsRefused) {
  try {
    load_fleet(dir.str());
    FAIL() << "no ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("is a directory"), std::string::npos) << error.what();
  }
}

// An ssh host appended after the local one starts on line 8.
std::string ssh_host(const std::string& extra_lines) {
  return "  - name: node-1\n    kind: ssh\n    address: 10.0.0.5\n    user: bench\n" + extra_lines;
}

TEST_F(ConfigFleet, SshHostParsesWithFilesResolvedAgainstTheFleetFolder) {
  dir.write("keys/id_ed25519", "key");
  dir.write("known_hosts", "");
  const FleetConfig fleet = parse_fleet(
      fleet_with({}, ssh_host("    port: 2222\n    key_file: keys/id_ed25519\n    known_hosts: known_hosts\n"
                              "    connect_timeout: 2.5\n    agent_path: /opt/dli/dli-agent\n")) +
          "parallel: 4\n",
      fleet_path);
  EXPECT_EQ(fleet.parallel, 4);
  ASSERT_EQ(fleet.hosts.size(), 2u);
  const HostConfig& node = fleet.hosts[1];
  EXPECT_EQ(node.kind, "ssh");
  EXPECT_EQ(node.ssh.address, "10.0.0.5");
  EXPECT_EQ(node.ssh.port, 2222);
  EXPECT_EQ(node.ssh.user, "bench");
  EXPECT_EQ(node.ssh.key_file, dir.str("keys/id_ed25519"));
  EXPECT_EQ(node.ssh.known_hosts, dir.str("known_hosts"));
  EXPECT_FALSE(node.ssh.trust_on_first_use);
  EXPECT_DOUBLE_EQ(node.ssh.connect_timeout_seconds, 2.5);
  EXPECT_EQ(node.agent_path, "/opt/dli/dli-agent");
  EXPECT_EQ(node.work_dir, "/tmp/dli-agent-node-1");
}

TEST_F(ConfigFleet, SshHostNeedsAnExistingKeyFile) {
  expect_problem(fleet_with({}, ssh_host("    key_file: missing_key\n    trust_on_first_use: true\n")), 12, 15,
                 "hosts[1].key_file", dir.str("missing_key"));
}

TEST_F(ConfigFleet, SshHostWithoutKeyOrAgentIsRefused) {
  expect_problem(fleet_with({}, ssh_host("    trust_on_first_use: true\n")), 8, 5, "hosts[1].key_file",
                 "missing required key 'key_file'");
}

TEST_F(ConfigFleet, SshKeyFileAndAgentExcludeEachOther) {
  dir.write("id", "key");
  expect_problem(fleet_with({}, ssh_host("    use_agent: true\n    key_file: id\n    trust_on_first_use: true\n")),
                 13, 15, "hosts[1].key_file", "exclude each other");
}

TEST_F(ConfigFleet, SshAgentPathMustBeAbsolute) {
  expect_problem(fleet_with({}, ssh_host("    use_agent: true\n    trust_on_first_use: true\n    agent_path: dli-agent\n")),
                 14, 17, "hosts[1].agent_path", "absolute path");
}

TEST_F(ConfigFleet, SshPasswordKeyIsUnknown) {
  expect_problem(fleet_with({}, ssh_host("    use_agent: true\n    trust_on_first_use: true\n    password: x\n")),
                 14, 5, "hosts[1].password", "unknown key 'password'");
}

TEST_F(ConfigFleet, UnknownKindSuggestsASupportedOne) {
  expect_problem(fleet_with({{4, "    kind: locl"}}), 4, 11, "hosts[0].kind",
                 "unknown kind 'locl' (did you mean 'local'? kinds: local, ssh, slurm)");
}

TEST_F(ConfigFleet, KindIsRequired) {
  expect_problem(fleet_with({{4, ""}}), 3, 5, "hosts[0].kind", "missing required key 'kind'");
}

TEST_F(ConfigFleet, MisspeltKindIsSuggestedRatherThanReportedMissing) {
  expect_problem(fleet_with({{4, "    knd: local"}}), 4, 5, "hosts[0].knd", "unknown key 'knd' (did you mean 'kind'?");
}

TEST_F(ConfigFleet, NameIsRequired) {
  expect_problem(fleet_with({}, "  - kind: local\n"), 8, 5, "hosts[1].name", "missing required key 'name'");
}

TEST_F(ConfigFleet, NameWithSlash) {
  expect_problem(fleet_with({{3, "  - name: lab/1"}}), 3, 11, "hosts[0].name",
                 "expected a name of 1 to 64 letters, digits, '_', '.' or '-', not starting with '.' or '-', "
                 "got 'lab/1' (the character '/' is not allowed)");
}

TEST_F(ConfigFleet, DuplicateHostName) {
  expect_problem(fleet_with({}, "  - {name: local, kind: local}\n"), 8, 12, "hosts[1].name",
                 "duplicate host name 'local' (first at hosts[0].name, line 3)");
}

TEST_F(ConfigFleet, AtLeastOneHost) {
  expect_problem("hosts: []\n", 1, 8, "hosts", "expected a non-empty list of hosts, got []");
}

TEST_F(ConfigFleet, HostsAreRequired) {
  expect_problem("store: file:///x\n", 1, 1, "hosts", "missing required key 'hosts'");
}

TEST_F(ConfigFleet, HostThatIsAString) {
  expect_problem("hosts: [local]\n", 1, 9, "hosts[0]", "expected a map describing a host (name, kind, labels, limits, "
                                                        "work_dir, maintenance), got 'local'");
}

TEST_F(ConfigFleet, UnknownHostKeySuggestsTheClosest) {
  expect_problem(fleet_with({{5, "    lables: {site: lab}"}}), 5, 5, "hosts[0].lables",
                 "unknown key 'lables' (did you mean 'labels'? known keys: name, kind, labels, limits, work_dir, maintenance)");
}

TEST_F(ConfigFleet, UnknownTopLevelKey) {
  expect_problem(fleet_with({}, "stores: x\n"), 8, 1, "stores", "unknown key 'stores' (did you mean 'store'?");
}

TEST_F(ConfigFleet, NegativeMaxThreads) {
  expect_problem(fleet_with({{6, "    limits: {max_threads: -1}"}}), 6, 27, "hosts[0].limits.max_threads",
                 "expected an integer >= 0, got '-1'");
}

TEST_F(ConfigFleet, FractionalMaxThreads) {
  expect_problem(fleet_with({{6, "    limits: {max_threads: 2.5}"}}), 6, 27, "hosts[0].limits.max_threads",
                 "expected an integer >= 0, got '2.5'");
}

TEST_F(ConfigFleet, NegativeTestTimeout) {
  expect_problem(fleet_with({{6, "    limits: {test_timeout: -5}"}}), 6, 28, "hosts[0].limits.test_timeout",
                 "expected a number from 0 to 604800 (7 days), got '-5'");
}

TEST_F(ConfigFleet, UnknownLimit) {
  expect_problem(fleet_with({{6, "    limits: {threads: 2}"}}), 6, 14, "hosts[0].limits.threads",
                 "unknown key 'threads' (known keys: max_threads, test_timeout)");
}

TEST_F(ConfigFleet, LabelsMustBeAMap) {
  expect_problem(fleet_with({{5, "    labels: [lab]"}}), 5, 13, "hosts[0].labels",
                 "expected a map of labels (name: value), got a list");
}

TEST_F(ConfigFleet, LabelValueMustBeAScalar) {
  expect_problem(fleet_with({{5, "    labels: {site: {a: b}}"}}), 5, 20, "hosts[0].labels.site",
                 "expected a text or number value, got a map");
}

TEST_F(ConfigFleet, RelativeWorkDir) {
  expect_problem(fleet_with({{7, "    work_dir: agent"}}), 7, 15, "hosts[0].work_dir",
                 "expected an absolute path (the agent's folder on that host), got 'agent'");
}

TEST_F(ConfigFleet, StoreMustBeAUrl) {
  expect_problem(fleet_with({{1, "store: /var/lib/dli-store"}}), 1, 8, "store",
                 "expected a store URL such as file:///var/lib/dli-store, got '/var/lib/dli-store'");
}

TEST_F(ConfigFleet, NullStore) {
  expect_problem(fleet_with({{1, "store:"}}), 1, 1, "store", "expected a string, got null");
}

TEST_F(ConfigFleet, TabsAreASyntaxError) {
  const auto diagnostics = diagnostics_of("hosts:\n\t- name: x\n");
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].line, 2);
  EXPECT_NE(diagnostics[0].message.find("invalid YAML"), std::string::npos) << diagnostics[0].str();
}

TEST_F(ConfigFleet, EveryHostProblemIsReported) {
  const auto diagnostics =
      diagnostics_of(fleet_with({{3, "  - name: a b"}, {6, "    limits: {max_threads: x}"}}, "  - {name: c}\n"));
  ASSERT_EQ(diagnostics.size(), 3u);
  EXPECT_EQ(diagnostics[0].key, "hosts[0].name");
  EXPECT_EQ(diagnostics[1].key, "hosts[0].limits.max_threads");
  EXPECT_EQ(diagnostics[2].key, "hosts[1].kind");
}

// ---- names: they become store key segments (include/dli/protocol/names.hpp) ----

TEST_F(ConfigFleet, HostNamesThatCannotBeAStoreSegmentAreRefused) {
  const std::string rule = "expected a name of 1 to 64 letters, digits, '_', '.' or '-', not starting with '.' or '-', got ";
  struct Case {
    std::string yaml_name;
    std::string says;
  };
  for (const Case& bad : {Case{"'.'", "'.' (it starts with '.')"}, Case{"'..'", "'..' (it starts with '.')"},
                          Case{".hidden", "'.hidden' (it starts with '.')"},
                          Case{"-x", "'-x' (it starts with '-')"},
                          Case{"\"a\\x01b\"", "'a\\x01b' (the byte 0x01 is not allowed)"},
                          Case{"'a b'", "'a b' (a space is not allowed)"},
                          Case{"a/b", "'a/b' (the character '/' is not allowed)"}}) {
    expect_problem(fleet_with({{3, "  - name: " + bad.yaml_name}}), 3, 11, "hosts[0].name", rule + bad.says);
  }
}

TEST_F(ConfigFleet, HostNameLongerThan64BytesIsRefused) {
  const std::string rule = "expected a name of 1 to 64 letters, digits, '_', '.' or '-', not starting with '.' or '-', got ";
  const std::string long_name(300, 'h');
  expect_problem(fleet_with({{3, "  - name: " + long_name}}), 3, 11, "hosts[0].name",
                 rule + "'" + long_name.substr(0, 57) + "...' (it is 300 bytes long, longer than 64)");
  EXPECT_NO_THROW(parse_fleet(fleet_with({{3, "  - name: " + std::string(64, 'h')}}), fleet_path));
}

// ---- one machine, one agent ----

TEST_F(ConfigFleet, TwoSshHostsWithTheSameAddressAndPortAreRefused) {
  const std::string host = "    use_agent: true\n    trust_on_first_use: true\n";
  expect_problem(fleet_with({}, ssh_host(host) + "  - {name: node-2, kind: ssh, address: 10.0.0.5, port: 22, user: other, "
                                                 "use_agent: true, trust_on_first_use: true}\n"),
                 14, 40, "hosts[2].address",
                 "host 'node-2' has the same address and port as host 'node-1' (hosts[1].address, line 10): one "
                 "machine runs one agent at a time; list it once");
  // Another port is another machine (or container) as far as dli can tell; case does not make another name.
  EXPECT_NO_THROW(parse_fleet(fleet_with({}, ssh_host(host) + "  - {name: node-2, kind: ssh, address: 10.0.0.5, "
                                                             "port: 2222, user: u, use_agent: true, "
                                                             "trust_on_first_use: true}\n"),
                              fleet_path));
  const auto diagnostics = diagnostics_of(fleet_with({}, ssh_host(host) + "  - {name: n3, kind: ssh, address: "
                                                                          "BOX, user: u, use_agent: true, "
                                                                          "trust_on_first_use: true}\n  - {name: n4, "
                                                                          "kind: ssh, address: box, user: u, "
                                                                          "use_agent: true, trust_on_first_use: "
                                                                          "true}\n"));
  ASSERT_EQ(diagnostics.size(), 1u) << testing::listing(diagnostics);
  EXPECT_EQ(diagnostics[0].key, "hosts[3].address");
}

TEST_F(ConfigFleet, TwoLocalHostsWithTheSameWorkDirAreRefused) {
  expect_problem(fleet_with({}, "  - {name: b, kind: local, work_dir: /tmp/dli-agent-local/}\n"), 8, 38,
                 "hosts[1].work_dir",
                 "host 'b' has the same work_dir as host 'local' (hosts[0].work_dir, line 7): their agents would share "
                 "one cache and scratch folder");
  // A default work dir (/tmp/dli-agent-<name>) counts too.
  expect_problem(fleet_with({{7, ""}}, "  - {name: b, kind: local, work_dir: /tmp/dli-agent-local}\n"), 8, 38,
                 "hosts[1].work_dir",
                 "host 'b' has the same work_dir as host 'local' (hosts[0], line 3): their agents would share one "
                 "cache and scratch folder");
}

// ---- durations ----

TEST_F(ConfigFleet, DurationsAreBoundedAndFinite) {
  expect_problem(fleet_with({{6, "    limits: {test_timeout: 1e10}"}}), 6, 28, "hosts[0].limits.test_timeout",
                 "expected a number from 0 to 604800 (7 days), got '1e10'");
  expect_problem(fleet_with({{6, "    limits: {test_timeout: .inf}"}}), 6, 28, "hosts[0].limits.test_timeout",
                 "expected a number from 0 to 604800 (7 days), got '.inf'");
  const std::string host = "    use_agent: true\n    trust_on_first_use: true\n";
  for (const std::string bad : {"1e300", ".nan", "-1", "0", "3600.5", "1e400"}) {
    expect_problem(fleet_with({}, ssh_host(host + "    connect_timeout: " + bad + "\n")), 14, 22,
                   "hosts[1].connect_timeout", "expected a number > 0 and <= 3600 (1 hour), got '" + bad + "'");
  }
  EXPECT_DOUBLE_EQ(parse_fleet(fleet_with({}, ssh_host(host + "    connect_timeout: 3600\n")), fleet_path)
                       .hosts[1].ssh.connect_timeout_seconds,
                   3600);
}

// ---- the store URL, checked by the store's own rules ----

TEST_F(ConfigFleet, StoreUrlIsCheckedAsTheStoreWouldOpenIt) {
  expect_problem(fleet_with({{1, "store: ftps://h/x?ca_flie=/etc/hosts"}}), 1, 8, "store",
                 "store ftps://h/x: unknown store URL option 'ca_flie' (known: ca_file, ");
  expect_problem(fleet_with({{1, "store: file://relative/dir"}}), 1, 8, "store",
                 "store URL 'file://relative/dir': a file store needs an absolute path, as in file:///srv/dli-store");
  expect_problem(fleet_with({{1, "store: ftps://h/x?ca_file=/nonexistent/ca.pem"}}), 1, 8, "store",
                 "store ftps://h/x: ca_file /nonexistent/ca.pem cannot be read");
  expect_problem(fleet_with({{1, "store: sftp://u@h/srv?known_hosts=kh"}}), 1, 8, "store",
                 "store sftp://u@h/srv: known_hosts kh must be an absolute path");
  expect_problem(fleet_with({{1, "store: ftp://h/x?connect_timeout=1e300"}}), 1, 8, "store",
                 "store ftp://h/x: store URL option connect_timeout=1e300: expected seconds from 0 to 3600 (an hour)");
  expect_problem(fleet_with({{1, "store: gopher://h/x"}}), 1, 8, "store",
                 "unsupported store URL scheme 'gopher' (supported: file, ftp, ftps, sftp)");
  dir.write("ca.pem", "pem");
  EXPECT_EQ(parse_fleet(fleet_with({{1, "store: ftps://h/x?ca_file=" + dir.str("ca.pem")}}), fleet_path).store_url,
            "ftps://h/x?ca_file=" + dir.str("ca.pem"));
}

TEST(ConfigDiagnostic, FormatsFileLineColumnKeyMessage) {
  EXPECT_EQ((Diagnostic{"/a/f.yaml", 3, 7, "models[1].file", "expected a string"}.str()),
            "/a/f.yaml:3:7: models[1].file: expected a string");
  EXPECT_EQ((Diagnostic{"/a/f.yaml", 0, 0, "", "cannot read"}.str()), "/a/f.yaml: cannot read");
  EXPECT_EQ((Diagnostic{"/a/f.yaml", 2, 1, "", "invalid YAML"}.str()), "/a/f.yaml:2:1: invalid YAML");
  const ConfigError error({Diagnostic{"f", 1, 2, "a", "x"}, Diagnostic{"f", 3, 4, "b", "y"}});
  EXPECT_EQ(std::string(error.what()), "f:1:2: a: x\nf:3:4: b: y");
  EXPECT_EQ(error.diagnostics().size(), 2u);
}

TEST_F(ConfigFleet, NotifyAHookAndMailAreReadWithTheEventsChosen) {
  const FleetConfig fleet = parse_fleet(fleet_with({},
                                                   "notify:\n  hook: [/bin/cat, --flag]\n  mail: "
                                                   "{to: [admin@lab.example, ops@lab.example], "
                                                   "from: dli@lab.example, sendmail: /bin/cat}\n "
                                                   " events: [regression, store_error]\n"),
                                        fleet_path);
  EXPECT_EQ(fleet.notify.hook, (std::vector<std::string>{"/bin/cat", "--flag"}));
  EXPECT_EQ(fleet.notify.mail_to, (std::vector<std::string>{"admin@lab.example", "ops@lab.example"}));
  EXPECT_EQ(fleet.notify.mail_from, "dli@lab.example");
  EXPECT_EQ(fleet.notify.sendmail, "/bin/cat");
  EXPECT_TRUE(fleet.notify.wants("regression"));
  EXPECT_FALSE(fleet.notify.wants("tests_failed"));
  const FleetConfig quiet = parse_fleet(fleet_with({}), fleet_path);
  EXPECT_FALSE(quiet.notify.enabled());
  EXPECT_EQ(quiet.notify.sendmail, "/usr/sbin/sendmail");
}

TEST_F(ConfigFleet, NotifyBadEntriesNameTheirPlace) {
  expect_problem(fleet_with({}, "notify:\n  hook: [notify-send]\n"), 9, 10, "notify.hook[0]",
                 "expected an absolute path to a program");
  expect_problem(fleet_with({}, "notify:\n  hook: [/nonexistent/hook]\n"), 9, 10, "notify.hook[0]",
                 "cannot execute /nonexistent/hook");
  expect_problem(fleet_with({}, "notify:\n  mail: {to: [\"a@b\\nBcc: x@y\"], from: d@l}\n"), 9, 15, "notify.mail.to[0]",
                 "expected a mail address");
  expect_problem(fleet_with({}, "notify:\n  mail: {to: [a@b]}\n"), 9, 9, "notify.mail.from",
                 "missing required key 'from'");
  expect_problem(fleet_with({}, "notify:\n  events: [regresion]\n"), 9, 12, "notify.events[0]",
                 "expected one of regression, host_failed");
}

}  // namespace
}  // namespace dli
