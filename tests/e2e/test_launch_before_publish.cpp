// Agents started before their run is published (docs/protocol.md 6, "Start"): the real dli-agent with a launch
// token measures at once but writes nothing to the store until the run's manifest carries its token, and gives up,
// writing nothing, when its starter closes the other end of its fd 3; the real dli-integrator whose run id another
// run took meanwhile moves its run to the next id and leaves the other run alone.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/protocol/protocol.hpp"
#include "e2e/sweep_fixture.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

int session_of(pid_t pid) {  // field 6 of /proc/PID/stat
  const std::string text = read_file_quietly("/proc/" + std::to_string(pid) + "/stat");
  if (text.empty()) return -1;
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string state;
  int parent = 0, group = 0, session = 0;
  fields >> state >> parent >> group >> session;
  return session;
}

class LaunchBeforePublish : public SweepWorkspace {
 protected:
  void write_null_sweep(const std::string& name) const {
    write_local_fleet();
    dir.write("model.onnx", "not a model: the null framework reads nothing");
    dir.write("sweep.yaml", "name: " + name + "\nfleet: fleet.yaml\nmodels:\n  - {name: m, file: " +
                                dir.str("model.onnx") + ", format: onnx, input_shape: [1, 8, 8]}\n"
                                "launchers:\n  - {framework: \"null\", params: {sleep_ms: 20}}\n"
                                "batch_sizes: [1, 2]\nmodes: [sync]\nthreads: [1]\n"
                                "measure: {iterations: 5, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 60}\n");
  }
  void write_manifest(const std::string& run_id, const std::string& launch) const {
    Manifest manifest;
    manifest.run_id = run_id;
    manifest.sweep_name = "other";
    manifest.created_at = "2026-12-01T00:00:00Z";
    manifest.hosts = {{"local", "local", 2}};
    manifest.launch = launch;
    dir.write("store/runs/" + run_id + "/manifest.json", to_json(manifest).dump(1));
  }
  // Every file of a run in the store, relative to its folder.
  std::vector<std::string> files_of(const std::string& run_id) const {
    std::vector<std::string> files;
    const fs::path run = dir.str("store/runs/" + run_id);
    std::error_code error;
    for (fs::recursive_directory_iterator entry(run, error), end; !error && entry != end; entry.increment(error)) {
      if (entry->is_regular_file()) files.push_back(entry->path().lexically_relative(run).string());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  // A launched agent as the integrator starts one over SSH: its fd 3 the writing end of a pipe whose reading end
  // this test holds (`starter_fd`), its task list on its standard input, detached. The task list is that of a run
  // this test made first, under a new run id.
  pid_t start_launched_agent(const std::string& run_id, const std::string& token) {
    write_null_sweep("e2e-launch");
    const auto first = run_sweep("sweep.yaml");
    EXPECT_EQ(first.exit_code, 0) << first.output;
    const std::string tasks_text = read_file_quietly(dir.str("store/runs/" + run_id_from(first.output) +
                                                             "/hosts/local/tasks.json"));
    nlohmann::json tasks = nlohmann::json::parse(tasks_text);
    tasks["run_id"] = run_id;
    for (auto& test : tasks["tests"]) test["host"] = "local";
    dir.write("launched-tasks.json", tasks.dump(1));
    int ends[2];
    EXPECT_EQ(::pipe2(ends, O_CLOEXEC), 0);
    const std::vector<std::string> args = {DLI_AGENT_EXE, "run", "--store", store_url(), "--run", run_id,
                                           "--host", "local", "--work-dir", dir.str("launched-agent"),
                                           "--first-attempt", "--tasks-file", "-", "--launch", token, "--detach"};
    const std::string tasks_path = dir.str("launched-tasks.json");
    const std::string output = dir.str("launched-agent.out");
    const pid_t child = ::fork();
    if (child == 0) {
      ::dup2(ends[1], 3);  // without close-on-exec: the agent's to hold
      ::dup2(::open(tasks_path.c_str(), O_RDONLY), 0);
      const int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(out, 1);
      ::dup2(out, 2);
      std::vector<char*> argv;
      for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(ends[1]);
    starter_fd = ends[0];
    return child;
  }
  int wait_for(pid_t child) {
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void TearDown() override {
    if (starter_fd >= 0) ::close(starter_fd);
  }

  int starter_fd = -1;
};

TEST_F(LaunchBeforePublish, AnAgentMeasuresAtOnceButWritesNothingUntilTheManifestCarriesItsToken) {
  const std::string run_id = "20300101-000000-e2e-launch";
  const pid_t agent = start_launched_agent(run_id, "5e1f00d");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(session_of(agent), agent) << "--detach: the agent leads its own session";
  // Both tests (about 0.1 s each) end meanwhile, with the task list of its standard input; nothing of the run may
  // reach the store.
  std::this_thread::sleep_for(1200ms);
  EXPECT_FALSE(fs::exists(dir.str("store/runs/" + run_id))) << read_file_quietly(dir.str("launched-agent.out"));
  EXPECT_TRUE(fs::exists(dir.str("launched-agent/runs/" + run_id + "/spool"))) << "it measured meanwhile";

  write_manifest(run_id, "5e1f00d");
  EXPECT_EQ(wait_for(agent), 0) << read_file_quietly(dir.str("launched-agent.out"));
  const std::vector<std::string> files = files_of(run_id);
  EXPECT_EQ(std::count_if(files.begin(), files.end(), [](const std::string& f) { return f.rfind("hosts/local/results/", 0) == 0; }), 2)
      << ::testing::PrintToString(files);
  EXPECT_NE(std::find(files.begin(), files.end(), "hosts/local/agent.log"), files.end());
}

TEST_F(LaunchBeforePublish, AnAgentWhoseStarterGoesAwayBeforePublishingWritesNothing) {
  const std::string run_id = "20300101-000000-e2e-gone";
  const pid_t agent = start_launched_agent(run_id, "5e1f00d");
  std::this_thread::sleep_for(300ms);
  ::close(starter_fd);  // as when the integrator gives the run up, or ends, before publishing it
  starter_fd = -1;
  EXPECT_EQ(wait_for(agent), 5);
  const std::string said = read_file_quietly(dir.str("launched-agent/runs/" + run_id + "/agent.log"));
  EXPECT_NE(said.find("given up"), std::string::npos) << said;
  EXPECT_FALSE(fs::exists(dir.str("store/runs/" + run_id)));
}

TEST_F(LaunchBeforePublish, ARunIdTakenMeanwhileMovesTheRunToTheNextIdAndLeavesTheOtherRunAlone) {
  write_null_sweep("e2e-clash");
  // Another run under every id this integrator could choose within the next half minute.
  const std::time_t now = std::time(nullptr);
  std::vector<std::string> taken;
  for (std::time_t at = now - 1; at <= now + 30; ++at) {
    char stamp[32];
    std::tm utc{};
    ::gmtime_r(&at, &utc);
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
    taken.push_back(std::string(stamp) + "-e2e-clash");
    write_manifest(taken.back(), "0ther");
  }
  const auto run = run_sweep("sweep.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string run_id = run_id_from(run.output);
  ASSERT_GE(run_id.size(), 2u);
  EXPECT_EQ(run_id.substr(run_id.size() - 2), "-2") << run.output;
  const std::string original = run_id.substr(0, run_id.size() - 2);
  EXPECT_NE(std::find(taken.begin(), taken.end(), original), taken.end());
  const std::vector<std::string> files = files_of(run_id);
  EXPECT_EQ(std::count_if(files.begin(), files.end(), [](const std::string& f) { return f.rfind("hosts/local/results/", 0) == 0; }), 2)
      << ::testing::PrintToString(files);
  // The agent first started for the taken id stops without writing (a moment later: it reads the other run's
  // manifest, or sees its channel closed).
  std::this_thread::sleep_for(1500ms);
  for (const auto& other : taken) {
    EXPECT_EQ(files_of(other), std::vector<std::string>{"manifest.json"}) << other;
  }
}

}  // namespace
}  // namespace dli::testing
