// Notifications (docs/notifications.md) reaching real receivers: a hook script and a sendmail stand-in, each told a
// run's failed tests once, however often the run is collected, and given no secret of the integrator's.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/sweep_fixture.hpp"

namespace dli::testing {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int count_lines(const std::string& text) {
  int lines = 0;
  for (const char c : text) lines += c == '\n';
  return lines;
}

class Notify : public SweepWorkspace {
 protected:
  void write_receivers() const {
    const std::string hook = dir.write(
        "hook.sh", "#!/bin/sh\ncat >> " + dir.str("hook.jsonl") + "\nenv > " + dir.str("hook.env") + "\n");
    const std::string sendmail = dir.write(
        "sendmail.sh", "#!/bin/sh\necho \"ARGS: $*\" >> " + dir.str("mail.txt") + "\ncat >> " + dir.str("mail.txt") + "\n");
    ::chmod(hook.c_str(), 0755);
    ::chmod(sendmail.c_str(), 0755);
    dir.write("fleet.yaml", "history: history.sqlite\nnotify:\n  hook: [" + hook + "]\n  mail: {to: [admin@lab.example], "
                            "from: dli@lab.example, sendmail: " + sendmail + "}\nhosts:\n  - name: local\n    kind: local\n"
                            "    work_dir: " + dir.str("agent") + "\n");
    dir.write("sweep.yaml", "name: notify\nfleet: fleet.yaml\nmodels:\n  - name: digits\n    file: " +
                                model("digits_cnn.onnx") +
                                "\n    format: onnx\n    input_shape: [1, 8, 8]\nlaunchers:\n  - opencv-dnn\n"
                                "  - framework: command\n    params: {command: \"exit 1\"}\n"
                                "batch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n"
                                "measure: {iterations: 20, min_seconds: 0.02, max_cv: 0, timeout_seconds: 120}\n");
  }
};

TEST_F(Notify, FailedTestsAreToldOnceToTheHookAndByMailWithoutTheIntegratorsSecrets) {
  write_receivers();
  ::setenv("DLI_STORE_PASSWORD", "not-for-hooks", 1);
  const auto night = run_sweep("sweep.yaml");
  ::unsetenv("DLI_STORE_PASSWORD");
  ASSERT_EQ(night.exit_code, 1) << night.output;  // the command launcher's test fails, as it must
  EXPECT_NE(night.output.find("Notified: 1 event"), std::string::npos) << night.output;
  const std::string run = run_id_from(night.output);

  const std::string told = read_text(dir.str("hook.jsonl"));
  ASSERT_EQ(count_lines(told), 1) << told;
  const auto event = nlohmann::json::parse(told);
  EXPECT_EQ(event.at("event"), "tests_failed");
  EXPECT_EQ(event.at("run_id"), run);
  ASSERT_EQ(event.at("items").size(), 1u);
  EXPECT_EQ(event.at("items")[0].at("status"), "failed");
  const std::string env = read_text(dir.str("hook.env"));
  EXPECT_EQ(env.find("DLI_STORE_PASSWORD"), std::string::npos) << env;
  EXPECT_NE(env.find("PATH="), std::string::npos) << env;

  const std::string mail = read_text(dir.str("mail.txt"));
  EXPECT_EQ(mail.rfind("ARGS: -t -oi\nFrom: dli@lab.example\nTo: admin@lab.example\nSubject: dli " + run +
                           ": 1 test failed, crashed or timed out\n",
                       0),
            0u)
      << mail;

  // Collected again (as a restarted daemon would): nothing new to tell.
  const auto again = integrator("collect " + run + " --fleet " + shell_quote(dir.str("fleet.yaml")) + " --store " +
                                shell_quote(store_url()) + " --out " + shell_quote(dir.str("again")));
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_EQ(again.output.find("Notified"), std::string::npos) << again.output;
  EXPECT_EQ(count_lines(read_text(dir.str("hook.jsonl"))), 1);
  EXPECT_EQ(count_lines(read_text(dir.str("mail.txt"))), count_lines(mail));
}

}  // namespace
}  // namespace dli::testing
